/**
 * Statistical disclosure control of the NCP version of a summary: the threshold rule with primary and secondary
 * suppression (Hundepool et al., "Statistical Disclosure Control", Wiley 2012, ch. 4 and 5; the ESSnet Handbook on
 * SDC), applied to breakdown tables of sums (lines, units, kg, litres) over the Members that reported each row.
 *
 * - Primary: a row resting on fewer than `min` distinct Members is never shown alone.
 * - Secondary: the rows withheld are shown only together, as one "Other" row, and that row rests on at least `min`
 *   distinct Members and at least 2 rows; when it would not, the next-smallest rows join it. So no withheld row can be
 *   recovered by subtracting the shown rows from the table's total (or from a parent's row published elsewhere: a
 *   product from its category, a route from its first country's origin row).
 * - Members are counted as DISTINCT Members (the union of the rows' Members), never summed over rows.
 * - Routes are coarsened before anything is withheld: a route of too few Members is shown as origin → transit →
 *   region of destination, then origin → transit, origin → … → region, origin alone, so the table keeps what it can.
 * - Reporting Members are shown by WCO region (vocabulary/regions.ts), the same rule applied to each region's row.
 * - Weeks of fewer than `min` Members are pooled with the following (else the preceding) weeks.
 */
import type { Lang } from '../vocabulary/lang.ts';
import { regionName, regionOf, type WcoRegion } from '../vocabulary/regions.ts';
import { countryName } from '../vocabulary/countries.ts';
import { keyLabel, type LabelDimension } from './text.ts';

export interface BreakdownRow {
  key: string;
  label: string;
  lines: number;
  units: number;
  kg: number;
  litres: number;
  /** Reporting Members. */
  members: number;
  /** Only by Member. */
  cases?: number;
  /** Only by product. */
  category?: string;
  /**
   * NCP version, rows whose key is not a code (disclosure.ts): how fine the row is (byRoute: 'route' | 'transitRegion'
   * | 'transit' | 'region' | 'origin'; byMember: 'region'), its label in each language, and for the "other" row how
   * many rows it holds.
   */
  level?: string;
  labels?: Record<Lang, string>;
  merged?: number;
}

/** A week of the weekly series; `weeks`: in the NCP version, weeks pooled from this one (too few Members alone). */
export interface WeekLines {
  week: string;
  lines: number;
  weeks?: number;
}

/** The key of the row withheld rows are shown together in. */
export const OTHER = 'other';

/** The Members each row rests on, by row key. */
export type MemberSets = ReadonlyMap<string, readonly string[]>;

export interface ProtectOptions {
  /** The threshold: fewest distinct Members a shown row rests on (thresholds.minCellMembers). */
  readonly min: number;
  /**
   * Rows withheld whatever their Members (the same key withheld in the phase: a cumulative row would give it away
   * by difference with an earlier summary's cumulative row).
   */
  readonly force?: ReadonlySet<string>;
  /** The parent of a row whose total is published elsewhere (a product's category, a route's first country). */
  readonly parentOf?: (row: BreakdownRow) => string | undefined;
  /** Whether a parent's total is shown (only then can a withheld child be recovered from it). @default every parent */
  readonly parentShown?: (parent: string) => boolean;
}

export interface Protected {
  readonly rows: BreakdownRow[];
  /** Rows withheld for resting on too few Members (or forced). */
  readonly primary: number;
  /** Rows withheld to protect them (secondary suppression). */
  readonly secondary: number;
  /** Keys of the rows not shown as themselves. */
  readonly withheld: ReadonlySet<string>;
}

const OTHER_LABELS = (n: number): Record<Lang, string> => ({
  en: `Other (${n} rows together)`,
  fr: `Autres (${n} rubriques regroupées)`,
  es: `Otros (${n} filas agrupadas)`,
});

/** Rows in the order reports show them: most lines first, then units, then key. */
export const byLines = (x: BreakdownRow, y: BreakdownRow): number =>
  y.lines - x.lines || y.units - x.units || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);

const smallestFirst =
  (sets: MemberSets) =>
  (x: BreakdownRow, y: BreakdownRow): number =>
    (sets.get(x.key)?.length ?? x.members) - (sets.get(y.key)?.length ?? y.members) || -byLines(x, y);

/** Adds a row to its group. */
function push<K>(groups: Map<K, BreakdownRow[]>, key: K, r: BreakdownRow): void {
  const g = groups.get(key);
  if (g) g.push(r);
  else groups.set(key, [r]);
}

