/**
 * `seizures demo`: the STOP II demo (bin/demo/) run through the local pipeline. Writes one spreadsheet per
 * reporting Member per phase into {data dir}/demo/ (where a newcomer can open them), uploads each under
 * incoming/{MEMBER}/ as a Member would, waits until every upload is ingested, checks each was accepted with 0 errors
 * and that the stored lines add up to the demo's totals exactly, then closes phases 1, 2 and 3 (final) and prints the
 * headline figures and where the summaries are.
 *
 * Like `upload`, it uses the local cloud running on the data directory, else starts one in this process for the
 * length of the command; `seizures dev --demo` runs it on the cloud `dev` starts. The data stays in the data
 * directory.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../functions/core/platform/aws.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { INCOMING_PREFIX } from '../../functions/core/operation/layout.ts';
import { getJson } from '../../functions/core/phase/io.ts';
import { MAX_SIGNALS_IN_EMAIL } from '../../functions/core/phase/alerts.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import type { SubmissionRecord } from '../../functions/core/store/submission.ts';
import { objectsOfBody } from '../../lib/local/notifications.ts';
import { readMessages } from '../../lib/local/queue.ts';
import { closePhaseLocal, WorkflowFailedError } from '../../lib/local/stepfunctions.ts';
import type { DemoDataset, DemoTotals } from '../demo/index.ts';
import type { SummaryJson } from '../../functions/core/phase/summary.ts';
import type { PhaseCloseOutput } from '../../functions/core/contracts/phase-close-spec.ts';
import { connect, onLocalCloud, type CloudTarget, type LocalTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { EXIT, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { closePhaseInput, describeFailure, fromLocalEvent, printer } from './close-phase.ts';
import { configOption, parse, readConfig, UsageError } from './common.ts';
import { progress, type Progress } from './progress.ts';

export const usage = `seizures demo [--members N] [--seed N] [--timeout SECONDS] ${LOCAL_USAGE} [--config FILE]  (exit 0 the pipeline reproduced the demo, 1 it did not, 69 no cloud, 75 timed out)`;

export interface DemoRunOptions {
  readonly config: OperationConfig;
  /** Reporting Members (fewer than 90 scales the demo down). */
  readonly members?: number;
  readonly seed?: number;
  /** How long to wait for the ingestion of all the uploads. @default 900 s */
  readonly timeoutMs?: number;
  /** Result lines (stdout). */
  readonly out: (line: string) => void;
  /** Progress (stderr). */
  readonly progress: Progress;
  /** Least time between two progress steps. @default 200 ms on a terminal, else 5 s */
  readonly progressEveryMs?: number;
  /** Called once every upload is ingested (before the checks and the phase closes). */
  readonly onIngested?: () => void;
}

export interface DemoRunResult {
  readonly code: number;
  readonly dataset: DemoDataset;
  readonly expected: DemoTotals;
  /** What the stored lines add up to (after ingestion). */
  readonly stored?: Omit<DemoTotals, 'files'>;
  /** Each phase's final close: its output and its summary (summary.json). */
  readonly closed?: readonly { readonly output: PhaseCloseOutput; readonly summary: SummaryJson }[];
  /** Planted signals missing from the summaries (full-size demo only; empty when all were flagged). */
  readonly missing?: readonly string[];
  readonly files: readonly { readonly key: string; readonly path: string }[];
  readonly timings: Readonly<Record<string, number>>;
}

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`) => `${n(x)} ${x === 1 ? one : many}`;

/**
 * Progress steps at most every `everyMs` (a log gets a line every few seconds, not one per file; a terminal's
 * spinner redraws itself meanwhile); notes and flushed steps always pass.
 */
function throttled(p: Progress, everyMs: number): Progress & { flush(text: string): void } {
  let last = 0;
  return {
    step(text) {
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      p.step(text);
    },
    flush(text) {
      last = Date.now();
      p.step(text);
    },
    note: (text) => p.note(text),
    done: () => p.done(),
  };
}

export async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    members: { type: 'string' },
    seed: { type: 'string' },
    timeout: { type: 'string' },
    ...localOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const config = readConfig(values.config);
  const members = wholeOf(values.members, '--members');
  if (members !== undefined && (members < 1 || members > config.members.length)) {
    throw new UsageError(`--members must be from 1 to ${config.members.length}, the operation's participating Members (got ${members})`);
  }
  const seed = wholeOf(values.seed, '--seed');
  const timeoutS = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a number of seconds (got '${values.timeout}')`);

  return runCloudCommand('demo', async () => {
    const p = progress(process.stderr);
    let target: CloudTarget | undefined;
    try {
      target = await connect({ values, operation: config, ingest: true, log: (l) => p.note(l) });
      const result = await runDemo(onLocalCloud(target, 'demo'), {
        config,
        ...(members !== undefined ? { members } : {}),
        ...(seed !== undefined ? { seed } : {}),
        timeoutMs: timeoutS * 1000,
        out: (line) => {
          p.done();
          process.stdout.write(`${line}\n`);
        },
        progress: p,
      });
      return result.code;
    } finally {
      p.done();
      await target?.close();
    }
  });
}

function wholeOf(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a whole number (got '${v}')`);
  return Number(v);
}

