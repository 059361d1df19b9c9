/**
 * The portal API on the local cloud, through the local portal server (the same handler as the Lambda): 401 without a
 * valid token, every endpoint, a Member never seeing another Member's submissions, uploads by presigned POST, and the
 * size checked again at ingest (s3rver does not enforce the POST policy's content-length-range; S3 does).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { CSV_HEADER, csv } from './helpers.ts';
import { PASSWORD, portalCloud, USERS, type PortalCloud } from '../../functions/web/helpers.ts';
import { fileURLToPath } from 'node:url';
import { callsAreCurrent, recordCalls } from '../preflight/record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The portal's and the pipeline's AWS calls, kept for `seizures preflight` (lib/preflight/calls/portal.json).
const recording = recordCalls();

let pc: PortalCloud;
let fr: string;
let de: string;
let analyst: string;

beforeAll(async () => {
  pc = await portalCloud();
  [fr, de, analyst] = await Promise.all([pc.token(USERS.fr.email), pc.token(USERS.de.email), pc.token(USERS.analyst.email)]);
});
afterAll(async () => {
  const names = pc
    ? { [pc.cloud.bucket]: 'BucketName', [pc.cloud.tableName]: 'TableName', [pc.config.userPoolId]: 'UserPoolId' }
    : undefined;
  await pc?.close();
  if (names) callsAreCurrent('portal', recording, names, fileURLToPath(import.meta.url));
});

const call = async (path: string, token?: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${pc.url}/api/${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers };
};

/** Uploads a body as the browser does: POST /api/uploads, then the presigned POST; resolves with the finished submission. */
async function upload(token: string, fileName: string, body: string | Buffer, extra: Record<string, unknown> = {}) {
  const target = await call('uploads', token, { method: 'POST', body: { fileName, size: body.length, ...extra } });
  assert.equal(target.status, 200, JSON.stringify(target.json));
  const member = (target.json.key as string).split('/')[1]!;
  // With `replaces` the key is an earlier upload's: the new version is the submission not listed before.
  const before = new Set((await call(`submissions?member=${member}`, token)).json.submissions.map((x: { id: string }) => x.id) as string[]);
  const form = new FormData();
  for (const [k, v] of Object.entries(target.json.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([body]), fileName);
  const posted = await fetch(target.json.url, { method: 'POST', body: form });
  assert.equal(posted.status, 204, await posted.text());
  await pc.cloud.waitForIdle(60_000);
  const list = await call(`submissions?member=${member}`, token);
  const s = list.json.submissions.find((x: { objectKey: string; id: string }) => x.objectKey === target.json.key && !before.has(x.id));
  assert.ok(s, `no submission for ${target.json.key}`);
  return { key: target.json.key as string, submission: s };
}

describe('401 without a valid token', () => {
  const routes: [string, string][] = [
    ['GET', 'me'],
    ['POST', 'uploads'],
    ['GET', 'submissions'],
    ['GET', 'submissions/abc'],
    ['GET', 'template'],
    ['GET', 'summaries'],
    ['GET', 'summaries/1/final'],
    ['GET', 'summaries/1/final/files?lang=fr'],
    ['GET', 'lineage?phase=1'],
    ['POST', 'phase-close'],
    ['POST', 'nil-returns'],
    ['GET', 'nil-returns'],
    ['GET', 'no-such-route'],
  ];
  test('no token, a malformed one, one signed by another key, one of another client', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ token_use: 'id', 'custom:member': 'FR' })
      .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
      .setIssuer(`${pc.config.cognitoEndpoint}/${pc.config.userPoolId}`)
      .setAudience(pc.config.clientId)
      .setExpirationTime('1h')
      .sign(privateKey);
    for (const [method, path] of routes) {
      for (const token of [undefined, 'not-a-jwt', forged]) {
        const r = await call(path, token, method === 'POST' ? { method, body: {} } : {});
        assert.equal(r.status, 401, `${method} ${path} with ${token?.slice(0, 10)}`);
        assert.equal(r.json.error, 'unauthorized');
        assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      }
    }
  });
});

