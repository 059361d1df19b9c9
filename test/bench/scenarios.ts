/**
 * Random operations for measuring the signals (not the demo's story): from a seed, an operation of three phases of
 * 8 to 16 weeks, 40 to 80 reporting Members of log-normal activity, a Poisson background of cases (a case has
 * 1 + Poisson(0.7) lines, half of them all of one product: Members' lines come clustered in cases), each Member with
 * its own 1 to 3 routes, and planted changes of each kind at chosen sizes:
 * - rise: a product's rate x size in one phase (2 or 3): Poisson extra cases, each as many lines as one of the
 *   product's background cases, so the change is size x in cases and in lines, at `members` to 3 x `members` Members;
 * - fall: a product's rate / size in one phase (2 or 3) (its cases kept with probability 1 / size, all their lines
 *   of the product with them);
 * - burst: one week of a product at size x its weekly rate (Poisson extra cases, as for a rise);
 * - new_route: a route from a new origin through a new transit country in phase 2 or 3, `expected` lines at
 *   `members` Members.
 * `expected` is the number of lines expected without the change in the changed window (rise, fall, burst), or the
 * planted lines (new_route). Products are drawn so that their background rate gives that expectation.
 */
import { parseOperationConfig, type OperationConfig, type Phase } from '../../functions/core/operation/config.ts';
import { addDays } from '../../functions/core/operation/days.ts';
import { ALPHA2 } from '../../functions/core/vocabulary/countries.ts';
import type { SeizureRecord } from '../../functions/core/vocabulary/record.ts';
import { categoryOfProduct, PRODUCTS_BY_CATEGORY } from '../../functions/core/vocabulary/vocab.ts';
import { Rng } from '../../bin/demo/rng.ts';

export type PlantKind = 'rise' | 'fall' | 'burst' | 'new_route';

export interface Plant {
  readonly kind: PlantKind;
  /** rise/fall/burst: rate multiplier (fall: divisor); new_route: 1. */
  readonly size: number;
  /** Lines expected without the change in the window (rise/fall/burst), or planted (new_route). */
  readonly expected: number;
  /** Members the change is spread over (at least). */
  readonly members: number;
}

export interface Planted extends Plant {
  readonly phase: number;
  readonly product?: string;
  /** burst: the week (Monday). */
  readonly week?: string;
  readonly route?: string;
  readonly origin?: string;
  readonly transit?: string;
  /** Lines actually added (rise, burst, new_route) or removed (fall). */
  readonly lines: number;
}

export interface Scenario {
  readonly config: OperationConfig;
  readonly lines: SeizureRecord[];
  readonly planted: Planted[];
}

const PRODUCTS = [...PRODUCTS_BY_CATEGORY.medicine, ...PRODUCTS_BY_CATEGORY.medical_device, ...PRODUCTS_BY_CATEGORY.vaccine];
const ORIGINS = ['CN', 'IN', 'HK', 'AE', 'SG', 'US', 'MY', 'PK', 'BD', 'VN', 'TH', 'ID'];
const HUBS = ['AE', 'HK', 'SG', 'NL', 'BE', 'QA'];
const NEW_ORIGINS = ['TR', 'EG', 'MA', 'KZ'];
const NEW_HUBS = ['BG', 'RS', 'GE', 'AZ'];
const MODES = ['express_courier', 'postal', 'air_cargo', 'sea', 'road'];
const CONCEALMENTS = ['none', 'misdescribed', 'undervalued', 'mixed_with_legitimate'];

/** How many lines of `product` each case holding it has: the case sizes a plant of that product copies. */
function caseSizesOf(lines: readonly SeizureRecord[], product: string): number[] {
  const perCase = new Map<string, number>();
  for (const l of lines) {
    if (l.product !== product) continue;
    const k = `${l.reporting_member}\u0000${l.case_ref}`;
    perCase.set(k, (perCase.get(k) ?? 0) + 1);
  }
  return [...perCase.values()];
}

function poisson(rng: Rng, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > l; p *= rng.next()) k++;
  return k;
}

