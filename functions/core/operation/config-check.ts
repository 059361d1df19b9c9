/**
 * `seizures config check` and `cdk synth`: every problem of an operation config before it is deployed, each naming
 * its field, all at once (parseOperationConfig stops at the first, and fills defaults where a deploy wants to know).
 *
 * Rules: id; phases numbered 1..n in date order, each a real date range, contiguous (each starts the day after the
 * previous ends) and so never overlapping; Member codes ISO 3166-1 alpha-2, in capitals, unique, and never the test
 * Member XT; languages en, fr or es; NCP, analyst and sender addresses well formed; thresholds known and in range;
 * smokeTests a boolean. The size of the compact Lambda form is a deploy concern: functions/core/contracts/operation-env.ts adds that rule.
 */
import { isIsoDay, addDays } from './days.ts';
import { ALPHA2 } from '../vocabulary/countries.ts';
import { type OperationConfig, parseOperationConfig, type Thresholds } from './config.ts';
import { TEST_MEMBER } from './smoke.ts';

export interface ConfigProblem {
  /** The field, as a path: `phases[1].start`, `members[12].ncpEmail`, `thresholds.trendQ`. */
  readonly field: string;
  readonly message: string;
}

export interface ConfigCheck {
  readonly valid: boolean;
  readonly errors: ConfigProblem[];
  /** What does not stop a deploy but someone should know (a Member without an NCP address gets no alerts). */
  readonly warnings: ConfigProblem[];
  /** The parsed config, when valid. */
  readonly config?: OperationConfig;
}

/** An address SES will take: local@domain.tld, no spaces, brackets or list separators. */
export const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]+$/;
export const LANGUAGES = ['en', 'fr', 'es'] as const;

type Range = { min: number; max: number; minOpen: boolean; maxOpen: boolean; integer?: boolean; why: string };
const share = (why: string): Range => ({ min: 0, max: 1, minOpen: true, maxOpen: true, why });
const atLeastOne = (why: string, max = 1_000_000): Range => ({ min: 1, max, minOpen: false, maxOpen: false, integer: true, why });

/** Each numeric threshold's allowed range: [min, max], open or closed at each end, and whether it is a whole number. */
export const THRESHOLD_RANGES: Readonly<Record<Exclude<keyof Thresholds, 'alarmMethod'>, Range>> = {
  earsAlpha: { min: 0, max: 0.5, minOpen: true, maxOpen: true, why: 'a false-alarm rate' },
  earsMinSigma: { min: 0, max: 100, minOpen: false, maxOpen: false, why: 'a floor on a standard deviation of weekly counts' },
  trendQ: share('a false discovery rate'),
  trendRatio: { min: 1, max: 1000, minOpen: true, maxOpen: false, why: 'a rate ratio above 1' },
  trendMinCount: atLeastOne('a count of cases'),
  outlierScore: { min: 0, max: 100, minOpen: true, maxOpen: false, why: 'a robust z-score' },
  trendMinMembers: atLeastOne('a number of Members', 1000),
  alarmBaselineWeeks: { min: 4, max: 104, minOpen: false, maxOpen: false, integer: true, why: 'weeks of baseline' },
  alarmMinCount: atLeastOne('a weekly count of cases'),
  alarmMinMembers: atLeastOne('a number of Members', 1000),
  alarmQ: share('a false discovery rate'),
  noveltyQ: share('a false discovery rate'),
  noveltyMinLines: atLeastOne('a count of cases'),
  noveltyMinMembers: atLeastOne('a number of Members', 1000),
  newMembersMin: atLeastOne('a number of Members', 1000),
  riskMinMembers: atLeastOne('a number of Members', 1000),
  minCellMembers: atLeastOne('a number of Members', 1000),
  alertEvidence: { min: 0, max: 100, minOpen: false, maxOpen: false, why: 'an evidence score' },
  headlineSignals: atLeastOne('a number of signals', 1000),
};

