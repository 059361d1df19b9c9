/**
 * Smoke runs (`seizures smoke`): a temporary test Member, XT, proves a deployment end to end without touching the
 * operation's own figures. XT is never a Member of the operation; it is accepted only when the deployment's config
 * says `smokeTests: true`, and then only as the one Member of a separate *smoke operation*:
 *
 * - id `{operation id}--smoke` (a double dash, which no config id produced by hand is likely to hold), so its summary
 *   item (`SUMMARY#{id}--smoke`), its reports (`summaries/{id}--smoke/...`), its work files and its sent-alert
 *   markers live apart from the operation's, and `seizures summary` never lists them with the operation's;
 * - one test phase, phase 1, from 1 January of the year before the reference day to 31 December of its year: the
 *   reference day is the upload's day at ingest and the run's asOf at the phase close, so both agree on the phase of
 *   a line dated in the last weeks (across New Year too);
 * - Member XT, whose NCP address is SES's mailbox simulator (accepted even in the SES sandbox, never a person).
 *
 * XT's seizure lines are stored like any Member's (keys CASE#XT#..., byPhase PHASE#1#XT): the operation's own phase
 * close plans slices only for the operation's Members, so it never reads them.
 */
import type { OperationConfig } from './config.ts';

/** The test Member: ISO 3166 leaves XA-XZ to users, and no operation has XT. */
export const TEST_MEMBER = 'XT';
/** SES mailbox simulator: accepts and discards, also from the sandbox; the local SES emulator stores it. */
export const SMOKE_RECIPIENT = 'success@simulator.amazonses.com';
export const SMOKE_ID_SUFFIX = '--smoke';

export const smokeOperationId = (operation: Pick<OperationConfig, 'id'>): string => `${operation.id}${SMOKE_ID_SUFFIX}`;

/** What the smoke operation changes in the deployment's thresholds (a single test Member's news must alert). */
export const SMOKE_THRESHOLDS = {
  noveltyQ: 0.999,
  noveltyMinLines: 1,
  noveltyMinMembers: 1,
  newMembersMin: 1,
  minCellMembers: 1,
  riskMinMembers: 1,
  alertEvidence: 0,
} as const;

/** The smoke operation of a deployment's config, for a reference day (YYYY-MM-DD). */
export function smokeOperation(config: OperationConfig, day: string): OperationConfig {
  const year = Number(day.slice(0, 4));
  return {
    id: smokeOperationId(config),
    name: `${config.name} (smoke test)`,
    phases: [{ phase: 1, start: `${year - 1}-01-01`, end: `${year}-12-31` }],
    members: [{ code: TEST_MEMBER, name: 'Test Member (smoke runs)', language: 'en', ncpEmail: SMOKE_RECIPIENT }],
    analysts: [],
    mailFrom: config.mailFrom,
    // One test Member's five first seizures must make a signal, or the run sends no alert to check: the evidence
    // rules meant for 160 Members (several Members, several cases, small-cell merging) are relaxed here only.
    thresholds: { ...config.thresholds, ...SMOKE_THRESHOLDS },
    smokeTests: true,
  };
}

/** The config an upload of `member` is validated and stored under: the smoke operation for XT when enabled. */
export function configForUpload(config: OperationConfig, member: string, day: string): OperationConfig {
  return config.smokeTests && member === TEST_MEMBER ? smokeOperation(config, day) : config;
}

/**
 * The config a phase-close step runs under, from its event (the execution input itself, or `{input: ...}`): the smoke
 * operation when the input names it and smoke tests are enabled; otherwise the deployment's own (which then refuses
 * the unknown operation as before).
 */
export function configForRun(config: OperationConfig, event: unknown): OperationConfig {
  if (!config.smokeTests || !event || typeof event !== 'object') return config;
  const e = event as { operation?: unknown; asOf?: unknown; input?: { operation?: unknown; asOf?: unknown } };
  const input = typeof e.input === 'object' && e.input !== null ? e.input : e;
  if (input.operation !== smokeOperationId(config)) return config;
  const day = typeof input.asOf === 'string' && /^\d{4}-/.test(input.asOf) ? input.asOf : new Date().toISOString();
  return smokeOperation(config, day.slice(0, 10));
}
