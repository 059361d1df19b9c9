/**
 * The demo dataset: a synthetic operation shaped like STOP II, deterministic (one seed, one PRNG), so its totals are
 * reproducible and testable. Pure: an operation config in, files of canonical rows out ({@link generateDemo}); the
 * rows become the Members' spreadsheets with {@link demoWorkbook} (the upload template of the Member's language,
 * filled as a Member would).
 *
 * Shape at full scale (STOP II's published figures): 90 of the 160 participating Members report, one file per
 * reporting Member per phase (270 files), 2,769 cases, 4,034 seizure lines, and exactly 273,600,000 medicines +
 * 214,400,000 medical devices + 13,500,000 vaccine doses in units (pieces, doses and packs; a few sanitizer lines in
 * litres and used gloves in kg are kept apart, as the pipeline keeps them).
 *
 * The planted story, on top of a background whose rates are equal in every phase (each phase's background lines are
 * proportional to its weeks, and every Member reports in every phase, so exposure = weeks x Members):
 * 1. oxygen cylinders surge in phase 2: 10 lines at 4 Members, then 80 at 40 (38 of them new to the product), then 12
 *    at 6 (rate ratio ~10, then a fall); no background line is an oxygen cylinder;
 * 2. a new route from one origin in phase 3: TR > BG > RO > HU > AT > DE by road, 30 lines seized along it by the
 *    corridor's Members; no earlier line has that origin or route, and the background has no other new route or
 *    origin after phase 1 (each Member's 1 to 3 routes take its cases in turn, so all appear in every phase);
 * 3. a concealment method spreading across Members: split consignments, 3 lines at 1 Member in phase 1, 24 at 8 in
 *    phase 2, 60 at 20 in phase 3, spreading from ivermectin to doxycycline (phase 2) and azithromycin (phase 3); the
 *    background never uses it, and its concealments of a product in phases 2 and 3 are all seen in phase 1.
 * Planted lines are one-line cases. A smaller demo (`members` < 90) scales every figure down, the story included.
 */
import ExcelJS from 'exceljs';
import type { Lang, MemberConfig, OperationConfig, Phase } from '../../functions/core/config.ts';
import { addDays, daysIn } from '../../functions/core/days.ts';
import type { SeizureRecord } from '../../functions/core/record.ts';
import { FIELDS, type FieldKey } from '../../functions/core/schema.ts';
import { buildTemplate, SHEET_NAMES } from '../../functions/core/template.ts';
import { categoryOfProduct, VOCABS, type Category, type VocabName } from '../../functions/core/vocab.ts';

// ---------------------------------------------------------------------------------------------------------------
// Targets

export interface DemoTargets {
  readonly reportingMembers: number;
  readonly cases: number;
  readonly lines: number;
  /** Units (pieces + doses + packs) per category. */
  readonly units: Readonly<Record<Category, number>>;
}

/** STOP II as published. */
export const STOP_II: DemoTargets = {
  reportingMembers: 90,
  cases: 2_769,
  lines: 4_034,
  units: { medicine: 273_600_000, medical_device: 214_400_000, vaccine: 13_500_000 },
};

export const DEFAULT_SEED = 20_220_504;

export interface DemoOptions {
  /** Reporting Members; fewer than 90 scales every figure by members / 90. @default 90 */
  readonly members?: number;
  /** @default DEFAULT_SEED */
  readonly seed?: number;
}