export const ALARM_METHODS = ['exact', 'ears'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The operation in a config file's JSON: cdk.json's `context.operation`, or the whole file. */
export function operationOfFile(json: unknown): unknown {
  return isObject(json) && isObject(json.context) && 'operation' in json.context ? json.context.operation : json;
}

/** Checks an operation config (the JSON object); never throws. */
export function checkOperationConfig(raw: unknown): ConfigCheck {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });
  if (!isObject(raw)) {
    err('(operation)', 'the operation config must be a JSON object');
    return { valid: false, errors, warnings };
  }

  if (typeof raw.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(raw.id))
    err('id', `must be lower-case letters, digits and dashes, starting with a letter or digit (got ${JSON.stringify(raw.id)})`);
  else if (raw.id.includes('--')) err('id', `must not contain "--" (reserved for the smoke operation of \`seizures smoke\`): ${raw.id}`);
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) err('name', 'must be a non-empty string');

  checkPhases(raw.phases, err);
  checkMembers(raw.members, err, (f, m) => warnings.push({ field: f, message: m }));

  if (raw.analysts !== undefined && !Array.isArray(raw.analysts)) err('analysts', 'must be an array of email addresses');
  else {
    const analysts = (raw.analysts ?? []) as unknown[];
    if (analysts.length === 0)
      warnings.push({ field: 'analysts', message: "no analysts: nobody gets the alarms, the failure emails or the analysts' alerts" });
    analysts.forEach((a, i) => {
      if (typeof a !== 'string' || !EMAIL.test(a)) err(`analysts[${i}]`, `is not an email address: ${JSON.stringify(a)}`);
    });
  }
  if (typeof raw.mailFrom !== 'string' || !EMAIL.test(raw.mailFrom))
    err('mailFrom', `must be the sender's email address, in the domain SES verifies (got ${JSON.stringify(raw.mailFrom)})`);

  if (raw.thresholds !== undefined) {
    if (!isObject(raw.thresholds)) err('thresholds', 'must be an object');
    else {
      for (const [k, v] of Object.entries(raw.thresholds)) {
        if (k === 'alarmMethod') {
          if (!(ALARM_METHODS as readonly unknown[]).includes(v))
            err('thresholds.alarmMethod', `must be one of ${ALARM_METHODS.join(', ')} (got ${JSON.stringify(v)})`);
          continue;
        }
        const r = THRESHOLD_RANGES[k as keyof typeof THRESHOLD_RANGES];
        if (!r) {
          err(`thresholds.${k}`, `is not a threshold (known: alarmMethod, ${Object.keys(THRESHOLD_RANGES).join(', ')})`);
          continue;
        }
        const below = typeof v === 'number' && (r.minOpen ? v <= r.min : v < r.min);
        const above = typeof v === 'number' && (r.maxOpen ? v >= r.max : v > r.max);
        if (typeof v !== 'number' || !Number.isFinite(v) || below || above || (r.integer && !Number.isInteger(v))) {
          err(
            `thresholds.${k}`,
            `must be ${r.integer ? 'a whole number' : 'a number'} in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'} (${r.why}; got ${JSON.stringify(v)})`,
          );
        }
      }
    }
  }
  if (raw.portalUrl !== undefined && (typeof raw.portalUrl !== 'string' || !/^https:\/\/[^\s/]+/.test(raw.portalUrl)))
    err('portalUrl', `must be an https URL (got ${JSON.stringify(raw.portalUrl)})`);
  if (raw.smokeTests !== undefined && typeof raw.smokeTests !== 'boolean')
    err('smokeTests', `must be true or false (got ${JSON.stringify(raw.smokeTests)})`);

  if (errors.length) return { valid: false, errors, warnings };
  // What the rules above accept, the parser accepts: it fills the defaults.
  return { valid: true, errors, warnings, config: parseOperationConfig(raw) };
}

type Report = (field: string, message: string) => void;

