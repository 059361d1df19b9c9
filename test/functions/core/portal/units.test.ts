/** The portal core's pure parts: file names and keys, submission ids, who sees what, charts out of summary.html, languages. */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { callerOf } from '../../../../functions/core/portal/auth.ts';
import type { HttpError } from '../../../../functions/core/portal/http.ts';
import { memberScope, parseSubmissionId, submissionId } from '../../../../functions/core/portal/submissions.ts';
import { chartsOfHtml } from '../../../../functions/core/portal/summaries.ts';
import { checkSize, replacedKey, safeFileName, uploadKey } from '../../../../functions/core/portal/uploads.ts';
import { keptName, latestPerKey, whenOf } from '../../../../functions/web/src/earlier.ts';
import { countLabel, pickLang, WORDS } from '../../../../functions/web/src/i18n.ts';

const rejection = async (p: Promise<unknown>): Promise<[number, string] | 'resolved'> => {
  try {
    await p;
  } catch (e) {
    return [(e as HttpError).status, (e as HttpError).code];
  }
  return 'resolved';
};

const status = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as HttpError).status;
  }
  return 200;
};

describe('uploads', () => {
  test('file names: the leaf of a Windows or Unix path, readable letters kept, the extension lower-cased, others refused', () => {
    assert.deepEqual(safeFileName('C:\\Users\\agent\\Saisies S12 (v2).XLSX'), { base: 'Saisies S12 (v2)', ext: '.xlsx' });
    assert.deepEqual(safeFileName('/home/x/incautaciones_año.csv'), { base: 'incautaciones_año', ext: '.csv' });
    assert.deepEqual(safeFileName('a<b>:"|?*.csv'), { base: 'a_b_', ext: '.csv' });
    assert.deepEqual(safeFileName('.csv'), { base: 'upload', ext: '.csv' });
    for (const bad of ['report.pdf', 'sheet.xls', 'noext', 'x.xlsm', 'x.csv.zip'])
      assert.equal(
        status(() => safeFileName(bad)),
        400,
        bad,
      );
  });

  test("the key is under the Member's own folder, one folder per upload", () => {
    const now = new Date('2026-12-02T11:40:12.345Z');
    const a = uploadKey('FR', 'week 12.xlsx', now);
    const b = uploadKey('FR', 'week 12.xlsx', now);
    assert.match(a, /^incoming\/FR\/2026-12-02T11-40-12Z-[0-9a-f]{6}\/week 12\.xlsx$/);
    assert.notEqual(a, b);
  });

  test('replaces: the key of an earlier upload of the same Member and file type; anything else 400 or 403, said in words', async () => {
    const earlier = { objectKey: 'incoming/FR/2026-12-01T09-00-00Z-0a1b2c/semana 40.csv', versionId: 'seq:00A1' };
    const lookups: string[] = [];
    const store = {
      getSubmission: async (objectKey: string, versionId: string) => {
        lookups.push(objectKey);
        return objectKey === earlier.objectKey && versionId === earlier.versionId ? ({ ...earlier, member: 'FR' } as never) : undefined;
      },
    };
    const id = submissionId(earlier);
    // Any name of the same type: the file becomes the next version of the earlier key, under the earlier name.
    assert.equal(await replacedKey(store, 'FR', id, 'semana 40 (corregida).csv'), earlier.objectKey);
    const cases: [unknown, string, string, [number, string]][] = [
      ['not an id', 'FR', 'x.csv', [400, 'unknown-upload']],
      [42, 'FR', 'x.csv', [400, 'unknown-upload']],
      ['', 'FR', 'x.csv', [400, 'unknown-upload']],
      [submissionId({ ...earlier, versionId: 'seq:00A2' }), 'FR', 'x.csv', [400, 'unknown-upload']],
      [submissionId({ objectKey: 'incoming/FR/gone.csv', versionId: 'v' }), 'FR', 'x.csv', [400, 'unknown-upload']],
      [id, 'FR', 'semana 40.xlsx', [400, 'replaces-other-type']],
      [id, 'FR', 'semana 40.pdf', [400, 'unsupported-file-type']],
      // Another Member's upload (or an analyst uploading for another Member than the upload's): refused from the key alone.
      [id, 'DE', 'x.csv', [403, 'forbidden']],
      [submissionId({ objectKey: 'incoming/FRA/x.csv', versionId: 'v' }), 'FR', 'x.csv', [403, 'forbidden']],
      [submissionId({ objectKey: 'feedback/FR/x.csv', versionId: 'v' }), 'FR', 'x.csv', [403, 'forbidden']],
    ];
    for (const [replaces, member, fileName, expected] of cases) {
      lookups.length = 0;
      assert.deepEqual(
        await rejection(replacedKey(store, member, replaces, fileName)),
        expected,
        `${String(replaces)} ${member} ${fileName}`,
      );
      if (expected[0] === 403) assert.deepEqual(lookups, [], "no lookup of another Member's upload");
    }
  });

  test('sizes: 1 byte to 25 MB', () => {
    assert.equal(checkSize(1), 1);
    assert.equal(checkSize(25 * 1024 * 1024), 25 * 1024 * 1024);
    for (const bad of [0, -1, 1.5, '10', undefined, 25 * 1024 * 1024 + 1])
      assert.equal(
        status(() => checkSize(bad)),
        400,
        String(bad),
      );
  });
});

