/**
 * The operation config (id, phases, Members, contacts, thresholds). One source: the `operation` key of cdk.json's
 * context, read alike by CDK, the CLI and the local cloud; `--config FILE` points the CLI at another operation.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isIsoDay } from './days.ts';
import type { Lang } from '../vocabulary/lang.ts';

export type { Lang };

export interface Phase {
  readonly phase: number;
  /** First day, YYYY-MM-DD, inclusive. */
  readonly start: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  readonly end: string;
}

export interface MemberConfig {
  /** ISO 3166-1 alpha-2. */
  readonly code: string;
  readonly name?: string;
  /** Language of the Member's feedback when the file does not tell. @default 'en' */
  readonly language?: Lang;
  /** The National Contact Point's address for alerts. */
  readonly ncpEmail?: string;
}

export interface Thresholds {
  /** EARS false-alarm rate. @default 0.001 */
  readonly earsAlpha: number;
  /** Floor on the EARS standard deviation for sparse series. @default 0.5 */
  readonly earsMinSigma: number;
  /** FDR level for the phase-over-phase tests. @default 0.05 */
  readonly trendQ: number;
  /** Rate ratio flagged as rising (1/x as falling). @default 2 */
  readonly trendRatio: number;
  /** Smallest count for a flagged trend. @default 5 */
  readonly trendMinCount: number;
  /** Robust z-score above which a seizure is an outlier. @default 3.5 */
  readonly outlierScore: number;
  /** Members needed on the higher side of a flagged trend. @default 3 */
  readonly trendMinMembers: number;
  /**
   * Weekly alarms: 'exact' (the week against its baseline, exact conditional Poisson test, one-sided mid-p, BH across
   * the series tested that week) or 'ears' (EARS C1/C2 as `seizures trends weekly` computes them). @default 'exact'
   */
  readonly alarmMethod: 'exact' | 'ears';
  /** Baseline weeks of the exact weekly test (fewer at the start of the operation, at least 4). @default 12 */
  readonly alarmBaselineWeeks: number;
  /** Smallest weekly count tested. @default 3 */
  readonly alarmMinCount: number;
  /** Members needed in the week for an alarm. @default 2 */
  readonly alarmMinMembers: number;
  /** BH level across the series tested in one week. @default 0.001 */
  readonly alarmQ: number;
  /** BH level of the novelty tests (rise from zero; several new Members) across the window's candidates. @default 0.01 */
  readonly noveltyQ: number;
  /** Smallest number of lines of a flagged new item. @default 3 */
  readonly noveltyMinLines: number;
  /** Members needed for a flagged new route, origin, transit country or concealment. @default 2 */
  readonly noveltyMinMembers: number;
  /** Smallest number of Members new to a product at once for a flagged "several new Members". @default 3 */
  readonly newMembersMin: number;
  /** Members needed for a risk profile to be ranked. @default 2 */
  readonly riskMinMembers: number;
  /** Small cells: NCP material merges cells from fewer Members into "other". @default 3 */
  readonly minCellMembers: number;
  /** Evidence score (see phase/README.md) a signal needs to send an interim alert. @default 2 */
  readonly alertEvidence: number;
  /** Signals stated as headlines at the top of a report or email. @default 10 */
  readonly headlineSignals: number;
}

