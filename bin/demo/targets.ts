/** The demo's targets (STOP II's published figures, scaled), its planted story, its output shapes and their totals. */
import type { Lang, MemberConfig, Phase } from '../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../functions/core/vocabulary/record.ts';
import { SHEET_NAMES } from '../../functions/core/validation/template.ts';
import type { Category } from '../../functions/core/vocabulary/vocab.ts';
import { round3 } from './rng.ts';

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

/** The route key the trend detectors give the planted route (phase/accumulate.ts lineKeys). */
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
    readonly route: {
      readonly phase: number;
      readonly origin: string;
      readonly route: string;
      readonly lines: number;
      readonly members: number;
    };
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

export const UNIT_COUNTED: ReadonlySet<string> = new Set(['pieces', 'doses', 'packs']);

/** The totals the final summaries must reproduce, computed from any lines (the demo's, or the stored ones). */
export function totalsOf(
  rows: Iterable<Pick<DemoRow, 'reporting_member' | 'case_ref' | 'phase' | 'category' | 'quantity' | 'unit'>>,
): Omit<DemoTotals, 'files'> {
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