/** A random operation with the given plants (none: a quiet run). */
export function scenario(seed: number, plants: readonly Plant[] = []): Scenario {
  const rng = new Rng(seed);
  const start = addDays('2021-05-03', 7 * rng.int(20) + rng.int(7)); // may start mid-week: a partial first week
  const phases: Phase[] = [];
  let s = start;
  for (let p = 1; p <= 3; p++) {
    const days = 7 * (8 + rng.int(9)) - rng.int(3);
    phases.push({ phase: p, start: s, end: addDays(s, days - 1) });
    s = addDays(s, days);
  }
  const pool = [...ALPHA2]
    .filter((c) => !ORIGINS.includes(c) && !NEW_ORIGINS.includes(c) && !NEW_HUBS.includes(c) && !HUBS.includes(c))
    .sort();
  const nMembers = 40 + rng.int(41);
  const codes = rng.shuffle(pool).slice(0, nMembers).sort();
  const config = parseOperationConfig({ id: 'bench', name: 'Bench operation', phases, members: codes.map((code) => ({ code })) });
  const weight = new Map(codes.map((c) => [c, Math.exp(0.8 * rng.normal() - 0.32)]));
  const totalWeight = [...weight.values()].reduce((a, b) => a + b, 0);
  // Product popularity: Zipf-like, so a few are common and many rare.
  const products = rng.shuffle(PRODUCTS);
  const pop = new Map(products.map((p, i) => [p, 1 / (i + 1) ** 0.9]));
  const popSum = [...pop.values()].reduce((a, b) => a + b, 0);
  const routesOf = new Map(
    codes.map((m) => {
      const n = 1 + rng.int(3);
      return [
        m,
        Array.from({ length: n }, () => {
          const o = rng.pick(ORIGINS);
          return rng.next() < 0.25 ? [o, rng.pick(HUBS.filter((h) => h !== o))] : [o];
        }),
      ];
    }),
  );
  const concOf = new Map(products.map((p) => [p, rng.shuffle(CONCEALMENTS).slice(0, 1 + rng.int(3))]));
  const casesPerMemberWeek = 0.9; // about 1.5 lines per Member-week at 1 + Poisson(0.7) lines a case

  const lines: SeizureRecord[] = [];
  let caseNo = 0;
  const phaseOf = (day: string) => phases.find((p) => p.start <= day && day <= p.end)!;
  const addCase = (member: string, day: string, productOf: () => string, nLines: number, route?: string[], tag?: string) => {
    caseNo++;
    const r = route ?? rng.pick(routesOf.get(member)!);
    const mode = route ? 'road' : rng.pick(MODES);
    for (let l = 1; l <= nLines; l++) {
      const product = productOf();
      lines.push({
        reporting_member: member,
        case_ref: `${tag ?? 'C'}${String(caseNo).padStart(6, '0')}`,
        line_no: l,
        seizure_date: day,
        phase: phaseOf(day).phase,
        category: categoryOfProduct(product)!,
        product,
        quantity: Math.max(1, Math.round(100 * Math.exp(1.2 * rng.normal()))),
        unit: 'pieces',
        origin_country: r[0]!,
        departure_country: r[0]!,
        ...(r.length > 1 ? { transit_countries: r.slice(1) } : {}),
        destination_country: member,
        transport_mode: mode,
        concealment_method: rng.pick(concOf.get(product) ?? CONCEALMENTS),
        infringement_type: 'falsified',
        source: { file: `${member}.xlsx`, sheet: 'Seizures', row: lines.length + 2 },
      });
    }
  };
  const drawProduct = () => {
    let u = rng.next() * popSum;
    for (const [p, w] of pop) if ((u -= w) < 0) return p;
    return products[0]!;
  };

  // Background: each Member's cases per day of the operation, Poisson at its weight.
  const end = phases[2]!.end;
  for (const m of codes) {
    const perDay = (casesPerMemberWeek * weight.get(m)! * nMembers) / totalWeight / 7;
    for (let d = start; d <= end; d = addDays(d, 1)) {
      const k = poisson(rng, perDay);
      for (let c = 0; c < k; c++) {
        const n = 1 + poisson(rng, 0.7);
        const same = rng.next() < 0.5 ? drawProduct() : undefined;
        addCase(m, d, () => same ?? drawProduct(), n);
      }
    }
  }
  const linesPerCase = 1.7;
  const rateOf = (p: string) => (casesPerMemberWeek * linesPerCase * pop.get(p)!) / popSum; // lines per Member-week

  // Plants.
  const planted: Planted[] = [];
  const used = new Set<string>();
  const daysOf = (p: Phase) => Math.round((Date.parse(p.end) - Date.parse(p.start)) / 86_400_000) + 1;
  const spreadOver = (k: number) => rng.shuffle(codes).slice(0, Math.max(k, 1));
  for (const plant of plants) {
    const ph = phases[1 + rng.int(2)]!;
    if (plant.kind === 'new_route') {
      const origin = NEW_ORIGINS[planted.filter((x) => x.kind === 'new_route').length % NEW_ORIGINS.length]!;
      const hub = NEW_HUBS[planted.filter((x) => x.kind === 'new_route').length % NEW_HUBS.length]!;
      const at = spreadOver(plant.members);
      const product = rng.pick(products.slice(0, 10));
      const from = addDays(ph.start, rng.int(Math.max(1, daysOf(ph) - 28)));
      for (let i = 0; i < plant.expected; i++)
        addCase(at[i % at.length]!, addDays(from, rng.int(28)), () => product, 1, [origin, hub], 'R');
      const dest = at.length === 1 ? at[0]! : undefined;
      planted.push({
        ...plant,
        phase: ph.phase,
        origin,
        transit: hub,
        route: dest ? `${origin}>${hub}>${dest}` : undefined,
        lines: plant.expected,
      });
      continue;
    }
    // A product whose background gives about `expected` lines in the window.
    const windowMemberWeeks = plant.kind === 'burst' ? nMembers : (nMembers * daysOf(ph)) / 7;
    const want = plant.expected / windowMemberWeeks;
    const product = [...products]
      .filter((p) => !used.has(p))
      .sort((a, b) => Math.abs(Math.log(rateOf(a) / want)) - Math.abs(Math.log(rateOf(b) / want)))[0]!;
    used.add(product);
    // Scale that product's background to exactly the expectation asked for (its popularity is only a start).
    const ratio = want / rateOf(product);
    const mine = lines.filter((l) => l.product === product);
    if (ratio < 1) {
      for (const l of mine) if (rng.next() > ratio) l.product = '__drop__';
    } else {
      const extra = Math.round(mine.length * (ratio - 1));
      for (let i = 0; i < extra; i++) {
        const m = rng.pick(codes);
        addCase(m, addDays(start, rng.int(Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1)), () => product, 1);
      }
    }
    const expected = plant.expected;
    if (plant.kind === 'fall') {
      // Whole cases go (every line of the product in a case): a fall is fewer seizure events, and the tests count
      // cases. Thinning lines one by one left most multi-line cases in place, so a "5x" fall was about 3x in cases.
      let removed = 0;
      const drop = new Map<string, boolean>();
      for (const l of lines) {
        if (l.product !== product || l.phase !== ph.phase) continue;
        const k = `${l.reporting_member}\u0000${l.case_ref}`;
        if (!drop.has(k)) drop.set(k, rng.next() > 1 / plant.size);
        if (drop.get(k)) {
          l.product = '__drop__';
          removed++;
        }
      }
      planted.push({ ...plant, phase: ph.phase, product, lines: removed });
      continue;
    }
    // Rises and bursts are Poisson events, as the background is: the extra cases are Poisson((size - 1) x the cases
    // the window expects), each as many lines of the product as one of its background cases (drawn from them), so the
    // change is size x in cases and in lines. A fixed count of one-line cases (the earlier plant) was size x in lines
    // but more in cases, with no noise: it flattered rises (3x/10: 70% against 57% with these plants).
    const sizes = caseSizesOf(lines, product);
    const casesPerLine =
      sizes.length /
      Math.max(
        1,
        sizes.reduce((a, b) => a + b, 0),
      );
    const nCases = poisson(rng, expected * casesPerLine * (plant.size - 1));
    // Over `members` Members at least, often more (up to three times as many), not always the same count.
    const at = spreadOver(plant.members + rng.int(2 * plant.members + 1));
    let week: string | undefined;
    if (plant.kind === 'burst') {
      const weeks = Math.floor(daysOf(ph) / 7);
      week = addDays(ph.start, 7 * (1 + rng.int(Math.max(1, weeks - 2))));
      const monday = addDays(week, -((new Date(`${week}T00:00:00Z`).getUTCDay() + 6) % 7));
      week = monday < ph.start ? addDays(monday, 7) : monday;
    }
    let addLines = 0;
    for (let i = 0; i < nCases; i++) {
      const day = plant.kind === 'burst' ? addDays(week!, rng.int(7)) : addDays(ph.start, rng.int(daysOf(ph)));
      const n = sizes.length ? rng.pick(sizes) : 1;
      addCase(i < at.length ? at[i]! : rng.pick(at), day, () => product, n, undefined, 'P');
      addLines += n;
    }
    planted.push({ ...plant, phase: ph.phase, product, ...(week ? { week } : {}), lines: addLines });
  }
  const kept = lines.filter((l) => l.product !== '__drop__' && l.seizure_date <= end);
  for (const l of kept) l.phase = phaseOf(l.seizure_date).phase;
  return { config, lines: kept, planted };
}
