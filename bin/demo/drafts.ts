/**
 * The demo's lines while they are drawn: routes, drafts (a line before its quantity is fitted), slots (one file:
 * a Member in a phase) and the Drafter, which writes one line with the background's mix. Shared by the stages
 * (background.ts, plant.ts): the order of the random draws is the demo's, so one seed gives one operation.
 */
import type { Lang, MemberConfig, Phase } from '../../functions/core/operation/config.ts';
import { addDays, daysIn } from '../../functions/core/operation/days.ts';
import { categoryOfProduct, type Category } from '../../functions/core/vocabulary/vocab.ts';
import {
  CONCEALMENT,
  DESCRIPTIONS,
  DETECTION,
  DEVICES,
  EURO,
  HS,
  INFRINGEMENT,
  LOCATION_OF,
  MEDIAN,
  MEDICINES,
  PASSENGER_CONCEALMENT,
  PRICE,
  TRANSPORT,
  VACCINES,
} from './mix.ts';
import { round2, type Rng } from './rng.ts';
import { STORY, UNIT_COUNTED, type DemoRow, type StoryPart } from './targets.ts';

export interface Route {
  readonly direction: 'import' | 'export' | 'transit';
  readonly origin: string;
  readonly departure: string;
  readonly transit: readonly string[];
  readonly destination: string;
}

/** A line before its quantity is known. */
export interface Draft {
  row: Omit<DemoRow, 'quantity'> & { quantity: number };
  /** Scaled with its category to hit the exact unit total; false: the quantity is final. */
  scaled: boolean;
  raw: number;
}

/** One file: a reporting Member in a phase, and its cases' drafts. */
export interface Slot {
  readonly member: MemberConfig;
  readonly phase: number;
  readonly phaseIndex: number;
  readonly lang: Lang;
  readonly cases: Draft[][];
}

export interface CaseContext {
  date: string;
  route: Route;
  transport: string;
  detection: string;
}

export const keyOf = (r: Pick<DemoRow, 'reporting_member' | 'case_ref' | 'line_no'>) => `${r.reporting_member}#${r.case_ref}#${r.line_no}`;

/** Writes drafts with the background's mix; keeps the case numbers, the planted lines and phase 1's concealments. */
export class Drafter {
  /** Concealments seen for a product in phase 1: later background lines keep to them (no accidental novelty). */
  readonly seenConcealment = new Map<string, Set<string>>();
  readonly planted = new Map<string, StoryPart>();
  readonly #caseNo = new Map<string, number>();

  constructor(
    readonly rng: Rng,
    readonly phases: readonly Phase[],
  ) {}

  newCase(s: Slot): string {
    const n = (this.#caseNo.get(`${s.member.code}#${s.phase}`) ?? 0) + 1;
    this.#caseNo.set(`${s.member.code}#${s.phase}`, n);
    return `${s.member.code}-P${s.phase}-${String(n).padStart(3, '0')}`;
  }

  dayIn(p: Phase): string {
    return addDays(p.start, this.rng.int(daysIn(p)));
  }

  line(s: Slot, caseRef: string, lineNo: number, c: CaseContext, product: string, concealment: string): Draft {
    const rng = this.rng;
    const category = categoryOfProduct(product)!;
    const unit: DemoRow['unit'] =
      category === 'vaccine'
        ? 'doses'
        : product === 'sanitizer'
          ? 'litres'
          : product === 'used_gloves'
            ? 'kg'
            : category === 'medicine' && rng.next() < 0.2
              ? 'packs'
              : 'pieces';
    const counted = UNIT_COUNTED.has(unit);
    let raw = (MEDIAN[product] ?? 1_000) * Math.exp(1.1 * rng.normal());
    if (unit === 'packs') raw /= 20;
    const quantity = counted
      ? Math.max(1, Math.round(raw))
      : unit === 'litres'
        ? Math.max(1, round2(raw))
        : Math.max(1, Math.round(raw * 10) / 10);
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
  }

  caseContext(s: Slot, route: Route): CaseContext {
    const transport = this.rng.weighted(TRANSPORT);
    return { date: this.dayIn(this.phases[s.phaseIndex]!), route, transport, detection: this.rng.weighted(DETECTION) };
  }

  backgroundConcealment(s: Slot, product: string, transport: string): string {
    const rng = this.rng;
    const drawn: string = transport === 'air_passenger' ? rng.weighted(PASSENGER_CONCEALMENT) : rng.weighted(CONCEALMENT);
    const seen = this.seenConcealment.get(product);
    if (s.phaseIndex === 0 || !seen) {
      if (s.phaseIndex === 0) this.seenConcealment.set(product, (seen ?? new Set()).add(drawn));
      return drawn;
    }
    return seen.has(drawn) ? drawn : rng.pick([...seen].sort());
  }

  productOf(cat: Category): string {
    const rng = this.rng;
    return cat === 'medicine' ? rng.weighted(MEDICINES) : cat === 'medical_device' ? rng.weighted(DEVICES) : rng.weighted(VACCINES);
  }
}