function distinct(rows: Iterable<BreakdownRow>, sets: MemberSets): Set<string> {
  const out = new Set<string>();
  for (const r of rows) for (const m of sets.get(r.key) ?? []) out.add(m);
  return out;
}

/** The sum of rows as one row (Members: distinct). */
export function sumRows(key: string, label: string, rows: readonly BreakdownRow[], sets: MemberSets): BreakdownRow {
  const tidy = (n: number) => Math.round(n * 1e6) / 1e6;
  return {
    key,
    label,
    lines: rows.reduce((t, r) => t + r.lines, 0),
    units: tidy(rows.reduce((t, r) => t + r.units, 0)),
    kg: tidy(rows.reduce((t, r) => t + r.kg, 0)),
    litres: tidy(rows.reduce((t, r) => t + r.litres, 0)),
    members: distinct(rows, sets).size,
    ...(rows.some((r) => r.cases !== undefined) ? { cases: rows.reduce((t, r) => t + (r.cases ?? 0), 0) } : {}),
  };
}

/**
 * The threshold rule with secondary suppression on one table: rows of fewer than `min` distinct Members (and forced
 * ones) are withheld; for each published parent, its withheld rows together rest on `min` Members or more (else its
 * smallest shown rows are withheld too); all withheld rows are shown as one "Other" row resting on at least `min`
 * distinct Members and 2 rows (else the smallest shown rows join it). When even the whole table rests on fewer than
 * `min` Members, no row is shown.
 */
