/** Stage 5, fit the totals: each category's scaled lines share exactly what its unit total leaves; files numbered in date order. */
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import type { Category } from '../../functions/core/vocabulary/vocab.ts';
import { keyOf, type Draft, type Slot } from './drafts.ts';
import { CATEGORY_SHARE, PRICE } from './mix.ts';
import { apportion, round2, type Rng } from './rng.ts';
import { UNIT_COUNTED, type DemoFile, type DemoTargets, type StoryPart } from './targets.ts';

export function fitQuantities(drafts: readonly Draft[], targets: DemoTargets, rng: Rng): void {
  for (const cat of Object.keys(CATEGORY_SHARE) as Category[]) {
    const inCat = drafts.filter((d) => d.row.category === cat && UNIT_COUNTED.has(d.row.unit));
    const fixed = inCat.filter((d) => !d.scaled).reduce((a, d) => a + d.row.quantity, 0);
    const scaled = inCat.filter((d) => d.scaled);
    const target = targets.units[cat] - fixed;
    if (scaled.length === 0 || target < scaled.length) throw new RangeError(`the demo cannot reach ${targets.units[cat]} ${cat} units`);
    const parts = apportion(
      target,
      scaled.map((d) => d.raw),
      0,
    );
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
        d.row.estimated_value = round2(
          d.row.quantity * (PRICE[d.row.product] ?? 1) * (d.row.unit === 'packs' ? 20 : 1) * (0.5 + rng.next()),
        );
      }
    });
  }
}

/** One file per slot, cases in date order as a Member's register lists them, renumbered; `planted` follows the new case references. */
export function filesOf(config: OperationConfig, slots: readonly Slot[], planted: Map<string, StoryPart>): DemoFile[] {
  const renamed = new Map<string, StoryPart>();
  const files = slots.map((s) => {
    const cases = [...s.cases].sort(
      (a, b) => a[0]!.row.seizure_date.localeCompare(b[0]!.row.seizure_date) || a[0]!.row.case_ref.localeCompare(b[0]!.row.case_ref),
    );
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
  return files;
}
