/**
 * Risk indicators: seizure profiles (origin x transport mode x concealment x product, the `profile` dimension)
 * ranked by a score that grows with how many lines there are, how fast they grew since the previous phase, and
 * how many Members see them:
 *
 *   score = log2(1 + lines) x (1 + max(0, log2 RR)) x sqrt(members)
 *   RR    = ((lines + 0.5) / E) / ((previousLines + 0.5) / E_previous)
 *
 * lines and members are the current phase's; E = weeks x participating Members of a phase (as in rate-ratio.ts);
 * the +0.5 keeps RR finite for a profile absent from the previous phase. Only growth raises the score (a falling
 * profile keeps factor 1). Without a previous phase (phase 1) the growth factor is 1 and RR is undefined.
 * The logarithm damps sheer volume, so a widespread or fast-growing profile can outrank a merely large one.
 * Ties go to more lines, then more Members, then the key in code-point order: the ranking is deterministic.
 *
 * For the reports (analyse.ts passes these options): `minMembers` keeps only profiles seen by at least that many
 * Members, and `byLowerBound` ranks by the lower bound of the exact 95% interval of the rate ratio against the
 * previous phase (a profile must have grown surely, not just by a lucky few lines); without a previous phase the
 * score above still ranks. Every profile with a previous phase carries its interval.
 */
import { rateRatioInterval } from './exact.ts';
import { compositeKey, memberCount, splitKey, type PhaseAggregate } from './types.ts';

export interface RiskProfile {
  readonly rank: number;
  /** compositeKey(origin, transport_mode, concealment, product). */
  readonly key: string;
  readonly origin: string;
  readonly transport_mode: string;
  readonly concealment: string;
  readonly product: string;
  /** Evidence: the current phase's lines and Members, the previous phase's lines, the growth, the score. */
  readonly lines: number;
  readonly members: number;
  readonly previousLines: number | undefined;
  readonly rateRatio: number | undefined;
  readonly score: number;
  /** Exact 95% interval of the rate ratio against the previous phase (high null when infinite); absent without one. */
  readonly ratioLow?: number;
  readonly ratioHigh?: number | null;
}

export interface RiskOptions {
  /** Profiles seen by fewer Members are left out. @default 1 */
  readonly minMembers?: number;
  /** Rank by the lower bound of the rate ratio's interval (when there is a previous phase). @default false */
  readonly byLowerBound?: boolean;
  /** Keep the first `top` profiles. @default all */
  readonly top?: number;
}

function exposure(p: PhaseAggregate): number {
  const e = p.weeks * p.participatingMembers;
  if (!(e > 0) || !Number.isFinite(e)) throw new RangeError(`phase ${p.phase}: exposure (weeks x participating Members) must be > 0`);
  return e;
}

/** The score of the module comment, from its figures; rateRatio undefined means no previous phase. */
export function riskScore(lines: number, members: number, rateRatio: number | undefined): number {
  const growth = rateRatio === undefined ? 1 : 1 + Math.max(0, Math.log2(rateRatio));
  return Math.log2(1 + lines) * growth * Math.sqrt(members);
}

/** Ranks the current phase's profiles (those with at least one line), best first. */
export function rankRiskProfiles(current: PhaseAggregate, previous?: PhaseAggregate, options: RiskOptions = {}): RiskProfile[] {
  const now = current.counts.profile ?? new Map();
  // A phase with no line yet (an interim before any upload) has no profile to rank, and no exposure to rank it by.
  if (now.size === 0) return [];
  const before = previous?.counts.profile;
  const e = exposure(current);
  const ePrev = previous ? exposure(previous) : undefined;
  const rows = [...now]
    .filter(([, c]) => c.lines > 0 && memberCount(c.members) >= (options.minMembers ?? 1))
    .map(([key, c]) => {
      const parts = splitKey(key);
      if (parts.length !== 4)
        throw new RangeError(`rankRiskProfiles: profile key ${key} must have 4 parts (origin, transport mode, concealment, product)`);
      const [origin, transport_mode, concealment, product] = parts as [string, string, string, string];
      const previousLines = previous ? (before?.get(key)?.lines ?? 0) : undefined;
      const rateRatio = previousLines === undefined ? undefined : (c.lines + 0.5) / e / ((previousLines + 0.5) / ePrev!);
      const members = memberCount(c.members);
      const ci = previousLines === undefined ? undefined : rateRatioInterval(c.lines, e, previousLines, ePrev!);
      return {
        key: compositeKey(origin, transport_mode, concealment, product),
        origin,
        transport_mode,
        concealment,
        product,
        lines: c.lines,
        members,
        previousLines,
        rateRatio,
        score: riskScore(c.lines, members, rateRatio),
        ...(ci ? { ratioLow: ci.low, ratioHigh: Number.isFinite(ci.high) ? ci.high : null } : {}),
      };
    });
  const byLow = options.byLowerBound && previous !== undefined;
  rows.sort(
    (a, b) =>
      (byLow ? (b.ratioLow ?? 0) - (a.ratioLow ?? 0) : 0) ||
      b.score - a.score ||
      b.lines - a.lines ||
      b.members - a.members ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const kept = options.top === undefined ? rows : rows.slice(0, options.top);
  return kept.map((r, i) => ({ rank: i + 1, ...r }));
}
