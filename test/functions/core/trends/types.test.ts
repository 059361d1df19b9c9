import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { compositeKey, memberCount, splitKey } from '../../../../functions/core/trends/types.ts';
import { countLines, keysOf, mergeCounts } from './helpers.ts';

function line(over: Partial<SeizureRecord> = {}): SeizureRecord {
  return {
    reporting_member: 'FR',
    case_ref: 'C-1',
    line_no: 1,
    seizure_date: '2021-06-15',
    phase: 1,
    category: 'medicine',
    product: 'ivermectin',
    quantity: 10,
    unit: 'pieces',
    transport_mode: 'air_cargo',
    infringement_type: 'falsified',
    source: { file: 'fr.xlsx', sheet: 'Data', row: 2 },
    ...over,
  };
}

test('keysOf builds the route from departure (else origin), transits and destination', () => {
  assert.equal(keysOf(line({ origin_country: 'IN', transit_countries: ['AE', 'TR'], destination_country: 'FR' })).route, 'IN>AE>TR>FR');
  assert.equal(keysOf(line({ origin_country: 'IN', departure_country: 'CN', destination_country: 'FR' })).route, 'CN>FR');
  assert.equal(keysOf(line({ origin_country: 'IN' })).route, 'IN>unknown');
  assert.equal(keysOf(line()).route, undefined);
});

test('keysOf leaves a line out of a dimension it does not tell, but keeps it in composites as unknown', () => {
  const k = keysOf(line({ concealment_method: undefined }));
  assert.equal(k.concealment, undefined);
  assert.equal(k.origin, undefined);
  assert.deepEqual(splitKey(k.profile!), ['unknown', 'air_cargo', 'unknown', 'ivermectin']);
  assert.deepEqual(splitKey(k.product_concealment!), ['ivermectin', 'unknown']);
});

test('compositeKey round-trips parts that contain separators', () => {
  const parts = ['a|b', 'c>d', '"e",f', ''];
  assert.deepEqual(splitKey(compositeKey(...parts)), parts);
  assert.notEqual(compositeKey('a|b', 'c'), compositeKey('a', 'b|c'));
});

test('countLines counts lines per key and each reporting Member once', () => {
  const c = countLines(
    [line(), line({ line_no: 2 }), line({ reporting_member: 'DE' }), line({ product: 'sildenafil' })],
    ['product'],
  ).product;
  assert.equal(c.get('ivermectin')!.lines, 3);
  assert.deepEqual([...c.get('ivermectin')!.members].sort(), ['DE', 'FR']);
  assert.equal(c.get('sildenafil')!.lines, 1);
});

test('mergeCounts adds lines and unites Members across partials', () => {
  const fr = new Map([['x', { lines: 2, members: new Set(['FR']) }]]);
  const de = new Map([
    ['x', { lines: 3, members: new Set(['DE', 'FR']) }],
    ['y', { lines: 1, members: new Set(['DE']) }],
  ]);
  const m = mergeCounts(fr, de);
  assert.equal(m.get('x')!.lines, 5);
  assert.equal(memberCount(m.get('x')!.members), 2);
  assert.equal(m.get('y')!.lines, 1);
});

test('mergeCounts refuses cells whose Members are already a bare count', () => {
  assert.throws(() => mergeCounts(new Map([['x', { lines: 1, members: 1 }]])), TypeError);
});
