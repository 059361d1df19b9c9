/** Randomness and whole-number arithmetic of the demo and of the signal bench's scenarios. */
// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, a small seeded PRNG, so the same seed gives the same operation on every machine.

export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** A key drawn with probability proportional to its weight. */
  weighted<T extends string>(w: Readonly<Partial<Record<T, number>>>): T {
    const entries = Object.entries(w) as Array<[T, number]>;
    const total = entries.reduce((a, [, x]) => a + x, 0);
    let u = this.next() * total;
    for (const [k, x] of entries) if ((u -= x) < 0) return k;
    return entries[entries.length - 1]![0];
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

/**
 * Splits `total` into whole numbers proportional to `weights`, each at least `min` (largest remainders, ties to the
 * lower index), so the parts add up to `total` exactly.
 */
export function apportion(total: number, weights: readonly number[], min = 0): number[] {
  const n = weights.length;
  if (total < min * n) throw new RangeError(`apportion: ${total} cannot give ${n} parts at least ${min} each`);
  const free = total - min * n;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (free * w) / sum : free / n));
  const parts = exact.map((x) => Math.floor(x));
  let left = free - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) parts[order[k]![1]]! += 1;
  return parts.map((p) => p + min);
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const round2 = (x: number) => Math.round(x * 100) / 100;
