/**
 * Exposure from who reported: the rates behind every trend, alarm and novelty test are per reporting Member-week.
 * A phase's reporters are the Members that submitted anything for it: a file with lines, or a nil return ("nothing
 * to report this phase", aggregate `nilReturns`), never the configured list (160 configured, 90 reporting in STOP II).
 *
 * - phase exposure = reporters x (days counted in the phase / 7);
 * - week exposure = sum over the phases the week overlaps of reporters x (days of the week in the phase, up to the
 *   last day counted) / 7: the operation's partial first week (and a phase's partial last week) count by their days.
 */
import type { OperationConfig, Phase } from '../operation/config.ts';
import { addDays } from '../operation/days.ts';
import { weeksIn } from '../trends/index.ts';
import { weekOf, type AggregateJson, type PhaseAggJson } from './aggregate.ts';
import type { PhaseCloseInput } from './input.ts';

/** The days of a phase a run counts: all of it, or up to asOf for an interim run. */
export function countedDays(phase: Phase, input: PhaseCloseInput): { start: string; end: string } {
  const end = input.mode === 'interim' && input.asOf < phase.end ? input.asOf : phase.end;
  // biome-ignore lint/complexity/useMathMinMax: ISO days compare as strings; Math.max would give NaN.
  return { start: phase.start, end: end < phase.start ? phase.start : end };
}

/** The Members that reported for a phase (lines or a nil return), sorted. */
export function reportersOf(p: Pick<PhaseAggJson, 'members' | 'nilReturns'>): string[] {
  return [...new Set([...p.members, ...(p.nilReturns ?? [])])].sort();
}

/** Reporting Member-weeks of a phase as counted by the run. */
export function phaseExposure(p: PhaseAggJson, phase: Phase, input: PhaseCloseInput): number {
  return reportersOf(p).length * weeksIn(countedDays(phase, input));
}

const DAY_MS = 86_400_000;
const dayNo = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY_MS;

/** Exposure of each week from `first` to `last` (Mondays), as defined in the module comment. */
export function weekExposures(
  agg: AggregateJson,
  phases: readonly Phase[],
  input: PhaseCloseInput,
  first: string,
  last: string,
): { week: string; exposure: number }[] {
  const spans = phases.map((ph) => {
    const a = agg.phases.find((x) => x.phase === ph.phase);
    const days = countedDays(ph, input);
    return { from: dayNo(days.start), to: dayNo(days.end), reporters: a ? reportersOf(a).length : 0 };
  });
  const out: { week: string; exposure: number }[] = [];
  for (let w = first; w <= last; w = addDays(w, 7)) {
    const s = dayNo(w);
    let e = 0;
    for (const sp of spans) {
      const overlap = Math.min(s + 6, sp.to) - Math.max(s, sp.from) + 1;
      if (overlap > 0) e += (sp.reporters * overlap) / 7;
    }
    out.push({ week: w, exposure: e });
  }
  return out;
}

/** The reporters of the phases a week overlaps. */
export function weekReporters(agg: AggregateJson, phases: readonly Phase[], week: string): Set<string> {
  const out = new Set<string>();
  const end = addDays(week, 6);
  for (const ph of phases) {
    if (ph.end < week || ph.start > end) continue;
    const a = agg.phases.find((x) => x.phase === ph.phase);
    if (a) for (const m of reportersOf(a)) out.add(m);
  }
  return out;
}

/** The first Monday of the operation (the week its first phase starts in). */
export const firstWeekOf = (config: OperationConfig): string => weekOf(config.phases[0]!.start);