export interface OperationConfig {
  readonly id: string;
  readonly name: string;
  readonly phases: readonly Phase[];
  readonly members: readonly MemberConfig[];
  /** Analysts' addresses: they get every alert and the failure emails. */
  readonly analysts: readonly string[];
  /** Sender of the alert emails. */
  readonly mailFrom: string;
  readonly thresholds: Thresholds;
  /**
   * Whether `seizures smoke` may run against this deployment: the test Member XT (functions/core/operation/smoke.ts) is then
   * accepted for uploads and smoke phase closes. Never a Member of the operation itself. @default false
   */
  readonly smokeTests?: boolean;
  /**
   * The portal's https base URL (no trailing slash), e.g. a custom domain: the alert emails link to its pages
   * (`{portalUrl}/summaries/{phase}/{runLabel}?lang=..`, functions/core/phase/links.ts). @default the stack's CloudFront
   * distribution (`https://{distributionDomainName}`); locally, the local portal
   */
  readonly portalUrl?: string;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  earsAlpha: 0.001,
  earsMinSigma: 0.5,
  trendQ: 0.05,
  trendRatio: 2,
  trendMinCount: 5,
  outlierScore: 3.5,
  trendMinMembers: 3,
  alarmMethod: 'exact',
  alarmBaselineWeeks: 12,
  alarmMinCount: 3,
  alarmMinMembers: 2,
  alarmQ: 0.001,
  noveltyQ: 0.01,
  noveltyMinLines: 3,
  noveltyMinMembers: 2,
  newMembersMin: 3,
  riskMinMembers: 2,
  minCellMembers: 3,
  alertEvidence: 2,
  headlineSignals: 10,
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Checks a parsed config and fills defaults; every problem is named, so a bad cdk.json fails at start, not mid-ingest. */
export function parseOperationConfig(raw: unknown, origin = 'operation config'): OperationConfig {
  const fail = (msg: string): never => {
    throw new ConfigError(`${origin}: ${msg}`);
  };
  if (!raw || typeof raw !== 'object') fail('expected an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(o.id)) fail('"id" must be lower-case letters, digits and dashes');
  if (!Array.isArray(o.phases) || o.phases.length === 0) fail('"phases" must be a non-empty array');
  const phases = (o.phases as unknown[]).map((p, i) => {
    const ph = p as Record<string, unknown>;
    if (!Number.isInteger(ph.phase)) fail(`phases[${i}].phase must be an integer`);
    for (const k of ['start', 'end'] as const) {
      if (!isIsoDay(ph[k])) fail(`phases[${i}].${k} must be YYYY-MM-DD`);
    }
    if ((ph.start as string) > (ph.end as string)) fail(`phases[${i}] ends before it starts`);
    return { phase: ph.phase as number, start: ph.start as string, end: ph.end as string };
  });
  const sorted = [...phases].sort((a, b) => a.start.localeCompare(b.start));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start <= sorted[i - 1]!.end) fail(`phases ${sorted[i - 1]!.phase} and ${sorted[i]!.phase} overlap`);
  }
  if (new Set(phases.map((p) => p.phase)).size !== phases.length) fail('phase numbers must be unique');
  const members = (Array.isArray(o.members) ? o.members : fail('"members" must be an array')) as unknown[];
  const seen = new Set<string>();
  const parsedMembers = members.map((m, i): MemberConfig => {
    const mm = (typeof m === 'string' ? { code: m } : m) as Record<string, unknown>;
    if (typeof mm.code !== 'string' || !/^[A-Z]{2}$/.test(mm.code)) fail(`members[${i}].code must be an ISO alpha-2 code in capitals`);
    if (seen.has(mm.code as string)) fail(`member ${mm.code} is listed twice`);
    seen.add(mm.code as string);
    if (mm.language !== undefined && !['en', 'fr', 'es'].includes(mm.language as string))
      fail(`members[${i}].language must be en, fr or es`);
    return {
      code: mm.code as string,
      ...(typeof mm.name === 'string' ? { name: mm.name } : {}),
      ...(mm.language ? { language: mm.language as Lang } : {}),
      ...(typeof mm.ncpEmail === 'string' ? { ncpEmail: mm.ncpEmail } : {}),
    };
  });
  if (o.smokeTests !== undefined && typeof o.smokeTests !== 'boolean') fail('"smokeTests" must be true or false');
  const thresholds = { ...DEFAULT_THRESHOLDS, ...((o.thresholds as Partial<Thresholds>) ?? {}) };
  if (thresholds.alarmMethod !== 'exact' && thresholds.alarmMethod !== 'ears') fail('thresholds.alarmMethod must be "exact" or "ears"');
  for (const [k, v] of Object.entries(thresholds))
    if (k !== 'alarmMethod' && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) fail(`thresholds.${k} must be a number >= 0`);
  if (o.portalUrl !== undefined && (typeof o.portalUrl !== 'string' || !/^https:\/\/[^\s/]+/.test(o.portalUrl)))
    fail('"portalUrl" must be an https URL');
  return {
    id: o.id as string,
    name: typeof o.name === 'string' ? o.name : (o.id as string),
    phases: sorted,
    members: parsedMembers,
    analysts: Array.isArray(o.analysts) ? (o.analysts as string[]) : [],
    mailFrom: typeof o.mailFrom === 'string' ? o.mailFrom : 'noreply@example.org',
    thresholds,
    ...(o.smokeTests === true ? { smokeTests: true } : {}),
    ...(typeof o.portalUrl === 'string' ? { portalUrl: o.portalUrl.replace(/\/+$/, '') } : {}),
  };
}

/** The project root: where cdk.json lives. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Reads the operation from a config file: cdk.json (its context.operation) or a JSON file holding the operation itself. */
export function loadOperationConfig(file = resolve(PROJECT_ROOT, 'cdk.json')): OperationConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read operation config ${file}: ${(e as Error).message}`);
  }
  const ctx = (json as { context?: { operation?: unknown } }).context;
  return parseOperationConfig(ctx?.operation ?? json, file);
}

/** The phase a date (YYYY-MM-DD) falls in, or undefined. */
export function phaseOf(config: OperationConfig, day: string): Phase | undefined {
  return config.phases.find((p) => p.start <= day && day <= p.end);
}