function checkPhases(phases: unknown, err: Report): void {
  if (!Array.isArray(phases) || phases.length === 0) {
    err('phases', 'must be a non-empty array of {phase, start, end}');
    return;
  }
  const ok: { i: number; phase: number; start: string; end: string }[] = [];
  phases.forEach((p, i) => {
    if (!isObject(p)) return err(`phases[${i}]`, 'must be an object {phase, start, end}');
    let good = true;
    if (p.phase !== i + 1) {
      err(`phases[${i}].phase`, `must be ${i + 1}: phases are numbered 1, 2, 3... in date order (got ${JSON.stringify(p.phase)})`);
      good = false;
    }
    for (const k of ['start', 'end'] as const) {
      if (!isIsoDay(p[k])) {
        err(
          `phases[${i}].${k}`,
          typeof p[k] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(p[k])
            ? `${p[k]} is not a real date`
            : `must be a date YYYY-MM-DD (got ${JSON.stringify(p[k])})`,
        );
        good = false;
      }
    }
    if (isIsoDay(p.start) && isIsoDay(p.end) && p.start > p.end) {
      err(`phases[${i}].end`, `${p.end} is before the phase's start ${p.start}`);
      good = false;
    }
    if (good) ok.push({ i, phase: p.phase as number, start: p.start as string, end: p.end as string });
  });
  for (let j = 1; j < ok.length; j++) {
    const a = ok[j - 1]!;
    const b = ok[j]!;
    if (b.i !== a.i + 1) continue; // a bad phase between them has been reported
    if (b.start <= a.end)
      err(
        `phases[${b.i}].start`,
        `phase ${b.phase} starts on ${b.start}, before phase ${a.phase} ends (${a.end}): phases must not overlap`,
      );
    else if (b.start !== addDays(a.end, 1))
      err(
        `phases[${b.i}].start`,
        `phase ${b.phase} starts on ${b.start}, not on ${addDays(a.end, 1)}, the day after phase ${a.phase} ends (${a.end}): phases must be contiguous`,
      );
  }
}

function checkMembers(members: unknown, err: Report, warn: Report): void {
  if (!Array.isArray(members) || members.length === 0) {
    err('members', 'must be a non-empty array of Members ({code, name, language, ncpEmail} or a bare code)');
    return;
  }
  const seen = new Map<string, number>();
  members.forEach((m, i) => {
    const mm = typeof m === 'string' ? { code: m } : m;
    if (!isObject(mm)) return err(`members[${i}]`, 'must be an object {code, name, language, ncpEmail} or a code');
    const code = mm.code;
    if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code))
      err(`members[${i}].code`, `must be an ISO 3166-1 alpha-2 code in capitals (got ${JSON.stringify(code)})`);
    else if (code === TEST_MEMBER)
      err(`members[${i}].code`, `${TEST_MEMBER} is reserved for the test Member of \`seizures smoke\` (set "smokeTests": true instead)`);
    else if (!ALPHA2.has(code)) err(`members[${i}].code`, `${code} is not an ISO 3166-1 alpha-2 country code`);
    else if (seen.has(code)) err(`members[${i}].code`, `${code} is listed twice (also members[${seen.get(code)}])`);
    else seen.set(code, i);
    if (mm.language !== undefined && !(LANGUAGES as readonly unknown[]).includes(mm.language)) {
      err(`members[${i}].language`, `must be one of ${LANGUAGES.join(', ')} (got ${JSON.stringify(mm.language)})`);
    }
    if (mm.ncpEmail === undefined) {
      if (typeof m !== 'string')
        warn(`members[${i}].ncpEmail`, `${typeof code === 'string' ? code : 'this Member'} has no NCP address: its NCP gets no alerts`);
    } else if (typeof mm.ncpEmail !== 'string' || !EMAIL.test(mm.ncpEmail)) {
      err(`members[${i}].ncpEmail`, `is not an email address: ${JSON.stringify(mm.ncpEmail)}`);
    }
    if (mm.name !== undefined && typeof mm.name !== 'string') err(`members[${i}].name`, 'must be a string');
  });
}