describe('submissions', () => {
  test('the id carries key and version and nothing else; garbage is 404', () => {
    const s = { objectKey: 'incoming/FR/x/semaine 12 é.csv', versionId: 'seq:0006' };
    assert.deepEqual(parseSubmissionId(submissionId(s)), s);
    assert.match(submissionId(s), /^[A-Za-z0-9_-]+$/);
    assert.equal(
      status(() => parseSubmissionId('bm9wZQ')),
      404,
    );
  });

  test('a Member lists its own; analysts any one or all; unknown codes are 400', () => {
    const members = new Set(['FR', 'DE']);
    const fr = { member: 'FR', analyst: false, email: undefined, sub: 'a', username: 'a' };
    const an = { member: undefined, analyst: true, email: undefined, sub: 'b', username: 'b' };
    assert.equal(memberScope(fr, undefined, members), 'FR');
    assert.equal(memberScope(fr, 'FR', members), 'FR');
    assert.equal(
      status(() => memberScope(fr, 'DE', members)),
      403,
    );
    assert.equal(memberScope(an, undefined, members), undefined);
    assert.equal(memberScope(an, 'DE', members), 'DE');
    assert.equal(
      status(() => memberScope(an, 'ZZ', members)),
      400,
    );
  });
});

describe('auth claims', () => {
  test('custom:member and the analysts group; anything else is no Member', () => {
    assert.deepEqual(
      callerOf({ sub: 's', email: 'a@b.c', 'custom:member': 'FR', 'cognito:groups': ['analysts'], 'cognito:username': 'u-1' }),
      { member: 'FR', analyst: true, email: 'a@b.c', sub: 's', username: 'u-1' },
    );
    assert.deepEqual(callerOf({ sub: 's', 'custom:member': 'fr; DROP' }), {
      member: undefined,
      analyst: false,
      email: undefined,
      sub: 's',
      username: 's',
    });
    assert.equal(callerOf({ sub: 's', 'cognito:groups': 'analysts' }).analyst, false);
  });
});

describe('summaries', () => {
  test('the charts of summary.html, titles unescaped', () => {
    const html =
      '<h2>x</h2><figure><svg role="img" aria-label="A"><g/></svg><figcaption>Units &amp; doses, phase 1</figcaption></figure><p>text</p><figure><svg><rect/></svg><figcaption>B</figcaption></figure>';
    assert.deepEqual(chartsOfHtml(html), [
      { title: 'Units & doses, phase 1', svg: '<svg role="img" aria-label="A"><g/></svg>' },
      { title: 'B', svg: '<svg><rect/></svg>' },
    ]);
  });
});