describe('endpoints', () => {
  test('GET /api/me says who is calling', async () => {
    const me = await call('me', fr);
    assert.equal(me.status, 200);
    assert.equal(me.json.member, 'FR');
    assert.equal(me.json.analyst, false);
    assert.equal(me.json.language, 'fr');
    assert.equal(me.json.members, undefined);
    const a = await call('me', analyst);
    assert.equal(a.json.analyst, true);
    assert.ok(a.json.members.length > 100);
  });

  test("POST /api/uploads: a key under the caller's own folder, the size and type checked", async () => {
    const ok = await call('uploads', fr, { method: 'POST', body: { fileName: 'C:\\Users\\me\\Week 12 (v2).XLSX', size: 1000 } });
    assert.equal(ok.status, 200);
    assert.match(ok.json.key, /^incoming\/FR\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[0-9a-f]{6}\/Week 12 \(v2\)\.xlsx$/);
    const policy = JSON.parse(Buffer.from(ok.json.fields.Policy, 'base64').toString());
    assert.deepEqual(
      policy.conditions.find((c: unknown) => Array.isArray(c) && c[0] === 'content-length-range'),
      ['content-length-range', 1, 25 * 1024 * 1024],
    );
    assert.equal(ok.json.fields.key, ok.json.key);
    const cases: [unknown, number, string][] = [
      [{ fileName: 'report.pdf', size: 10 }, 400, 'unsupported-file-type'],
      [{ fileName: 'big.xlsx', size: 26 * 1024 * 1024 }, 400, 'file-too-large'],
      [{ fileName: 'zero.csv', size: 0 }, 400, 'bad-request'],
      [{ size: 10 }, 400, 'bad-request'],
      [{ fileName: 'x.csv', size: 10, member: 'DE' }, 403, 'forbidden'],
    ];
    for (const [body, status, code] of cases) {
      const r = await call('uploads', fr, { method: 'POST', body });
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.json.error, code);
    }
    const forDe = await call('uploads', analyst, { method: 'POST', body: { fileName: 'x.csv', size: 10, member: 'DE' } });
    assert.match(forDe.json.key, /^incoming\/DE\//);
    assert.equal(
      (await call('uploads', analyst, { method: 'POST', body: { fileName: 'x.csv', size: 10, member: 'ZZ' } })).json.error,
      'unknown-member',
    );
  });

  test('an upload, its submission, its report and annotated copy; another Member gets 404', async () => {
    const { submission } = await upload(fr, 'week 12.csv', csv('FR', 3, { invalid: 2 }));
    assert.equal(submission.status, 'accepted_with_errors');
    assert.deepEqual(submission.rows, { total: 5, valid: 3, invalid: 2, blank: 0 });
    const d = await call(`submissions/${submission.id}`, fr);
    assert.equal(d.status, 200);
    assert.equal(d.json.report.stats.invalidRows, 2);
    assert.equal(d.json.report.errors.length, 2);
    assert.match(d.json.report.errors[0].message, /Quantity/);
    const annotated = await fetch(d.json.annotatedUrl);
    assert.equal(annotated.status, 200);
    assert.match(annotated.headers.get('content-disposition') ?? '', /attachment/);
    assert.equal(
      Buffer.from(await annotated.arrayBuffer())
        .subarray(0, 2)
        .toString(),
      'PK',
    );

    // Germany: not in its list, 404 on the id, 403 asking for France's list.
    assert.equal((await call(`submissions/${submission.id}`, de)).status, 404);
    assert.equal((await call('submissions?member=FR', de)).status, 403);
    const deList = await call('submissions', de);
    assert.equal(deList.status, 200);
    assert.ok(deList.json.submissions.every((s: { member: string }) => s.member === 'DE'));
    // Analysts: any Member's, and all.
    assert.equal((await call(`submissions/${submission.id}`, analyst)).status, 200);
    assert.ok((await call('submissions', analyst)).json.submissions.some((s: { id: string }) => s.id === submission.id));
    assert.equal((await call('submissions?member=ZZ', analyst)).json.error, 'unknown-member');
    assert.equal((await call('submissions/bm90LWFuLWlk', fr)).status, 404);
  });

  test('GET /api/template in each language', async () => {
    for (const lang of ['en', 'fr', 'es']) {
      const res = await fetch(`${pc.url}/api/template?lang=${lang}`, { headers: { authorization: `Bearer ${fr}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`template-${lang}\\.xlsx`));
      assert.equal(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 2)
          .toString(),
        'PK',
      );
    }
    assert.equal((await call('template?lang=de', fr)).status, 400);
  });

  test("summaries (NCP and analysts' versions), lineage (analysts only), phase close (analysts only)", async () => {
    assert.deepEqual((await call('summaries', fr)).json, { summaries: [] });
    assert.equal((await call('summaries/1/final', fr)).status, 404);
    await pc.cloud.closePhase({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-09-01' });
    const list = await call('summaries', fr);
    assert.equal(list.json.summaries.length, 1);
    assert.equal(list.json.summaries[0].runLabel, 'final');
    const ncp = await call('summaries/1/final', fr);
    assert.equal(ncp.status, 200);
    assert.equal(ncp.json.version, 'ncp');
    assert.equal(ncp.json.summary.version, 'ncp');
    // Fewer than 3 Members reported here: the NCP version gives the totals, no breakdown to chart (issue 17, 5).
    assert.equal(ncp.json.summary.disclosure.breakdownWithheld, ncp.json.summary.figures.phase.reportingMembers < 3);
    assert.ok(ncp.json.charts.length >= (ncp.json.summary.disclosure.breakdownWithheld ? 1 : 2));
    assert.match(ncp.json.charts[0].svg, /^<svg role="img"/);
    // The NCP's own Member's row, for its eyes only (issue 17, 5); the analysts' version needs none.
    assert.equal(ncp.json.own.member, 'FR');
    assert.ok(ncp.json.own.phase === null || ncp.json.own.phase.key === 'FR');
    const an = await call('summaries/1/final', analyst);
    assert.equal(an.json.own, undefined);
    assert.ok(an.json.charts.length >= 2);
    assert.equal(an.json.version, 'analysts');
    assert.equal(an.json.summary.version, 'analysts');
    assert.equal((await call('summaries/x/final', fr)).status, 400);
    assert.equal((await call('summaries/1/bogus', fr)).status, 400);

    // The page in the reader's language: chart titles from summary.fr.html, each signal worded in fr and es.
    const frPage = await call('summaries/1/final?lang=fr', fr);
    assert.ok(
      frPage.json.charts.some((c: { title: string }) => c.title.startsWith('Lignes de saisie par semaine')),
      'French charts',
    );
    for (const x of frPage.json.summary.signals as { texts: Record<string, string> }[])
      assert.ok(x.texts.fr && x.texts.es && x.texts.en, 'texts in every language');
    // The report and workbook: 5-minute links made after the token check, the caller's version in the language.
    const files = await call('summaries/1/final/files', fr);
    assert.equal(files.status, 200);
    assert.deepEqual([files.json.version, files.json.lang, files.json.expiresIn], ['ncp', 'fr', 300]); // FR reads French
    for (const url of [files.json.html, files.json.xlsx]) assert.match(url, /X-Amz-Expires=300\b/);
    const page = await fetch(files.json.html);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes('<html lang="fr">'));
    const book = await fetch(files.json.xlsx);
    assert.equal(book.status, 200);
    assert.match(book.headers.get('content-disposition') ?? '', /attachment; filename="stop-ii-phase-1-final-fr\.xlsx"/);
    assert.equal((await book.arrayBuffer()).byteLength > 1000, true);
    const es = await call('summaries/1/final/files?lang=es', fr);
    assert.ok((await (await fetch(es.json.html)).text()).includes('<html lang="es">'));
    assert.equal((await call('summaries/1/final/files?lang=de', fr)).status, 400);
    assert.equal((await call('summaries/2/final/files', fr)).status, 404);
    const theirs = await call('summaries/1/final/files?lang=fr', analyst);
    assert.equal(theirs.json.version, 'analysts');
    assert.match(await (await fetch(theirs.json.html)).text(), /Analysts’ version/);

    assert.equal((await call('lineage?phase=1&dimension=product&key=ivermectin', fr)).status, 403);
    // The summary folds products of fewer than 3 Members into 'other': the lines are asked for by the product's key.
    const lin = await call('lineage?phase=1&dimension=product&key=ivermectin', analyst);
    assert.equal(lin.status, 200, JSON.stringify(lin.json));
    assert.equal(lin.json.total, 3, JSON.stringify(lin.json));
    const line = lin.json.lines[0];
    assert.equal(line.member, 'FR');
    assert.equal(line.file, 'week 12.csv');
    assert.match(line.objectKey, /^incoming\/FR\/.*\/week 12\.csv$/);
    assert.ok(line.row >= 2 && line.sheet !== undefined && line.versionId);
    assert.equal((await call(`submissions/${line.submissionId}`, analyst)).status, 200);
    assert.equal((await call('lineage?phase=9&dimension=product&key=x', analyst)).status, 400);
    assert.equal((await call('lineage?phase=1&dimension=colour&key=x', analyst)).status, 400);

    assert.equal((await call('phase-close', fr, { method: 'POST', body: { phase: 1 } })).status, 403);
    assert.equal((await call('phase-close', analyst, { method: 'POST', body: { phase: 7 } })).status, 400);
    const started = await call('phase-close', analyst, { method: 'POST', body: { phase: 1, mode: 'interim', asOf: '2021-07-01' } });
    assert.equal(started.status, 202);
    assert.match(started.json.execution, /^local-p1-interim-2021-07-01-/);
    for (let i = 0; i < 120; i++) {
      if ((await call('summaries', fr)).json.summaries.some((s: { runLabel: string }) => s.runLabel === 'interim-2021-07-01')) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.fail('the phase close started from the portal did not store its summary');
  });

  test('replaces: a corrected file becomes a new version of the earlier key and withdraws the cases it lacks; checked first', async () => {
    // Cases R-1 … R-3 seized in phase 2 (apart from what the summaries test reads), then the correction without R-3.
    const rows = (cases: number) => csv('FR', cases, { prefix: 'R' }).replaceAll('2021-06-15', '2021-10-15');
    const first = await upload(fr, 'semana 40.csv', rows(3));
    assert.equal(first.submission.stored.storedCases, 3);
    const fixed = await upload(fr, 'semana 40 corregida.csv', rows(2), { replaces: first.submission.id });
    assert.equal(fixed.key, first.key, 'the earlier key, so a new version of it');
    const s = fixed.submission;
    assert.notEqual(s.id, first.submission.id);
    assert.equal(s.fileName, 'semana 40.csv');
    assert.ok(s.receivedAt >= first.submission.receivedAt);
    assert.match(s.versionId, /^seq:[0-9A-F]{16}$/, 'the local bucket is unversioned: the sequencer tells versions apart');
    assert.equal(s.status, 'accepted');
    assert.deepEqual([s.stored.storedCases, s.stored.replacedCases, s.stored.withdrawnCases], [2, 2, 1], JSON.stringify(s.stored));
    assert.deepEqual(
      s.stored.replacedFiles.map((f: { file: string }) => f.file.split('/').pop()),
      ['semana 40.csv'],
    );
    // Both versions stay listed; the new one's detail, report and annotated copy are its own.
    const versions = (await call('submissions', fr)).json.submissions.filter((x: { objectKey: string }) => x.objectKey === first.key);
    assert.deepEqual(versions.map((x: { id: string }) => x.id).sort(), [first.submission.id, s.id].sort());
    const d = await call(`submissions/${s.id}`, fr);
    assert.equal(d.status, 200);
    assert.equal(d.json.report.stats.validRows, 2);
    const annotated = await fetch(d.json.annotatedUrl);
    assert.equal(annotated.status, 200);
    assert.match(annotated.headers.get('content-disposition') ?? '', /semana%2040\.report\.xlsx/);
    assert.equal(d.json.feedbackReplaced, false);
    // The earlier version's feedback was where the new one's now is: its detail shows none as its own.
    const earlier = await call(`submissions/${first.submission.id}`, fr);
    assert.equal(earlier.status, 200);
    assert.deepEqual(
      [earlier.json.feedbackReplaced, earlier.json.report, earlier.json.annotatedUrl, earlier.json.reportUrl],
      [true, null, null, null],
    );
    assert.equal(earlier.json.submission.stored.storedCases, 3, 'its own counts stay');
    // Without `replaces` the same name is a new folder, as before.
    const plain = await call('uploads', fr, { method: 'POST', body: { fileName: 'semana 40.csv', size: 10 } });
    assert.notEqual(plain.json.key, first.key);

    // Refused before any presigned POST: another Member's upload, a bad id, one never received, another file type.
    const foreign = await call('uploads', de, { method: 'POST', body: { fileName: 'x.csv', size: 10, replaces: s.id } });
    assert.deepEqual([foreign.status, foreign.json.error], [403, 'forbidden']);
    assert.match(foreign.json.message, /own Member only/);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ replaces: 'nope!' }, 400, 'unknown-upload'],
      [{ replaces: 12 }, 400, 'unknown-upload'],
      [{ replaces: Buffer.from(`${first.key}\u0000seq:0`).toString('base64url') }, 400, 'unknown-upload'],
      [{ fileName: 'semana 40.xlsx', replaces: s.id }, 400, 'replaces-other-type'],
    ];
    for (const [extra, status, code] of cases) {
      const r = await call('uploads', fr, { method: 'POST', body: { fileName: 'x.csv', size: 10, ...extra } });
      assert.deepEqual([r.status, r.json.error], [status, code], JSON.stringify(extra));
      assert.ok(r.json.message.length > 20, r.json.message);
    }
    // Analysts: an upload of the Member they upload for, not of another.
    const forFr = await call('uploads', analyst, { method: 'POST', body: { fileName: 'x.csv', size: 10, member: 'FR', replaces: s.id } });
    assert.equal(forFr.json.key, first.key);
    const forDe = await call('uploads', analyst, { method: 'POST', body: { fileName: 'x.csv', size: 10, member: 'DE', replaces: s.id } });
    assert.equal(forDe.status, 403);
  });

  test('a file over 25 MB sent despite the policy (s3rver does not enforce it) is rejected at ingest with a size-error', async () => {
    const head = csv('FR', 1);
    const big = Buffer.concat([Buffer.from(head), Buffer.alloc(25 * 1024 * 1024 + 10, 0x20)]);
    const target = await call('uploads', fr, { method: 'POST', body: { fileName: 'huge.csv', size: 1000 } });
    const form = new FormData();
    for (const [k, v] of Object.entries(target.json.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([big]), 'huge.csv');
    assert.equal((await fetch(target.json.url, { method: 'POST', body: form })).status, 204);
    await pc.cloud.waitForIdle(60_000);
    const s = (await call('submissions', fr)).json.submissions.find((x: { objectKey: string }) => x.objectKey === target.json.key);
    assert.equal(s.status, 'rejected');
    const d = await call(`submissions/${s.id}`, fr);
    assert.equal(d.json.report.errors[0].type, 'size-error');
  });

  test("nil returns: a Member's own, once (201 then 200), a bad phase 400; analysts for any Member and see all", async () => {
    const phases: number[] = (await call('me', de)).json.operation.phases.map((p: { phase: number }) => p.phase);
    const first = await call('nil-returns', de, { method: 'POST', body: { phase: phases[0] } });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.created, true);
    assert.equal(first.json.nilReturn.member, 'DE');
    assert.equal(first.json.nilReturn.phase, phases[0]);
    assert.equal(first.json.nilReturn.source, 'portal');
    assert.equal(first.json.nilReturn.by, USERS.de.email);
    assert.match(first.json.nilReturn.recordedAt, /^\d{4}-\d{2}-\d{2}T/);
    const again = await call('nil-returns', de, { method: 'POST', body: { phase: phases[0] } });
    assert.equal(again.status, 200);
    assert.equal(again.json.created, false);
    assert.deepEqual(again.json.nilReturn, first.json.nilReturn);
    for (const body of [{ phase: 99 }, { phase: 'x' }, {}, { phase: 1.5 }]) {
      const r = await call('nil-returns', de, { method: 'POST', body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error, 'unknown-phase');
    }
    assert.equal((await call('nil-returns', de, { method: 'POST', body: { phase: phases[0], member: 'FR' } })).status, 403);
    assert.equal((await call('nil-returns', analyst, { method: 'POST', body: { phase: phases[0] } })).status, 400);
    const forFr = await call('nil-returns', analyst, { method: 'POST', body: { phase: phases.at(-1), member: 'FR' } });
    assert.equal(forFr.status, 201);
    assert.equal(forFr.json.nilReturn.member, 'FR');
    assert.equal(forFr.json.nilReturn.by, USERS.analyst.email);

    const own = await call('nil-returns', de);
    assert.equal(own.status, 200);
    assert.deepEqual(
      own.json.nilReturns.map((n: { member: string; phase: number }) => [n.member, n.phase]),
      [['DE', phases[0]]],
    );
    assert.equal((await call('nil-returns?member=FR', de)).status, 403);
    const all = await call('nil-returns', analyst);
    assert.ok(all.json.nilReturns.some((n: { member: string }) => n.member === 'DE'));
    assert.ok(all.json.nilReturns.some((n: { member: string }) => n.member === 'FR'));
    const onlyFr = await call('nil-returns?member=FR', analyst);
    assert.ok(onlyFr.json.nilReturns.every((n: { member: string }) => n.member === 'FR'));
  });

  test('wrong method, unknown route, bad JSON', async () => {
    assert.equal((await call('summaries', fr, { method: 'POST', body: {} })).status, 405);
    assert.equal((await call('nothing-here', fr)).status, 404);
    const res = await fetch(`${pc.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${fr}` }, body: '{oops' });
    assert.equal(res.status, 400);
  });
});

describe('the portal server', () => {
  test('app routes get index.html with the security headers; missing assets 404', async () => {
    for (const path of ['/', '/summaries/1/final', '/submissions']) {
      const res = await fetch(`${pc.url}${path}`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<div id="app">/);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    }
    assert.equal((await fetch(`${pc.url}/assets/nope.js`)).status, 404);
    // No way out of the web app's folder.
    for (const p of ['/%2e%2e/package.json', '/..%2f..%2fcdk.json', '/cdk.json'])
      assert.equal((await fetch(`${pc.url}${p}`)).status, 404, p);
  });
});

describe('the findings of the second review, on the running local cloud', () => {
  test('a nil return for a phase where the Member has seizures stored is refused: 409 phase-has-seizures, in its language', async () => {
    // FR's week 12.csv (above) stored lines dated 2021-06-15: phase 1.
    const r = await call('nil-returns', fr, { method: 'POST', body: { phase: 1 } });
    assert.equal(r.status, 409, JSON.stringify(r.json));
    assert.equal(r.json.error, 'phase-has-seizures');
    assert.match(r.json.message, /^Non enregistré : des saisies de votre administration sont déjà enregistrées pour la phase\u00a01/);
    const mine = (await call('nil-returns', fr)).json.nilReturns.map((n: { phase: number }) => n.phase);
    assert.ok(!mine.includes(1));
  });

  test('an ESC in a case reference is a row error, never a stored line, so /api/lineage cannot hand it back', async () => {
    const body = `${CSV_HEADER}\nFR,ESC-\u001b[31m-1,2021-06-15,Medicines,Ivermectin,5,Pieces,Air cargo,Falsified\n`;
    const { submission } = await upload(fr, 'control.csv', body);
    assert.deepEqual(submission.rows, { total: 1, valid: 0, invalid: 1, blank: 0 });
    const d = await call(`submissions/${submission.id}`, fr);
    assert.equal(d.json.report.errors[0].code, 'control-character');
    assert.equal(d.json.report.errors[0].params.char, 'U+001B');
    assert.doesNotMatch(JSON.stringify(d.json), /\\u001b/i);
    const lin = await call('lineage?phase=1&dimension=product&key=ivermectin&limit=500', analyst);
    assert.ok(!JSON.stringify(lin.json).includes('ESC-'), 'no line of the refused row');
  });

  test("Cognito and the bucket answer a browser from the portal's origin only (not CORS *)", async () => {
    const evil = 'http://evil.example';
    const target = { 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth', 'content-type': 'application/x-amz-json-1.1' };
    const fromEvil = await fetch(pc.config.cognitoEndpoint, { method: 'POST', headers: { ...target, origin: evil }, body: '{}' });
    assert.equal(fromEvil.status, 403);
    const preflight = await fetch(pc.config.cognitoEndpoint, {
      method: 'OPTIONS',
      headers: { origin: evil, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);
    const portalOrigin = new URL(pc.url).origin;
    const fromPortal = await fetch(pc.config.cognitoEndpoint, {
      method: 'OPTIONS',
      headers: { origin: portalOrigin, 'access-control-request-method': 'POST' },
    });
    assert.ok(fromPortal.status < 300, String(fromPortal.status));
    assert.equal(fromPortal.headers.get('access-control-allow-origin'), portalOrigin);

    const bucketUrl = `${pc.cloud.endpoints.s3}/${pc.cloud.bucket}/incoming/FR/x.csv`;
    const s3Evil = await fetch(bucketUrl, { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' } });
    assert.equal(s3Evil.status, 403);
    assert.equal(s3Evil.headers.get('access-control-allow-origin'), null);
    const s3Portal = await fetch(bucketUrl, {
      method: 'OPTIONS',
      headers: { origin: portalOrigin, 'access-control-request-method': 'POST' },
    });
    // s3rver answers an allowed preflight with '*' (a quirk); what it allows is the rule's origins only.
    assert.equal(s3Portal.status, 200);
  });

  test("tokens are signed with the data directory's own key: one signed with cognito-local's npm key is refused", async () => {
    const jwks = (await (await fetch(`${pc.config.cognitoEndpoint}/${pc.config.userPoolId}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    assert.equal(jwks.keys.length, 1);
    assert.match(jwks.keys[0].kid, /^local-/);
    assert.equal(decodeProtectedHeader(fr).kid, jwks.keys[0].kid);
    const file = join(pc.dataDir, 'cognito', 'signing-key.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // A token for FR, claims and all, signed with the private key every copy of cognito-local ships.
    const shipped = createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
    const forged = await new SignJWT({ ...decodeJwt(fr) })
      .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
      .sign(createPrivateKey(shipped.pem));
    const r = await call('me', forged);
    assert.equal(r.status, 401);
    assert.equal((await call('me', fr)).status, 200);
  });

  test('sign-out revokes the refresh token (RevokeToken, which cognito-local supports): it then refreshes nothing', async () => {
    const cognito = async (target: string, body: object) => {
      const r = await fetch(pc.config.cognitoEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, any> };
    };
    const signIn = await cognito('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pc.config.clientId,
      AuthParameters: { USERNAME: USERS.de.email, PASSWORD },
    });
    const refresh = signIn.json.AuthenticationResult.RefreshToken as string;
    // Short-lived: the client's 60 minutes.
    const { exp, iat } = decodeJwt(refresh);
    assert.equal(exp! - iat!, 3600);
    const refreshed = () =>
      cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: pc.config.clientId, AuthParameters: { REFRESH_TOKEN: refresh } });
    assert.equal((await refreshed()).status, 200);
    assert.equal((await cognito('RevokeToken', { ClientId: pc.config.clientId, Token: refresh })).status, 200);
    assert.equal((await refreshed()).status, 400);
  });
});