/**
 * Runs the demo on a local cloud: generate, write, upload, wait, check, close the phases, report. Returns the exit
 * code (0 when the pipeline reproduced the demo) with what it saw.
 */
export async function runDemo(target: LocalTarget, o: DemoRunOptions): Promise<DemoRunResult> {
  const demo = await import('../demo/index.ts');
  const cloud = { ...target.local, bucket: target.bucket, tableName: target.tableName, where: target.where };

  const timings: Record<string, number> = {};
  const started = Date.now();
  const lap = (name: string, since: number) => (timings[name] = Date.now() - since);
  const { out, config } = o;
  const p = throttled(o.progress, o.progressEveryMs ?? (process.stderr.isTTY ? 200 : 5_000));

  // 1. The operation.
  let t = Date.now();
  const ds = demo.generateDemo(config, {
    ...(o.members !== undefined ? { members: o.members } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  const expected = demo.demoTotals(ds);
  lap('generate', t);
  const langs = (['en', 'fr', 'es'] as const).map((l) => `${ds.files.filter((f) => f.lang === l).length} ${l}`).join(', ');
  out(
    `Demo of ${config.name} (seed ${ds.seed}): ${ds.reporting.length} of ${ds.participating} participating Members report, one file per Member per phase`,
  );
  out(`  ${n(expected.files)} files (${langs}), ${n(expected.cases)} cases, ${n(expected.lines)} seizure lines`);
  out(`  units: ${unitsLine(expected)}`);
  const s = ds.story;
  out('  planted:');
  out(`    oxygen cylinders surge in phase 2: ${s.oxygen.lines.join(' -> ')} lines by phase (${s.oxygen.members.join(' -> ')} Members)`);
  out(
    `    a new route from ${s.route.origin} in phase ${s.route.phase}: ${s.route.route}, ${plural(s.route.lines, 'line')} by ${plural(s.route.members, 'Member')}`,
  );
  out(
    `    ${s.concealment.method.replace('_', ' ')}s spread across Members: ${s.concealment.lines.join(' -> ')} lines (${s.concealment.members.join(' -> ')} Members)`,
  );

  // 2. Files written and uploaded as they are made (ingestion runs meanwhile).
  const dir = join(cloud.dataDir, 'demo');
  await mkdir(dir, { recursive: true });
  const s3: S3Client = s3Client(cloud.endpoints);
  const dyn = dynamoClient(cloud.endpoints);
  const store = new SeizureStore({ client: dyn, tableName: cloud.tableName });
  const uploads: Upload[] = [];
  try {
    // Another demo (seed, size) or other uploads on this data dir would be counted with this one: say so first.
    const before = await readFile(join(dir, 'demo.json'), 'utf8').then(
      (x) => JSON.parse(x) as { operation?: string; seed?: number; targets?: { reportingMembers?: number } },
      () => undefined,
    );
    const ours = new Set(ds.files.map((f) => `${INCOMING_PREFIX}${f.member}/${f.name}`));
    const others = (await store.listSubmissions()).filter((x) => !ours.has(x.objectKey));
    const otherDemo =
      before !== undefined &&
      (before.operation !== config.id || before.seed !== ds.seed || before.targets?.reportingMembers !== ds.targets.reportingMembers);
    if (others.length || otherDemo) {
      const what = [
        otherDemo ? `another demo (seed ${before?.seed}, ${before?.targets?.reportingMembers} Members)` : '',
        others.length ? `${others.length} other upload(s)` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      out(
        `Warning: ${cloud.dataDir} already holds ${what}: the summaries will count them with this demo, whose totals they will then not be; for the demo alone, use a fresh --data-dir`,
      );
    }
    for (const f of await readdir(dir)) if (f.endsWith('.xlsx')) await rm(join(dir, f));
    await writeFile(
      join(dir, 'demo.json'),
      JSON.stringify({ operation: config.id, seed: ds.seed, targets: ds.targets, totals: expected, story: ds.story }, null, 2) + '\n',
    );

    t = Date.now();
    const shown = relative(process.cwd(), dir);
    out(
      `Uploading to s3://${cloud.bucket}/${INCOMING_PREFIX}{MEMBER}/ on ${cloud.where}; the files are kept in ${shown && !shown.startsWith('..') ? shown : dir}/`,
    );
    const inFlight = new Set<Promise<void>>();
    for (const [i, f] of ds.files.entries()) {
      const buf = await demo.demoWorkbook(config, f);
      const path = join(dir, f.name);
      await writeFile(path, buf);
      const key = `${INCOMING_PREFIX}${f.member}/${f.name}`;
      const since = Date.now();
      const put = s3
        .send(new PutObjectCommand({ Bucket: cloud.bucket, Key: key, Body: buf, ContentLength: buf.length }))
        .then(
          (r) => void uploads.push({ key, path, member: f.member, rows: f.rows.length, etag: (r.ETag ?? '').replaceAll('"', ''), since }),
        );
      inFlight.add(put);
      void put.finally(() => inFlight.delete(put)).catch(() => {});
      if (inFlight.size >= 8) await Promise.race(inFlight);
      p.step(`writing and uploading the files: ${i + 1}/${ds.files.length}`);
    }
    await Promise.all(inFlight);
    lap('write+upload', t);

    // 3. Every upload ingested, accepted, 0 errors.
    t = Date.now();
    const outcome = await waitForAll(store, uploads, o.timeoutMs ?? 900_000, p, cloud.dataDir);
    lap('ingest', t);
    o.onIngested?.();
    if (outcome === 'timeout') {
      out(
        `seizures demo: not every upload was ingested after ${Math.round((o.timeoutMs ?? 900_000) / 1000)} s; \`seizures status\` shows where they are`,
      );
      return { code: EXIT.timeout, dataset: ds, expected, files: uploads, timings };
    }
    const bad = uploads.filter((u) => {
      const r = outcome.get(u.key)!;
      return (
        r.status !== 'accepted' ||
        r.rows.invalid > 0 ||
        r.rows.valid !== u.rows ||
        Object.keys(r.errorsByType).length > 0 ||
        r.stored.written !== u.rows
      );
    });
    const accepted = uploads.length - bad.length;
    out(
      `Ingested ${n(uploads.length)} uploads in ${secs(timings['ingest']! + timings['write+upload']!)}: ${n(accepted)} accepted with 0 errors${bad.length ? `, ${bad.length} NOT:` : ''}`,
    );
    for (const u of bad.slice(0, 10)) {
      const r = outcome.get(u.key)!;
      out(
        `  ${u.key}: ${r.status}, ${r.rows.valid}/${u.rows} rows valid, ${r.stored.written} stored${r.failure ? ` (${r.failure.type}: ${r.failure.message})` : ''}`,
      );
    }

    // 4. What the table holds adds up to the demo, exactly.
    t = Date.now();
    const lines: Parameters<typeof demo.totalsOf>[0] extends Iterable<infer R> ? R[] : never = [];
    for (const f of ds.files) for await (const r of store.linesOf(f.phase, f.member)) lines.push(r);
    const stored = demo.totalsOf(lines);
    lap('check', t);
    const same =
      stored.lines === expected.lines &&
      stored.cases === expected.cases &&
      stored.reportingMembers === expected.reportingMembers &&
      (['medicine', 'medical_device', 'vaccine'] as const).every((c) => stored.units[c] === expected.units[c]);
    out(
      `Stored: ${n(stored.lines)} lines in ${n(stored.cases)} cases from ${stored.reportingMembers} Members; units ${unitsLine(stored)} — ${same ? "the demo's totals exactly" : "NOT the demo's totals"}`,
    );
    if (bad.length || !same) {
      timings['total'] = Date.now() - started;
      return { code: 1, dataset: ds, expected, stored, files: uploads, timings };
    }

    // 5. Each phase closed (final), as its schedule would the day after it ends.
    const closed: { output: PhaseCloseOutput; summary: SummaryJson }[] = [];
    for (const phase of ds.phases) {
      const input = closePhaseInput(config, { phase, interim: false });
      t = Date.now();
      // The workflow's state changes as transient progress: the demo's own lines say what came of it.
      const show = printer({
        step: (x) => p.step(`closing phase ${phase.phase}: ${x}`),
        note: (x) => p.step(`closing phase ${phase.phase}: ${x}`),
        done() {},
      });
      let output: PhaseCloseOutput;
      try {
        output = await closePhaseLocal({
          endpoints: cloud.endpoints,
          bucket: cloud.bucket,
          tableName: cloud.tableName,
          operation: config,
          input,
          ...(target.local.portalUrl ? { portalUrl: target.local.portalUrl } : {}),
          onEvent: (e) => show(fromLocalEvent(e)),
        });
      } catch (e) {
        if (!(e instanceof WorkflowFailedError)) throw e;
        out(`Closing phase ${phase.phase} failed: ${describeFailure(e.error, e.cause)}`);
        timings['total'] = Date.now() - started;
        return { code: 1, dataset: ds, expected, stored, closed, files: uploads, timings };
      }
      lap(`close phase ${phase.phase}`, t);
      const summary = await getJson<SummaryJson>(s3, cloud.bucket, output.keys['json']!);
      closed.push({ output, summary });
      const emails = output.alert
        ? `alert emails ${output.alerts.sent} sent${output.alerts.skipped ? `, ${output.alerts.skipped} already sent` : ''}`
        : 'no alert';
      out(
        `Closed phase ${phase.phase} (final, as of ${input.asOf}) in ${secs(timings[`close phase ${phase.phase}`]!)}: ${plural(summary.figures.phase.lines, 'line')}, ${plural(output.signalCount, 'signal')}; ${emails}`,
      );
      for (const e of summary.signals.filter((x) => x.signal.kind === 'rising' || x.signal.kind === 'falling')) out(`  - ${e.text}`);
    }

    // 6. The headline: the final summary's figures since the start, and the planted story among its signals.
    const final = closed[closed.length - 1]!;
    // The analysts' version: the NCP version shows no breakdown resting on fewer than minCellMembers Members (a small
    // demo's vaccines may be one Member's), and the totals by category are what is checked.
    const f = (await getJson<SummaryJson>(s3, cloud.bucket, final.output.keys['analystsJson']!)).figures.cumulative;
    const unitsOf = (c: string) => f.byCategory.find((r) => r.key === c)?.units ?? 0;
    const finalUnits = { medicine: unitsOf('medicine'), medical_device: unitsOf('medical_device'), vaccine: unitsOf('vaccine') };
    const reproduced =
      f.lines === expected.lines &&
      f.cases === expected.cases &&
      f.reportingMembers === expected.reportingMembers &&
      f.participatingMembers === ds.participating &&
      f.units.total === expected.units.medicine + expected.units.medical_device + expected.units.vaccine &&
      (['medicine', 'medical_device', 'vaccine'] as const).every((c) => finalUnits[c] === expected.units[c]);
    out('');
    out(`${config.name}, final summary since the start (${final.summary.counted.to}):`);
    out(`  ${n(f.reportingMembers)} of ${n(f.participatingMembers)} Members reported ${n(f.cases)} cases, ${n(f.lines)} seizure lines`);
    out(`  units ${unitsLine({ units: finalUnits })}`);
    out(`  ${reproduced ? "the demo's totals, exactly" : "NOT the demo's totals"}`);
    const missing =
      ds.targets.reportingMembers === demo.STOP_II.reportingMembers
        ? missingSignals(
            closed.map((c) => c.summary),
            demo.PLANTED_ROUTE,
            MAX_SIGNALS_IN_EMAIL,
          )
        : [];
    if (ds.targets.reportingMembers !== demo.STOP_II.reportingMembers) {
      out(
        `  (a demo of ${ds.targets.reportingMembers} Members is too small for the trend tests to see its story; the full one's is checked)`,
      );
    } else if (missing.length) out(`  planted signals NOT flagged: ${missing.join('; ')}`);
    else out('  every planted signal is flagged in the summaries and the alert emails');
    out("Summaries (Members' and analysts' versions: json, xlsx, html):");
    for (const c of closed) out(`  s3://${cloud.bucket}/${c.output.prefix}`);
    out(
      `  \`npm run seizures -- summary --phase 3 --cumulative${cloud.dataDir.endsWith('/.seizures') ? '' : ` --data-dir ${cloud.dataDir}`}\` prints the final one`,
    );
    out(
      cloud.lasting
        ? `Alert emails: ${cloud.mailViewer}`
        : "The alert emails went to this command's own mail server, gone with it: `npm start -- --demo` keeps them readable in its mail viewer.",
    );
    timings['total'] = Date.now() - started;
    return { code: reproduced && missing.length === 0 ? 0 : 1, dataset: ds, expected, stored, closed, missing, files: uploads, timings };
  } finally {
    s3.destroy();
    dyn.destroy();
  }
}

interface Upload {
  readonly key: string;
  readonly path: string;
  readonly member: string;
  readonly rows: number;
  readonly etag: string;
  readonly since: number;
}

const FINISHED = new Set(['accepted', 'accepted_with_errors', 'rejected']);

/**
 * Polls each Member's submissions until every upload (its key and content, received since it was put) is finished,
 * or failed for good (its message in the dead-letter queue). Works whether the cloud runs here or in another process.
 */
async function waitForAll(
  store: SeizureStore,
  uploads: readonly Upload[],
  timeoutMs: number,
  p: ReturnType<typeof throttled>,
  dataDir: string,
): Promise<Map<string, SubmissionRecord> | 'timeout'> {
  const done = new Map<string, SubmissionRecord>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = uploads.filter((u) => !done.has(u.key));
    const members = [...new Set(pending.map((u) => u.member))];
    const dead = () => readMessages(join(dataDir, 'queue', 'ingest-dlq')).flatMap((m) => objectsOfBody(m.body).map((o) => o.key));
    let deadKeys: Set<string> | undefined;
    for (const member of members) {
      const subs = await store.listSubmissions({ member, limit: 50 });
      for (const u of pending.filter((x) => x.member === member)) {
        const mine = subs
          .filter((s) => s.objectKey === u.key && s.etag === u.etag && Date.parse(s.receivedAt) >= u.since - 1_000)
          .sort((a, b) => (a.orderToken < b.orderToken ? 1 : -1))[0];
        if (!mine) continue;
        if (FINISHED.has(mine.status)) done.set(u.key, mine);
        else if (mine.status === 'failed' && (deadKeys ??= new Set(dead())).has(u.key)) done.set(u.key, mine);
      }
    }
    if (done.size === uploads.length) {
      p.flush(`ingesting: ${done.size}/${uploads.length} uploads done`);
      return done;
    }
    p.step(`ingesting: ${done.size}/${uploads.length} uploads done`);
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The planted story as the summaries must flag it (STOP II-sized demo): phase 2 rising oxygen cylinders and split
 * consignments; phase 3 rising origin TR, the new route and split consignments, the route and origin new, oxygen
 * cylinders falling. Rising ones must be among the first `maxInEmail` signals (those an alert email lists). Returns
 * what is missing.
 */
export function missingSignals(summaries: readonly SummaryJson[], route: string, maxInEmail: number): string[] {
  const missing: string[] = [];
  const trend = (s: SummaryJson | undefined, kind: 'rising' | 'falling', dimension: string, key: string) => {
    // A signal merged into another that rests on the same lines is named in that one's alsoSeenAs.
    const inEmail = s?.signals
      .slice(0, maxInEmail)
      .some(
        (e) =>
          (e.signal.kind === kind &&
            'dimension' in e.signal &&
            e.signal.dimension === dimension &&
            'key' in e.signal &&
            e.signal.key === key) ||
          (e.signal.alsoSeenAs ?? []).some((a) => a.kind === kind && a.dimension === dimension && a.key === key),
      );
    const listed = s?.trends[kind].some((t) => t.dimension === dimension && t.key === key);
    if (!listed || (kind === 'rising' && !inEmail))
      missing.push(`phase ${s?.phase.phase ?? '?'} ${kind} ${dimension} ${key}${listed ? ' (not in the alert email)' : ''}`);
  };
  const fresh = (s: SummaryJson | undefined, novelty: string, key: string) => {
    if (!s?.newItems.some((i) => i.novelty === novelty && i.key === key))
      missing.push(`phase ${s?.phase.phase ?? '?'} new ${novelty} ${key}`);
  };
  const [, p2, p3] = summaries;
  trend(p2, 'rising', 'product', 'oxygen_cylinder');
  trend(p2, 'rising', 'concealment', 'split_consignment');
  trend(p3, 'rising', 'origin', 'TR');
  trend(p3, 'rising', 'route', route);
  trend(p3, 'rising', 'concealment', 'split_consignment');
  trend(p3, 'falling', 'product', 'oxygen_cylinder');
  fresh(p3, 'route', route);
  fresh(p3, 'origin', 'TR');
  return missing;
}

function unitsLine(t: Pick<DemoTotals, 'units'>): string {
  const u = t.units;
  return `${n(u.medicine)} medicines + ${n(u.medical_device)} medical devices + ${n(u.vaccine)} vaccine doses = ${n(u.medicine + u.medical_device + u.vaccine)}`;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