export function protectRows(rows: readonly BreakdownRow[], sets: MemberSets, o: ProtectOptions): Protected {
  const size = (r: BreakdownRow) => sets.get(r.key)?.length ?? r.members;
  const out = new Set<BreakdownRow>();
  for (const r of rows) if (r.key === OTHER || size(r) < o.min || o.force?.has(r.key)) out.add(r);
  const primary = out.size;
  const order = smallestFirst(sets);
  if (o.parentOf) {
    const byParent = new Map<string, BreakdownRow[]>();
    for (const r of rows) {
      const p = o.parentOf(r);
      if (p !== undefined) push(byParent, p, r);
    }
    for (const [p, kids] of byParent) {
      if (o.parentShown && !o.parentShown(p)) continue;
      const hidden = kids.filter((r) => out.has(r));
      if (hidden.length === 0) continue;
      const shown = kids.filter((r) => !out.has(r)).sort(order);
      while (distinct(hidden, sets).size < o.min && shown.length > 0) {
        const r = shown.shift()!;
        out.add(r);
        hidden.push(r);
      }
    }
  }
  if (out.size > 0) {
    const shown = rows.filter((r) => !out.has(r)).sort(order);
    while ((out.size < 2 || distinct(out, sets).size < o.min) && shown.length > 0) out.add(shown.shift()!);
  }
  const kept = rows.filter((r) => !out.has(r)).sort(byLines);
  const withheld = new Set([...out].map((r) => r.key));
  const secondary = out.size - primary;
  if (out.size === 0) return { rows: kept, primary, secondary, withheld };
  if (distinct(out, sets).size < o.min) return { rows: [], primary, secondary, withheld };
  const labels = OTHER_LABELS(out.size);
  const other = { ...sumRows(OTHER, labels.en, [...out], sets), merged: out.size, labels };
  return { rows: [...kept, other], primary, secondary, withheld };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes: coarser levels before anything is withheld

/**
 * How fine a route row is: the route; origin → transit → region; origin → transit; origin → … → region; origin →
 * various; and for an origin shown only with its region: region → region; region → various.
 */
export type RouteLevel = 'route' | 'transitRegion' | 'transit' | 'region' | 'origin' | 'regions' | 'originRegion';
const LEVELS: readonly RouteLevel[] = ['route', 'transitRegion', 'transit', 'region', 'origin', 'regions', 'originRegion'];

/** A region in a route key: `@EUR`; any country or countries: `*`. */
const REGION_MARK = '@';
const ANY = '*';

/**
 * The route key at each level (undefined where the level says nothing new: no transit, no known destination).
 * `regional`: the first country's lines are published only with its region's (the last two levels).
 */
export function routeLevels(key: string, unknown = 'unknown', regional = false): Record<RouteLevel, string | undefined> {
  const parts = key.split('>');
  const from = parts[0]!;
  const to = parts[parts.length - 1]!;
  const transit = parts.slice(1, -1);
  const region = to === unknown ? undefined : regionOf(to);
  const r = region ? `${REGION_MARK}${region}` : undefined;
  return {
    route: key,
    transitRegion: r ? [from, ...transit, r].join('>') : undefined,
    transit: transit.length ? [from, ...transit, ANY].join('>') : undefined,
    region: r && transit.length ? [from, ANY, r].join('>') : undefined,
    origin: `${from}>${ANY}`,
    ...regionLevels(from, r, regional),
  };
}

function regionLevels(
  from: string,
  to: string | undefined,
  regional: boolean,
): Pick<Record<RouteLevel, string | undefined>, 'regions' | 'originRegion'> {
  const reg = regional ? regionOf(from) : undefined;
  if (!reg) return { regions: undefined, originRegion: undefined };
  const f = `${REGION_MARK}${reg}`;
  return { regions: to ? `${f}>${to}` : undefined, originRegion: `${f}>${ANY}` };
}

const WORDS: Readonly<Record<Lang, { routes: string; destinations: string; others: string; otherCountries: string }>> = {
  en: { routes: 'various routes', destinations: 'various destinations', others: 'other routes', otherCountries: 'other countries' },
  fr: { routes: 'itinéraires divers', destinations: 'destinations diverses', others: 'autres itinéraires', otherCountries: 'autres pays' },
  es: { routes: 'rutas diversas', destinations: 'destinos diversos', others: 'otras rutas', otherCountries: 'otros países' },
};

/**
 * The label of a route key of any level in a language: `TR>BG>@EUR` "Türkiye → Bulgaria → Europe", `TR>*>@EUR`
 * "Türkiye → … → Europe", `TR>BG>*` "Türkiye → Bulgaria → various destinations", `TR>*` "Türkiye → various routes".
 * `others`: finer rows it would hold are shown apart ("China → Europe (other routes)").
 */
export function routeLabel(key: string, lang: Lang, opts: { others?: boolean; unknown?: string; unknownWord?: string } = {}): string {
  const parts = key.split('>');
  const w = WORDS[lang];
  const label = parts
    .map((p, i) => {
      if (p.startsWith(REGION_MARK)) {
        // A region first: the countries of the region not shown apart (vocabulary/regions.ts).
        const name = regionName(p.slice(1) as WcoRegion, lang);
        return i === 0 ? `${name} (${w.otherCountries})` : name;
      }
      if (p === ANY) return i < parts.length - 1 ? '…' : parts.length === 2 ? w.routes : w.destinations;
      if (p === (opts.unknown ?? 'unknown')) return opts.unknownWord ?? { en: 'unknown', fr: 'inconnu', es: 'desconocido' }[lang];
      return countryName(p, lang);
    })
    .join(' → ');
  return opts.others ? `${label} (${w.others})` : label;
}

export interface ProtectedRoutes extends Protected {
  /** The Members of each row shown (for a later table's parents). */
  readonly sets: MemberSets;
}

/**
 * Routes for NCPs: each route of `min` Members or more is shown; the others are grouped at the next level
 * (origin → transit → region of destination, origin → transit, origin → … → region, origin → various routes), and
 * each group of `min` Members or more is shown; what is left is withheld (protectRows, each first country a parent
 * whose origin row is published when `originShown` says so). Each line counts in one row only.
 */
export function protectRoutes(
  rows: readonly BreakdownRow[],
  sets: MemberSets,
  o: {
    min: number;
    force?: ReadonlySet<string>;
    /** The published row a route's first country adds up into (its origin row, or its region's), if any. */
    parentOf?: (country: string) => string | undefined;
    /** Whether a first country's routes may be grouped by its region (its origin row is shown only in its region's). */
    regional?: (country: string) => boolean;
    unknown?: string;
  },
): ProtectedRoutes {
  const levels = new Map(rows.map((r) => [r.key, routeLevels(r.key, o.unknown, o.regional?.(r.key.split('>')[0]!) ?? false)] as const));
  let pending = [...rows];
  const shown: { row: BreakdownRow; level: RouteLevel; from: readonly BreakdownRow[] }[] = [];
  const groupSets = new Map<string, readonly string[]>();
  for (const level of LEVELS) {
    const groups = new Map<string, BreakdownRow[]>();
    const rest: BreakdownRow[] = [];
    for (const r of pending) {
      const k = levels.get(r.key)![level];
      if (k === undefined || (level === 'route' && o.force?.has(r.key))) rest.push(r);
      else push(groups, k, r);
    }
    for (const [k, g] of groups) {
      const members = distinct(g, sets);
      if (members.size >= o.min) {
        const row = level === 'route' ? g[0]! : { ...sumRows(k, k, g, sets), level };
        shown.push({ row: level === 'route' ? { ...row, level } : row, level, from: g });
        groupSets.set(k, [...members].sort());
      } else rest.push(...g);
    }
    pending = rest;
  }
  // Labels: a coarser row says "other countries" when a finer row of its region is shown apart.
  const emittedAt = new Map<string, RouteLevel>();
  for (const s of shown) for (const r of s.from) emittedAt.set(r.key, s.level);
  const labelled = shown.map(({ row, level }) => {
    if (level === 'route') return row;
    const finer = rows.some((r) => {
      const at = emittedAt.get(r.key);
      return at !== undefined && LEVELS.indexOf(at) < LEVELS.indexOf(level) && levels.get(r.key)![level] === row.key;
    });
    const opts = { others: finer && !row.key.endsWith(ANY), ...(o.unknown ? { unknown: o.unknown } : {}) };
    const labels = { en: routeLabel(row.key, 'en', opts), fr: routeLabel(row.key, 'fr', opts), es: routeLabel(row.key, 'es', opts) };
    return { ...row, label: labels.en, labels };
  });
  // What no level could show: withheld together (secondary suppression over every row shown).
  const pendingSets = new Map(pending.map((r) => [r.key, sets.get(r.key) ?? []] as const));
  const all = [...labelled, ...pending];
  const allSets = new Map<string, readonly string[]>([...groupSets, ...pendingSets]);
  const parentOf = o.parentOf;
  const p = protectRows(all, allSets, {
    min: o.min,
    force: new Set(pending.map((r) => r.key)),
    ...(parentOf ? { parentOf: (r: BreakdownRow) => parentOf(r.key.split('>')[0]!) } : {}),
  });
  // Routes not shown as themselves (their own key), for the cumulative table.
  const withheld = new Set(rows.filter((r) => emittedAt.get(r.key) !== 'route' || p.withheld.has(r.key)).map((r) => r.key));
  return { rows: p.rows, primary: pending.length, secondary: p.secondary, withheld, sets: allSets };
}

// ---------------------------------------------------------------------------------------------------------------
// Countries: a country of too few Members is shown with the others of its WCO region

const REST_OF = (reg: WcoRegion, others: boolean): Record<Lang, string> => {
  const name = (lang: Lang) => regionName(reg, lang);
  return others
    ? {
        en: `${name('en')} (${WORDS.en.otherCountries})`,
        fr: `${name('fr')} (${WORDS.fr.otherCountries})`,
        es: `${name('es')} (${WORDS.es.otherCountries})`,
      }
    : { en: name('en'), fr: name('fr'), es: name('es') };
};

/**
 * A table of countries (origins): each country of `min` Members or more is shown; the others are grouped by WCO
 * region (key `@AP`, "Asia/Pacific (other countries)"), each group of `min` Members or more shown; what is left is
 * withheld (protectRows). `parentOf`: the key of the published row a country's lines add up into (itself, or its
 * region's row), for the routes.
 */
export function protectCountries(
  rows: readonly BreakdownRow[],
  sets: MemberSets,
  o: { min: number; force?: ReadonlySet<string> },
): Protected & { parentOf: (country: string) => string | undefined } {
  const big = (r: BreakdownRow) => r.key !== OTHER && (sets.get(r.key)?.length ?? r.members) >= o.min && !o.force?.has(r.key);
  const groups = new Map<WcoRegion, BreakdownRow[]>();
  const rest: BreakdownRow[] = [];
  for (const r of rows) {
    const reg = big(r) ? undefined : regionOf(r.key);
    if (reg) push(groups, reg, r);
    else if (!big(r)) rest.push(r);
  }
  const shown = rows.filter(big);
  const allSets = new Map(sets);
  const grouped = new Map<string, string>();
  for (const [reg, g] of groups) {
    const members = distinct(g, sets);
    if (members.size < o.min) {
      rest.push(...g);
      continue;
    }
    const key = `${REGION_MARK}${reg}`;
    const labels = REST_OF(
      reg,
      shown.some((r) => regionOf(r.key) === reg),
    );
    shown.push({ ...sumRows(key, labels.en, g, sets), level: 'region', labels });
    allSets.set(key, [...members].sort());
    for (const r of g) grouped.set(r.key, key);
  }
  const p = protectRows([...shown, ...rest], allSets, { min: o.min, force: new Set(rest.map((r) => r.key)) });
  const parentOf = (country: string): string | undefined => {
    const k = grouped.get(country) ?? country;
    return p.withheld.has(k) ? undefined : p.rows.some((r) => r.key === k) ? k : undefined;
  };
  const withheld = new Set([...p.withheld, ...grouped.keys()]);
  return { ...p, primary: rest.length + grouped.size, withheld, parentOf };
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting Members by region

/** Members' rows grouped by WCO region (key `@EUR`, labels in en/fr/es); Members of no known region go to `@?`. */
export function regionRows(rows: readonly BreakdownRow[]): { rows: BreakdownRow[]; sets: Map<string, readonly string[]> } {
  const groups = new Map<string, BreakdownRow[]>();
  for (const r of rows) {
    const reg = regionOf(r.key);
    const k = reg ? `${REGION_MARK}${reg}` : `${REGION_MARK}?`;
    push(groups, k, r);
  }
  const sets = new Map<string, readonly string[]>();
  const out: BreakdownRow[] = [];
  for (const [k, g] of groups) {
    const memberSets = new Map(g.map((r) => [r.key, [r.key]] as const));
    const reg = k.slice(1) as WcoRegion;
    const labels =
      reg === ('?' as WcoRegion)
        ? { en: 'No WCO region', fr: 'Sans région OMD', es: 'Sin región OMA' }
        : { en: regionName(reg, 'en'), fr: regionName(reg, 'fr'), es: regionName(reg, 'es') };
    out.push({ ...sumRows(k, labels.en, g, memberSets), level: 'region', labels });
    sets.set(k, g.map((r) => r.key).sort());
  }
  return { rows: out.sort(byLines), sets };
}

// ---------------------------------------------------------------------------------------------------------------
// Weeks

/**
 * Weekly lines with each week resting on `min` Members or more: a week of fewer (but not none) is pooled with the
 * weeks after it until the pool has `min` Members; a pool left short at the end joins the entry before it. A week
 * with no line stays (nobody's figure). Empty when the whole series rests on fewer than `min` Members.
 */
export function poolWeeks(
  weekly: readonly WeekLines[],
  membersOf: (week: string) => readonly string[],
  min: number,
): { weeks: WeekLines[]; pooled: number } {
  const out: { row: WeekLines; members: Set<string> }[] = [];
  let open: { row: WeekLines; members: Set<string> } | undefined;
  let pooled = 0;
  const close = () => {
    if (open) out.push(open);
    open = undefined;
  };
  for (const w of weekly) {
    const ms = membersOf(w.week);
    if (!open && w.lines === 0) {
      out.push({ row: { ...w }, members: new Set() });
      continue;
    }
    if (!open) open = { row: { week: w.week, lines: 0, weeks: 0 }, members: new Set() };
    open.row.lines += w.lines;
    open.row.weeks! += w.weeks ?? 1;
    for (const m of ms) open.members.add(m);
    if (open.members.size >= min) close();
  }
  if (open) {
    const tail: { row: WeekLines; members: Set<string> } = open;
    // Join the entries before it, back to one with Members, until the pool rests on enough.
    while (out.length > 0 && tail.members.size < min) {
      const prev = out.pop()!;
      tail.row = { week: prev.row.week, lines: prev.row.lines + tail.row.lines, weeks: (prev.row.weeks ?? 1) + tail.row.weeks! };
      for (const m of prev.members) tail.members.add(m);
    }
    if (tail.members.size < min) return { weeks: [], pooled: weekly.length };
    out.push(tail);
  }
  const weeks = out.map(({ row }) => {
    if ((row.weeks ?? 1) > 1) {
      pooled += row.weeks!;
      return row;
    }
    return { week: row.week, lines: row.lines };
  });
  return { weeks, pooled };
}

/**
 * A row's label in a language: its own `labels` (rows whose key is no code: "other", regions, coarser routes), else
 * the key's label (text.ts keyLabel). Renderers of the NCP version in fr/es label rows with this.
 */
export const rowLabel = (row: Pick<BreakdownRow, 'key' | 'labels'>, dimension: LabelDimension, lang: Lang): string =>
  row.labels?.[lang] ?? keyLabel(dimension, row.key, lang);
