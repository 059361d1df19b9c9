import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ALPHA2 } from '../../../../functions/core/vocabulary/countries.ts';
import { REGION_NAMES, regionName, regionOf, regionTable, WCO_REGIONS } from '../../../../functions/core/vocabulary/regions.ts';

test('every ISO 3166 country but the Antarctic territories has one WCO region', () => {
  const missing = [...ALPHA2].filter((c) => regionOf(c) === undefined).sort();
  assert.deepEqual(missing, ['AQ', 'BV', 'GS', 'HM', 'TF']);
  for (const c of regionTable().keys()) assert.ok(ALPHA2.has(c), `${c} is no ISO code`);
  assert.equal(regionTable().size, ALPHA2.size - 5);
});

test('regions as the WCO draws them, named in English, French and Spanish', () => {
  const cases: [string, string][] = [
    ['TR', 'EUR'],
    ['IL', 'EUR'],
    ['KZ', 'EUR'],
    ['IR', 'AP'],
    ['AF', 'AP'],
    ['HK', 'AP'],
    ['EG', 'MENA'],
    ['SD', 'MENA'],
    ['CM', 'WCA'],
    ['CD', 'WCA'],
    ['KE', 'ESA'],
    ['ZA', 'ESA'],
    ['BR', 'AC'],
    ['us', 'AC'],
  ];
  for (const [c, r] of cases) assert.equal(regionOf(c), r, c);
  assert.equal(regionOf('XX'), undefined);
  for (const r of WCO_REGIONS) for (const lang of ['en', 'fr', 'es'] as const) assert.ok(REGION_NAMES[r][lang].length > 3);
  assert.equal(regionName('ESA', 'fr'), 'Afrique orientale et australe');
  assert.equal(regionName('AC', 'es'), 'Américas y el Caribe');
});
