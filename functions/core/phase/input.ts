/**
 * The phase close's input and plan: what a run is (operation, phase, mode, as-of date), its label and S3 prefixes, and
 * its slices (one per participating Member: its lines of every phase up to the one closed).
 *
 * - runLabel: `final`, or `interim-{asOf}`; it names the run everywhere (report prefix, work prefix, table items).
 * - prefix: `summaries/{operation}/phase-{n}/{runLabel}/` (the reports; the analysts' version under `analysts/`).
 * - workPrefix: `work/{operation}/phase-{n}/{runLabel}/` (partials, the merged aggregate, the analysis).
 * Participating Members are the Members of the operation config (nil returns included: a Member that reported
 * nothing still took part, and counts in the exposure of the phase-over-phase tests).
 */
import { SUMMARIES_PREFIX } from '../operation/layout.ts';
import type { OperationConfig, Phase } from '../operation/config.ts';
import { isIsoDay } from '../operation/days.ts';

export type Mode = 'final' | 'interim';

/** The execution input of the phase-close workflow. */
export interface PhaseCloseInput {
  readonly operation: string;
  readonly phase: number;
  readonly mode: Mode;
  /** YYYY-MM-DD. Interim: lines with seizure_date <= asOf are counted. Final: the day of the close (informative). */
  readonly asOf: string;
}

export interface Slice {
  readonly member: string;
  readonly phase: number;
}

export interface PhasePlan {
  readonly runLabel: string;
  readonly prefix: string;
  readonly workPrefix: string;
  readonly slices: Slice[];
}

/** The input names an unknown operation or phase, or is malformed. Not worth retrying. */
export class PhaseCloseInputError extends Error {
  override readonly name = 'PhaseCloseInputError';
}

/** The input checked against the operation; throws PhaseCloseInputError naming every problem found. */
export function validateInput(raw: unknown, config: OperationConfig): PhaseCloseInput {
  const problems: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new PhaseCloseInputError('phase close input: expected an object {operation, phase, mode, asOf}');
  const o = raw as Record<string, unknown>;
  if (o.operation !== config.id) problems.push(`unknown operation ${JSON.stringify(o.operation)} (this deployment runs "${config.id}")`);
  const phase = config.phases.find((p) => p.phase === o.phase);
  if (!phase) problems.push(`unknown phase ${JSON.stringify(o.phase)} (phases: ${config.phases.map((p) => p.phase).join(', ')})`);
  if (o.mode !== 'final' && o.mode !== 'interim') problems.push(`mode must be "final" or "interim", not ${JSON.stringify(o.mode)}`);
  if (!isIsoDay(o.asOf)) problems.push(`asOf must be a date YYYY-MM-DD, not ${JSON.stringify(o.asOf)}`);
  else if (phase && o.mode === 'interim' && (o.asOf as string) < phase.start) {
    problems.push(`an interim run of phase ${phase.phase} needs asOf on or after the phase's start (${phase.start}), not ${o.asOf}`);
  }
  if (problems.length) throw new PhaseCloseInputError(`phase close input: ${problems.join('; ')}`);
  return { operation: o.operation as string, phase: o.phase as number, mode: o.mode as Mode, asOf: o.asOf as string };
}

export function phaseOfInput(config: OperationConfig, input: Pick<PhaseCloseInput, 'phase'>): Phase {
  const p = config.phases.find((x) => x.phase === input.phase);
  if (!p) throw new PhaseCloseInputError(`unknown phase ${input.phase}`);
  return p;
}

export const runLabelOf = (input: Pick<PhaseCloseInput, 'mode' | 'asOf'>): string =>
  input.mode === 'final' ? 'final' : `interim-${input.asOf}`;

export const reportPrefix = (input: PhaseCloseInput): string =>
  `${SUMMARIES_PREFIX}${input.operation}/phase-${input.phase}/${runLabelOf(input)}/`;

export const workPrefixOf = (input: PhaseCloseInput): string => `work/${input.operation}/phase-${input.phase}/${runLabelOf(input)}/`;

/** The phases a run reads: every phase up to the one closed (earlier ones give the comparisons and first appearances). */
export function phasesThrough(config: OperationConfig, phase: number): Phase[] {
  const current = phaseOfInput(config, { phase });
  return config.phases.filter((p) => p.start <= current.start);
}

/**
 * The plan: label, prefixes and one slice per Member, of the closed phase. Its slice also reads the Member's earlier
 * phases (for the cumulative cases) and aggregates them too, so every line is read once (merge.ts aggregateSlice).
 */
export function planRun(raw: unknown, config: OperationConfig): PhasePlan {
  const input = validateInput(raw, config);
  const slices = config.members.map((m) => ({ member: m.code, phase: input.phase }));
  return { runLabel: runLabelOf(input), prefix: reportPrefix(input), workPrefix: workPrefixOf(input), slices };
}

/** The checks a step makes on the prefix it was handed: it must be this run's, so a step never writes elsewhere. */
export function checkPrefix(input: PhaseCloseInput, what: 'prefix' | 'workPrefix', given: unknown): string {
  const want = what === 'prefix' ? reportPrefix(input) : workPrefixOf(input);
  if (given !== want) throw new PhaseCloseInputError(`${what} ${JSON.stringify(given)} is not this run's (${want})`);
  return want;
}
