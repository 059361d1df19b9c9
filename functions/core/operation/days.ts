/**
 * Calendar days as the pipeline writes them everywhere: `YYYY-MM-DD`, in UTC. One place for checking, shifting and
 * counting them, so the CLI, the phase close, the demo and ingestion agree on what a day is.
 */

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** A real calendar day written YYYY-MM-DD (2021-02-30 is not one). */
export function isIsoDay(s: unknown): s is string {
  if (typeof s !== 'string' || !ISO_DAY.test(s)) return false;
  const t = dayStart(s);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** The day `n` days after `day` (before, when n < 0). */
export const addDays = (day: string, n: number): string => new Date(dayStart(day) + n * DAY_MS).toISOString().slice(0, 10);

/** Days from `start` to `end`, both included. */
export const daysIn = (p: { readonly start: string; readonly end: string }): number => (dayStart(p.end) - dayStart(p.start)) / DAY_MS + 1;

/** The UTC day of a timestamp, or undefined when it is not one. */
export function dayOf(timestamp: string): string | undefined {
  const t = new Date(timestamp);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString().slice(0, 10);
}