/** The targets of a demo with `members` reporting Members: STOP II's figures scaled by members / 90. */
export function demoTargets(members = STOP_II.reportingMembers): DemoTargets {
  if (!Number.isInteger(members) || members < 1) throw new RangeError(`members must be a whole number >= 1 (got ${members})`);
  if (members === STOP_II.reportingMembers) return STOP_II;
  const f = members / STOP_II.reportingMembers;
  const s = (n: number) => Math.max(1, Math.round(n * f));
  return {
    reportingMembers: members,
    cases: s(STOP_II.cases),
    lines: s(STOP_II.lines),
    units: { medicine: s(STOP_II.units.medicine), medical_device: s(STOP_II.units.medical_device), vaccine: s(STOP_II.units.vaccine) },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The planted story (full-scale figures; index = phase 1, 2, 3)

export const STORY = {
  oxygen: { product: 'oxygen_cylinder', lines: [10, 80, 12], members: [4, 40, 6] },
  route: {
    /** Phase index (0-based) where the route appears. */
    phase: 2,
    origin: 'TR',
    /** Departure, transit countries, destination: the Members along it report its seizures. */
    corridor: ['TR', 'BG', 'RO', 'HU', 'AT', 'DE'],
    lines: 30,
    members: 5,
    products: ['pregabalin', 'tramadol'],
  },
  concealment: {
    method: 'split_consignment',
    lines: [3, 24, 60],
    members: [1, 8, 20],
    products: [['ivermectin'], ['ivermectin', 'doxycycline'], ['ivermectin', 'doxycycline', 'azithromycin']],
  },
} as const;

/** The route key the trend detectors give the planted route (types.ts keysOf). */
export const PLANTED_ROUTE = STORY.route.corridor.join('>');

// ---------------------------------------------------------------------------------------------------------------
// Output shapes

/** One seizure line as the Member writes it, in canonical codes (SeizureRecord without its source). */
export type DemoRow = Omit<SeizureRecord, 'source'>;

export interface DemoFile {
  readonly member: string;
  readonly phase: number;
  readonly lang: Lang;
  /** File name (the S3 key is incoming/{member}/{name}). */
  readonly name: string;
  readonly rows: readonly DemoRow[];
}

export type StoryPart = 'oxygen' | 'route' | 'concealment';

export interface DemoDataset {
  readonly seed: number;
  readonly targets: DemoTargets;
  readonly participating: number;
  readonly reporting: readonly MemberConfig[];
  readonly phases: readonly Phase[];
  readonly files: readonly DemoFile[];
  /** What was planted, as generated (after scaling): lines and Members per phase. */
  readonly story: {
    readonly oxygen: { readonly product: string; readonly lines: readonly number[]; readonly members: readonly number[] };
    readonly route: { readonly phase: number; readonly origin: string; readonly route: string; readonly lines: number; readonly members: number };
    readonly concealment: { readonly method: string; readonly lines: readonly number[]; readonly members: readonly number[] };
  };
  /** Which story part a line belongs to, by `member#case_ref#line_no`. */
  readonly planted: ReadonlyMap<string, StoryPart>;
}

export interface DemoTotals {
  readonly files: number;
  readonly reportingMembers: number;
  readonly cases: number;
  readonly lines: number;
  readonly units: Record<Category, number>;
  /** Quantities in kg and litres, never added to units. */
  readonly kg: number;
  readonly litres: number;
  readonly linesByPhase: Record<number, number>;
}

const UNIT_COUNTED: ReadonlySet<string> = new Set(['pieces', 'doses', 'packs']);

/** The totals the final summaries must reproduce, computed from any lines (the demo's, or the stored ones). */
export function totalsOf(rows: Iterable<Pick<DemoRow, 'reporting_member' | 'case_ref' | 'phase' | 'category' | 'quantity' | 'unit'>>): Omit<DemoTotals, 'files'> {
  const members = new Set<string>();
  const cases = new Set<string>();
  const units: Record<Category, number> = { medicine: 0, medical_device: 0, vaccine: 0 };
  const linesByPhase: Record<number, number> = {};
  let lines = 0;
  let kg = 0;
  let litres = 0;
  for (const r of rows) {
    lines++;
    members.add(r.reporting_member);
    cases.add(`${r.reporting_member}#${r.case_ref}`);
    linesByPhase[r.phase] = (linesByPhase[r.phase] ?? 0) + 1;
    if (UNIT_COUNTED.has(r.unit)) units[r.category] += r.quantity;
    else if (r.unit === 'kg') kg += r.quantity;
    else litres += r.quantity;
  }
  return { reportingMembers: members.size, cases: cases.size, lines, units, kg: round3(kg), litres: round3(litres), linesByPhase };
}

export function demoTotals(ds: DemoDataset): DemoTotals {
  return { files: ds.files.length, ...totalsOf(ds.files.flatMap((f) => f.rows)) };
}

/** The demo's lines as the validator hands them on (source: the file, its data sheet, the spreadsheet row). */
export function demoRecords(ds: DemoDataset): SeizureRecord[] {
  return ds.files.flatMap((f) => f.rows.map((r, i) => ({ ...r, source: { file: f.name, sheet: SHEET_NAMES[f.lang].data, row: i + 2 } })));
}

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

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// The background's vocabulary mix

const MEDICINES = {
  ivermectin: 10, doxycycline: 6, pregabalin: 8, hydroxychloroquine: 8, chloroquine: 5, azithromycin: 7, favipiravir: 4,
  remdesivir: 3, dexamethasone: 6, paracetamol: 10, tramadol: 8, other_medicine: 8,
} as const;
/** No oxygen cylinder: the surge is the only source of them. */
const DEVICES = {
  test_kit: 14, face_mask: 20, gloves: 10, used_gloves: 2, sanitizer: 6, oxygen_concentrator: 4, ventilator: 2,
  thermometer: 5, protective_clothing: 8, other_device: 5,
} as const;
const VACCINES = { covid19_vaccine: 85, other_vaccine: 15 } as const;
const CATEGORY_SHARE: Record<Category, number> = { medicine: 58, medical_device: 39, vaccine: 3 };

/** Median quantity of a line before the category's scaling (relative sizes; kg/litre lines are final). */
const MEDIAN: Record<string, number> = {
  ivermectin: 12_000, doxycycline: 8_000, pregabalin: 20_000, hydroxychloroquine: 10_000, chloroquine: 8_000,
  azithromycin: 8_000, favipiravir: 3_000, remdesivir: 500, dexamethasone: 6_000, paracetamol: 40_000, tramadol: 30_000,
  other_medicine: 10_000, test_kit: 6_000, face_mask: 150_000, gloves: 80_000, oxygen_concentrator: 40, ventilator: 8,
  thermometer: 800, protective_clothing: 2_000, other_device: 1_500, covid19_vaccine: 5_000, other_vaccine: 2_000,
  oxygen_cylinder: 60, used_gloves: 2_000, sanitizer: 800,
};

/** Price of one unit (USD), for the estimated value. */
const PRICE: Record<string, number> = {
  ivermectin: 0.4, doxycycline: 0.2, pregabalin: 0.5, hydroxychloroquine: 0.3, chloroquine: 0.2, azithromycin: 0.5,
  favipiravir: 2, remdesivir: 60, dexamethasone: 0.1, paracetamol: 0.05, tramadol: 0.3, other_medicine: 0.5,
  test_kit: 5, face_mask: 0.3, gloves: 0.1, used_gloves: 1, sanitizer: 4, oxygen_concentrator: 400, ventilator: 5_000,
  thermometer: 8, protective_clothing: 6, other_device: 3, covid19_vaccine: 20, other_vaccine: 10, oxygen_cylinder: 150,
};

const HS: Record<string, string> = {
  test_kit: '3822.19', face_mask: '6307.90', gloves: '4015.19', used_gloves: '4015.19', sanitizer: '3808.94',
  oxygen_cylinder: '7311.00', oxygen_concentrator: '9019.20', ventilator: '9019.20', thermometer: '9025.19',
  protective_clothing: '6210.10', other_device: '9018.90', covid19_vaccine: '3002.41', other_vaccine: '3002.41',
};

const DESCRIPTIONS: Record<string, Record<Lang, readonly string[]>> = {
  other_medicine: {
    en: ['Sildenafil tablets', 'Vitamin D capsules', 'Herbal "COVID cure" capsules', 'Slimming pills'],
    fr: ['Comprimés de sildénafil', 'Gélules de vitamine D', 'Gélules « anti-COVID » à base de plantes', 'Pilules amaigrissantes'],
    es: ['Comprimidos de sildenafilo', 'Cápsulas de vitamina D', 'Cápsulas «anti-COVID» de hierbas', 'Pastillas adelgazantes'],
  },
  other_device: {
    en: ['Pulse oximeters', 'Face shields', 'Disposable syringes'],
    fr: ['Oxymètres de pouls', 'Visières de protection', 'Seringues jetables'],
    es: ['Pulsioxímetros', 'Pantallas faciales', 'Jeringas desechables'],
  },
  other_vaccine: {
    en: ['Influenza vaccine', 'Hepatitis B vaccine'],
    fr: ['Vaccin antigrippal', 'Vaccin contre l’hépatite B'],
    es: ['Vacuna antigripal', 'Vacuna contra la hepatitis B'],
  },
};

const TRANSPORT = { express_courier: 24, postal: 20, air_cargo: 20, sea: 14, road: 10, air_passenger: 8, rail: 4 } as const;
const LOCATION_OF: Record<string, string> = {
  express_courier: 'express_hub', postal: 'postal_centre', air_cargo: 'airport', sea: 'seaport', road: 'land_border',
  air_passenger: 'airport', rail: 'land_border',
};
const CONCEALMENT = { none: 40, misdescribed: 22, undervalued: 10, mixed_with_legitimate: 12, repackaged: 8, false_documents: 8 } as const;
const PASSENGER_CONCEALMENT = { baggage: 70, on_body: 10, none: 20 } as const;
const DETECTION = { risk_profiling: 35, routine_control: 15, x_ray: 15, document_check: 12, intelligence: 10, random_check: 8, detector_dog: 5 } as const;
const INFRINGEMENT: Record<Category, Readonly<Record<string, number>>> = {
  medicine: { falsified: 35, unauthorised: 30, counterfeit: 15, substandard: 10, expired: 5, smuggled: 5 },
  medical_device: { counterfeit: 40, substandard: 30, unauthorised: 25, smuggled: 5 },
  vaccine: { falsified: 50, unauthorised: 35, smuggled: 15 },
};

/** Where the background's goods come from and go to. TR is not here: it is the planted route's new origin. */
const ORIGINS = { CN: 40, IN: 22, HK: 8, AE: 5, SG: 4, US: 4, MY: 3, PK: 3, BD: 3, VN: 3, TH: 2, ID: 2, NG: 1 } as const;
const HUBS = ['AE', 'HK', 'SG', 'NL', 'BE', 'QA'] as const;
const EXPORT_TO = { NG: 4, GH: 3, KE: 3, CM: 2, SN: 2, TZ: 2, UG: 2, BR: 2, MX: 2, PH: 2 } as const;
const EURO = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK', 'ME']);

// ---------------------------------------------------------------------------------------------------------------
// Generation

interface Route {
  readonly direction: 'import' | 'export' | 'transit';
  readonly origin: string;
  readonly departure: string;
  readonly transit: readonly string[];
  readonly destination: string;
}

/** A line before its quantity is known. */
interface Draft {
  row: Omit<DemoRow, 'quantity'> & { quantity: number };
  /** Scaled with its category to hit the exact unit total; false: the quantity is final. */
  scaled: boolean;
  raw: number;
}

interface Slot {
  readonly member: MemberConfig;
  readonly phase: number;
  readonly phaseIndex: number;
  readonly lang: Lang;
  readonly cases: Draft[][];
}

const keyOf = (r: Pick<DemoRow, 'reporting_member' | 'case_ref' | 'line_no'>) => `${r.reporting_member}#${r.case_ref}#${r.line_no}`;


/** Generates the demo operation for a config (its first three phases, its Members). Deterministic in (config, options). */
export function generateDemo(config: OperationConfig, opts: DemoOptions = {}): DemoDataset {
  const seed = opts.seed ?? DEFAULT_SEED;
  const targets = demoTargets(opts.members);
  const rng = new Rng(seed);
  if (config.phases.length < 3) throw new RangeError(`the demo needs an operation of 3 phases; ${config.name} has ${config.phases.length}`);
  const phases = config.phases.slice(0, 3);
  const nMembers = targets.reportingMembers;
  if (config.members.length < nMembers) {
    throw new RangeError(`the demo needs ${nMembers} reporting Members; ${config.name} has ${config.members.length} participating`);
  }
  const f = nMembers / STOP_II.reportingMembers;
  const scale = (n: number, min = 1) => (n === 0 ? 0 : Math.max(min, Math.round(n * f)));

  // -- Who reports: the corridor's Members along the planted route, one of each language, then at random.
  const codes = new Set(config.members.map((m) => m.code));
  const routeMembers = Math.min(scale(STORY.route.members), nMembers);
  const corridor = STORY.route.corridor.slice(1).filter((c) => codes.has(c)).slice(-routeMembers);
  const chosen = new Map<string, MemberConfig>();
  const take = (m: MemberConfig) => chosen.size < nMembers && chosen.set(m.code, m);
  for (const c of corridor) take(config.members.find((m) => m.code === c)!);
  const shuffled = rng.shuffle(config.members);
  for (const lang of ['fr', 'es', 'en'] as const) {
    const m = shuffled.find((x) => (x.language ?? 'en') === lang && !chosen.has(x.code));
    if (m && nMembers >= 3) take(m);
  }
  for (const m of shuffled) if (!chosen.has(m.code)) take(m);
  const reporting = config.members.filter((m) => chosen.has(m.code));
  const weight = new Map(reporting.map((m) => [m.code, Math.exp(0.8 * rng.normal())]));

  // -- The story's lines per phase, scaled; which Members report them.
  const oxygenLines = STORY.oxygen.lines.map((n) => scale(n));
  const oxygenMembers = STORY.oxygen.members.map((n, i) => Math.min(scale(n), oxygenLines[i]!, nMembers));
  const routeLines = Math.max(scale(STORY.route.lines), corridor.length);
  const concLines = STORY.concealment.lines.map((n) => scale(n));
  const concMembers = STORY.concealment.members.map((n, i) => Math.min(scale(n), concLines[i]!, nMembers));
  const plantedLines = oxygenLines.reduce((a, b) => a + b, 0) + concLines.reduce((a, b) => a + b, 0) + (corridor.length ? routeLines : 0);
  const bgCases = targets.cases - plantedLines;
  const bgLines = targets.lines - plantedLines;
  const nFiles = nMembers * phases.length;
  if (bgCases < nFiles || bgLines < bgCases) {
    throw new RangeError(`the demo cannot fit ${targets.cases} cases and ${targets.lines} lines in ${nFiles} files with ${plantedLines} planted lines`);
  }

  // Oxygen: phase-1 Members are few; the surge comes mostly from Members new to the product.
  const byWeight = [...reporting].sort((a, b) => weight.get(b.code)! - weight.get(a.code)!);
  const oxygenAt: string[][] = [];
  {
    const first = rng.shuffle(reporting).slice(0, oxygenMembers[0]).map((m) => m.code);
    const rest = rng.shuffle(reporting.filter((m) => !first.includes(m.code))).map((m) => m.code);
    oxygenAt.push(first);
    oxygenAt.push([...first.slice(0, Math.min(2, first.length)), ...rest].slice(0, oxygenMembers[1]));
    oxygenAt.push(rng.shuffle(oxygenAt[1]!).slice(0, oxygenMembers[2]));
  }
  // Split consignments: one Member first, then the method spreads, each phase's Members including the last's.
  const concAt: string[][] = [];
  {
    const order = rng.shuffle(byWeight.slice(0, Math.max(concMembers[2]!, Math.ceil(nMembers / 2)))).map((m) => m.code);
    for (const n of concMembers) concAt.push(order.slice(0, n));
  }

  // -- Background cases per file (weight x weeks, at least one each), then lines per case (one, plus extras).
  const slots: Slot[] = [];
  for (const m of reporting) {
    phases.forEach((p, i) => slots.push({ member: m, phase: p.phase, phaseIndex: i, lang: m.language ?? 'en', cases: [] }));
  }
  const weeks = phases.map((p) => daysIn(p) / 7);
  const casesPerSlot = apportion(bgCases, slots.map((s) => weight.get(s.member.code)! * weeks[s.phaseIndex]!), 1);
  const caseLines: number[][] = casesPerSlot.map((n) => Array.from({ length: n }, () => 1));
  const flat = caseLines.flatMap((cs, si) => cs.map((_, ci) => [si, ci] as const));
  for (let extra = bgLines - bgCases; extra > 0; ) {
    const [si, ci] = flat[rng.int(flat.length)]!;
    if (caseLines[si]![ci]! >= 6) continue;
    caseLines[si]![ci]! += 1;
    extra--;
  }

  // -- Background categories: exact shares of the background lines, at least one of each, in a random order.
  const catCounts = apportion(bgLines, Object.values(CATEGORY_SHARE), 1);
  const categories = rng.shuffle(
    (Object.keys(CATEGORY_SHARE) as Category[]).flatMap((c, i) => Array.from({ length: catCounts[i]! }, () => c)),
  );
  let nextCategory = 0;

  // -- Each Member's routes: 1 to 3, taking its cases in turn (so later phases bring no new route or origin, and a
  //    route's lines keep to the Member's pace).
  const routesOf = new Map<string, Route[]>();
  slots.forEach((s, si) => {
    if (s.phaseIndex !== 0) return;
    const n = Math.min(1 + rng.int(3), casesPerSlot[si]!);
    const routes: Route[] = [];
    while (routes.length < n) {
      const me = s.member.code;
      let r: Route;
      if (rng.next() < 0.85) {
        const origin = rng.weighted(ORIGINS);
        if (origin === me) continue;
        const hub = rng.next() < 0.25 ? rng.pick(HUBS) : undefined;
        r = { direction: 'import', origin, departure: origin, transit: hub && hub !== origin && hub !== me ? [hub] : [], destination: me };
      } else {
        const to = rng.weighted(EXPORT_TO);
        if (to === me) continue;
        r = { direction: 'export', origin: me, departure: me, transit: [], destination: to };
      }
      if (!routes.some((x) => JSON.stringify(x) === JSON.stringify(r))) routes.push(r);
    }
    routesOf.set(s.member.code, routes);
  });

  /** Concealments seen for a product in phase 1: later background lines keep to them (no accidental novelty). */
  const seenConcealment = new Map<string, Set<string>>();
  const caseNo = new Map<string, number>();
  const planted = new Map<string, StoryPart>();

  const newCase = (s: Slot) => {
    const n = (caseNo.get(`${s.member.code}#${s.phase}`) ?? 0) + 1;
    caseNo.set(`${s.member.code}#${s.phase}`, n);
    return `${s.member.code}-P${s.phase}-${String(n).padStart(3, '0')}`;
  };
  const dayIn = (p: Phase) => addDays(p.start, rng.int(daysIn(p)));

  const line = (
    s: Slot,
    caseRef: string,
    lineNo: number,
    c: { date: string; route: Route; transport: string; detection: string },
    product: string,
    concealment: string,
  ): Draft => {
    const category = categoryOfProduct(product)!;
    const unit: DemoRow['unit'] =
      category === 'vaccine' ? 'doses' : product === 'sanitizer' ? 'litres' : product === 'used_gloves' ? 'kg' : category === 'medicine' && rng.next() < 0.2 ? 'packs' : 'pieces';
    const counted = UNIT_COUNTED.has(unit);
    let raw = (MEDIAN[product] ?? 1_000) * Math.exp(1.1 * rng.normal());
    if (unit === 'packs') raw /= 20;
    const quantity = counted ? Math.max(1, Math.round(raw)) : unit === 'litres' ? Math.max(1, round2(raw)) : Math.max(1, Math.round(raw * 10) / 10);
    const row: Draft['row'] = {
      reporting_member: s.member.code,
      case_ref: caseRef,
      line_no: lineNo,
      seizure_date: c.date,
      phase: s.phase,
      location_type: LOCATION_OF[c.transport] ?? 'other',
      direction: c.route.direction,
      category,
      product,
      quantity,
      unit,
      origin_country: c.route.origin,
      departure_country: c.route.departure,
      destination_country: c.route.destination,
      transport_mode: c.transport,
      concealment_method: concealment,
      detection_method: c.detection,
      infringement_type: product === 'used_gloves' ? 'used' : rng.weighted(INFRINGEMENT[category]),
    };
    if (c.route.transit.length) row.transit_countries = [...c.route.transit];
    const desc = DESCRIPTIONS[product];
    if (desc) row.description = rng.pick(desc[s.lang]);
    const hs = HS[product] ?? (category === 'medicine' ? '3004.90' : undefined);
    if (hs) row.hs_code = hs.replace('.', '');
    if (rng.next() < 0.6) {
      row.estimated_value = round2(quantity * (PRICE[product] ?? 1) * (unit === 'packs' ? 20 : 1) * (0.5 + rng.next()));
      row.currency = EURO.has(s.member.code) ? 'EUR' : 'USD';
    }
    return { row, scaled: counted && product !== STORY.oxygen.product, raw };
  };

  const caseContext = (s: Slot, route: Route) => {
    const transport = rng.weighted(TRANSPORT);
    return { date: dayIn(phases[s.phaseIndex]!), route, transport, detection: rng.weighted(DETECTION) };
  };

  const backgroundConcealment = (s: Slot, product: string, transport: string): string => {
    const drawn: string = transport === 'air_passenger' ? rng.weighted(PASSENGER_CONCEALMENT) : rng.weighted(CONCEALMENT);
    const seen = seenConcealment.get(product);
    if (s.phaseIndex === 0 || !seen) {
      if (s.phaseIndex === 0) seenConcealment.set(product, (seen ?? new Set()).add(drawn));
      return drawn;
    }
    return seen.has(drawn) ? drawn : rng.pick([...seen].sort());
  };

  const productOf = (cat: Category): string =>
    cat === 'medicine' ? rng.weighted(MEDICINES) : cat === 'medical_device' ? rng.weighted(DEVICES) : rng.weighted(VACCINES);

  // Phase by phase (phase 1 first: the concealments it shows bound the later phases'), Member by Member.
  const plant = (s: Slot, part: StoryPart, product: string, concealment: string, route: Route, transport: string) => {
    const caseRef = newCase(s);
    const d = line(s, caseRef, 1, { ...caseContext(s, route), transport }, product, concealment);
    d.row.location_type = LOCATION_OF[transport] ?? 'other';
    if (part === 'route') {
      d.row.direction = s.member.code === route.destination ? 'import' : 'transit';
      d.row.detection_method = rng.pick(['x_ray', 'detector_dog', 'intelligence']);
      d.row.infringement_type = rng.pick(['unauthorised', 'falsified']);
    }
    planted.set(keyOf(d.row), part);
    s.cases.push([d]);
  };
  const slotOf = (code: string, phaseIndex: number) => slots.find((s) => s.member.code === code && s.phaseIndex === phaseIndex)!;
  const drafts: Draft[] = [];
  for (let pi = 0; pi < phases.length; pi++) {
    slots.forEach((s, si) => {
      if (s.phaseIndex !== pi) return;
      const routes = routesOf.get(s.member.code)!;
      caseLines[si]!.forEach((n, ci) => {
        const route = routes[ci % routes.length]!;
        const c = caseContext(s, route);
        const caseRef = newCase(s);
        const products: string[] = [];
        const lines: Draft[] = [];
        for (let k = 1; k <= n; k++) {
          const cat = categories[nextCategory++]!;
          let product = productOf(cat);
          for (let tries = 0; products.includes(product) && tries < 5; tries++) product = productOf(cat);
          products.push(product);
          lines.push(line(s, caseRef, k, c, product, backgroundConcealment(s, product, c.transport)));
        }
        s.cases.push(lines);
      });
    });
    // Oxygen cylinders: the Members' own routes, concealments seen for them in phase 1.
    apportion(oxygenLines[pi]!, oxygenAt[pi]!.map(() => 1)).forEach((n, k) => {
      const s = slotOf(oxygenAt[pi]![k]!, pi);
      for (let j = 0; j < n; j++) {
        const transport = rng.weighted({ sea: 4, air_cargo: 3, road: 2, express_courier: 1 });
        const options = pi === 0 ? ['none', 'misdescribed'] : [...(seenConcealment.get(STORY.oxygen.product) ?? new Set(['none']))].sort();
        const concealment = pi === 0 ? options[j % 2]! : rng.pick(options);
        if (pi === 0) seenConcealment.set(STORY.oxygen.product, (seenConcealment.get(STORY.oxygen.product) ?? new Set()).add(concealment));
        plant(s, 'oxygen', STORY.oxygen.product, concealment, rng.pick(routesOf.get(s.member.code)!), transport);
      }
    });
    // Split consignments: spreading Member to Member, by post and express courier.
    apportion(concLines[pi]!, concAt[pi]!.map(() => 1)).forEach((n, k) => {
      const s = slotOf(concAt[pi]![k]!, pi);
      const products = STORY.concealment.products[pi]!;
      for (let j = 0; j < n; j++) {
        const imports = routesOf.get(s.member.code)!.filter((r) => r.direction === 'import');
        const route = imports.length ? rng.pick(imports) : rng.pick(routesOf.get(s.member.code)!);
        plant(s, 'concealment', products[j % products.length]!, STORY.concealment.method, route, rng.pick(['postal', 'express_courier']));
      }
    });
    // The new route, seized along the corridor.
    if (pi === STORY.route.phase && corridor.length) {
      const [origin, ...rest] = STORY.route.corridor;
      const route: Route = { direction: 'import', origin: origin!, departure: origin!, transit: rest.slice(0, -1), destination: rest[rest.length - 1]! };
      apportion(routeLines, corridor.map(() => 1)).forEach((n, k) => {
        const s = slotOf(corridor[k]!, pi);
        for (let j = 0; j < n; j++) plant(s, 'route', STORY.route.products[j % STORY.route.products.length]!, 'vehicle_cavity', route, 'road');
      });
    }
  }
  for (const s of slots) for (const c of s.cases) drafts.push(...c);
  const renamed = new Map<string, StoryPart>();

  // -- Quantities: each category's scaled lines share what the fixed lines leave of its exact unit total.
  for (const cat of Object.keys(CATEGORY_SHARE) as Category[]) {
    const inCat = drafts.filter((d) => d.row.category === cat && UNIT_COUNTED.has(d.row.unit));
    const fixed = inCat.filter((d) => !d.scaled).reduce((a, d) => a + d.row.quantity, 0);
    const scaled = inCat.filter((d) => d.scaled);
    const target = targets.units[cat] - fixed;
    if (scaled.length === 0 || target < scaled.length) throw new RangeError(`the demo cannot reach ${targets.units[cat]} ${cat} units`);
    const parts = apportion(target, scaled.map((d) => d.raw), 0);
    // apportion may give 0 to a tiny raw weight: take 1 from the largest part for each.
    for (let i = 0; i < parts.length; i++) {
      if (parts[i]! > 0) continue;
      const big = parts.indexOf(Math.max(...parts));
      parts[big]! -= 1;
      parts[i] = 1;
    }
    scaled.forEach((d, i) => {
      d.row.quantity = parts[i]!;
      if (d.row.estimated_value !== undefined) {
        d.row.estimated_value = round2(d.row.quantity * (PRICE[d.row.product] ?? 1) * (d.row.unit === 'packs' ? 20 : 1) * (0.5 + rng.next()));
      }
    });
  }

  const files: DemoFile[] = slots.map((s) => {
    // Cases in date order, as a Member's register lists them, numbered in that order.
    const cases = [...s.cases].sort((a, b) => a[0]!.row.seizure_date.localeCompare(b[0]!.row.seizure_date) || a[0]!.row.case_ref.localeCompare(b[0]!.row.case_ref));
    cases.forEach((lines, i) => {
      const caseRef = `${s.member.code}-P${s.phase}-${String(i + 1).padStart(3, '0')}`;
      for (const d of lines) {
        const part = planted.get(keyOf(d.row));
        if (part) planted.delete(keyOf(d.row));
        d.row.case_ref = caseRef;
        if (part) renamed.set(keyOf(d.row), part);
      }
    });
    return {
      member: s.member.code,
      phase: s.phase,
      lang: s.lang,
      name: `${config.id}-phase${s.phase}-${s.member.code}.xlsx`,
      rows: cases.flat().map((d) => d.row),
    };
  });

  for (const [k, part] of renamed) planted.set(k, part);
  const rows = files.flatMap((f) => f.rows);
  const count = (part: StoryPart, pi: number) => rows.filter((r) => r.phase === phases[pi]!.phase && planted.get(keyOf(r)) === part);
  const perPhase = (part: StoryPart) => ({
    lines: phases.map((_, pi) => count(part, pi).length),
    members: phases.map((_, pi) => new Set(count(part, pi).map((r) => r.reporting_member)).size),
  });
  const routeRows = count('route', STORY.route.phase);
  return {
    seed,
    targets,
    participating: config.members.length,
    reporting,
    phases,
    files,
    story: {
      oxygen: { product: STORY.oxygen.product, ...perPhase('oxygen') },
      route: {
        phase: phases[STORY.route.phase]!.phase,
        origin: STORY.route.origin,
        route: PLANTED_ROUTE,
        lines: routeRows.length,
        members: new Set(routeRows.map((r) => r.reporting_member)).size,
      },
      concealment: { method: STORY.concealment.method, ...perPhase('concealment') },
    },
    planted,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Spreadsheets

/**
 * The upload template of a language without its 5,000 pre-formatted empty rows (the dropdowns, header notes, frozen
 * header, instructions and lists stay): writing those rows costs seconds per file, and 270 files are written.
 */
const templateModels = new WeakMap<OperationConfig, Map<Lang, ExcelJS.WorkbookModel>>();
function templateModel(config: OperationConfig, lang: Lang): ExcelJS.WorkbookModel {
  let byLang = templateModels.get(config);
  if (!byLang) templateModels.set(config, (byLang = new Map()));
  let model = byLang.get(lang);
  if (!model) {
    const m = buildTemplate(config, lang).model;
    // exceljs types a workbook model's worksheets as Worksheets; they are worksheet models (rows as plain data).
    const sheets = m.worksheets as unknown as Array<{ id: number; rows: unknown[] }>;
    sheets[0]!.rows = sheets[0]!.rows.slice(0, 1);
    // `sheets` repeats every worksheet (rows included); setting a model only reads their ids.
    model = { ...m, sheets: sheets.map((w) => ({ id: w.id }) as ExcelJS.WorksheetModel) };
    byLang.set(lang, model);
  }
  return model;
}

/** Column formats as the template sets them on its data rows. */
const NUM_FMT: Partial<Record<string, string>> = { date: 'yyyy-mm-dd', number: '#,##0.###', integer: '0', hs: '@', text: '@', member: '@' };

function cellValue(key: FieldKey, r: DemoRow, lang: Lang): ExcelJS.CellValue {
  const label = (vocab: VocabName, code: string | undefined) => (code === undefined ? null : VOCABS[vocab].label(code, lang));
  switch (key) {
    case 'reporting_member': return r.reporting_member;
    case 'case_ref': return r.case_ref;
    case 'line_no': return r.line_no;
    case 'seizure_date': return new Date(`${r.seizure_date}T00:00:00Z`);
    case 'location': return r.location ?? null;
    case 'location_type': return label('location_type', r.location_type);
    case 'direction': return label('direction', r.direction);
    case 'category': return label('category', r.category);
    case 'product': return label('product', r.product);
    case 'description': return r.description ?? null;
    case 'brand': return r.brand ?? null;
    case 'hs_code': return r.hs_code ? `${r.hs_code.slice(0, 4)}.${r.hs_code.slice(4)}` : null;
    case 'quantity': return r.quantity;
    case 'unit': return label('unit', r.unit);
    case 'estimated_value': return r.estimated_value ?? null;
    case 'currency': return r.currency ?? null;
    case 'origin_country': return r.origin_country ?? null;
    case 'departure_country': return r.departure_country ?? null;
    case 'destination_country': return r.destination_country ?? null;
    case 'transit_countries': return r.transit_countries?.join(' ') ?? null;
    case 'transport_mode': return label('transport_mode', r.transport_mode);
    case 'concealment_method': return label('concealment_method', r.concealment_method);
    case 'detection_method': return label('detection_method', r.detection_method);
    case 'infringement_type': return label('infringement_type', r.infringement_type);
    case 'remarks': return r.remarks ?? null;
  }
}

/** The file as the Member sends it: the template of its language, one row per line, labels in that language. */
export async function demoWorkbook(config: OperationConfig, file: DemoFile): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.model = structuredClone(templateModel(config, file.lang));
  const ws = wb.worksheets[0]!;
  file.rows.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    FIELDS.forEach((d, c) => {
      const value = cellValue(d.key, r, file.lang);
      if (value === null) return;
      const cell = row.getCell(c + 1);
      cell.value = value;
      const fmt = NUM_FMT[d.kind];
      if (fmt) cell.numFmt = fmt;
    });
    row.commit();
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