describe("the web app's language", () => {
  test('?lang= wins, then the browser, then English', () => {
    assert.equal(pickLang('?lang=es', ['fr-FR']), 'es');
    assert.equal(pickLang('?lang=de', ['fr-FR']), 'fr');
    assert.equal(pickLang('', ['de-DE', 'es-MX']), 'es');
    assert.equal(pickLang('', ['de-DE']), 'en');
  });
});

describe("the web app's earlier uploads, offered for correction", () => {
  const sub = (id: string, objectKey: string, receivedAt: string) => ({ id, objectKey, receivedAt, fileName: objectKey.split('/').pop()! });
  // As the app's fmtDate (app.ts, which needs preact and the DOM).
  const fmtDate = (iso: string, lang: string) =>
    new Date(iso).toLocaleString(lang, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

  test('the latest version of each key, newest first; the name a file is kept under, as the server keeps it', () => {
    const list = [
      sub('b2', 'incoming/FR/b/w.csv', '2026-12-02T10:05:00Z'),
      sub('a2', 'incoming/FR/a/w.csv', '2026-12-02T10:04:00Z'),
      sub('b1', 'incoming/FR/b/w.csv', '2026-12-02T10:03:00Z'),
    ];
    assert.deepEqual(
      latestPerKey(list).map((s) => s.id),
      ['b2', 'a2'],
    );
    for (const name of ['C:\\x\\Saisies S12 (v2).XLSX', 'incautaciones_año.csv', 'a<b>:"|?*.csv', '.csv', ' two  spaces .csv']) {
      const { base, ext } = safeFileName(name);
      assert.equal(keptName(name), `${base}${ext}`, name);
    }
  });

  test('when: to the minute, to the second where two uploads of one name fall in one minute', () => {
    const when = whenOf(
      [
        sub('x', 'incoming/FR/1/w.csv', '2026-12-02T10:05:07Z'),
        sub('y', 'incoming/FR/2/w.csv', '2026-12-02T10:05:41Z'),
        sub('z', 'incoming/FR/3/v.csv', '2026-12-02T10:05:50Z'),
      ],
      'en',
      fmtDate,
    );
    assert.match(when.get('x')!, /:07/);
    assert.match(when.get('y')!, /:41/);
    assert.doesNotMatch(when.get('z')!, /:50/);
  });
});

test('count labels agree with their number in each language: 1 valid row, 0 ligne valide, 2 filas válidas', () => {
  assert.equal(countLabel(WORDS.en, 'en', 'validRows', 1), 'valid row');
  assert.equal(countLabel(WORDS.en, 'en', 'validRows', 0), 'valid rows');
  assert.equal(countLabel(WORDS.fr, 'fr', 'withdrawnCases', 0), 'affaire retirée');
  assert.equal(countLabel(WORDS.fr, 'fr', 'withdrawnCases', 2), 'affaires retirées');
  assert.equal(countLabel(WORDS.es, 'es', 'withdrawnCases', 1), 'caso retirado');
  assert.equal(countLabel(WORDS.es, 'es', 'validRows', 2), 'filas válidas');
  // Superseded cases are the ones left as they are, in English as in French and Spanish (and the feedback sentence).
  assert.equal(countLabel(WORDS.en, 'en', 'superseded', 1), 'case left as it is');
  assert.equal(countLabel(WORDS.en, 'en', 'superseded', 2), 'cases left as they are');
  assert.equal(countLabel(WORDS.fr, 'fr', 'superseded', 2), 'affaires laissées telles quelles');
  assert.equal(countLabel(WORDS.es, 'es', 'superseded', 1), 'caso dejado como estaba');
  // Every count label has its singular, in every language (English 'withdrawn' is both).
  for (const lang of ['en', 'fr', 'es'] as const) for (const [k, v] of Object.entries(WORDS[lang].one)) assert.ok(v.trim(), `${lang} ${k}`);
});
