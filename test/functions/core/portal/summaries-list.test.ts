/** Issue 17 (8): the portal's list of summaries, ordered by the day each run covers; "sent to NCPs" as a plain fact. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { PhaseTable, SummaryItem } from '../../../../functions/core/phase/items.ts';
import { coveredDay, listSummaries } from '../../../../functions/core/portal/summaries.ts';
import { OPERATION } from '../../../lib/helpers.ts';

const item = (phase: number, mode: 'final' | 'interim', asOf: string, storedAt: string, alert = true): SummaryItem =>
  ({
    operation: OPERATION.id,
    phase,
    mode,
    asOf,
    runLabel: mode === 'final' ? 'final' : `interim-${asOf}`,
    storedAt,
    alert,
    signalCount: 1,
    counts: { lines: 1, cases: 1, units: 1, kg: 0, litres: 0, reportingMembers: 1, participatingMembers: 160 },
  }) as unknown as SummaryItem;

test('runs are listed by the day they cover, newest first, whenever each ran; a final run before an interim run of its last day', async () => {
  const [p1, p2] = OPERATION.phases as [{ phase: number; end: string }, { phase: number; start: string; end: string }];
  const items = [
    item(2, 'interim', '2021-12-20', '2022-01-10T06:00:00Z'), // rerun late: stored last, covers an earlier week
    item(2, 'interim', '2022-01-03', '2022-01-03T06:00:00Z', false),
    item(1, 'final', p1.end, '2021-10-02T06:00:00Z'),
    item(2, 'final', '2022-02-01', '2022-02-01T06:00:00Z'),
    item(2, 'interim', p2.end, '2022-02-01T05:00:00Z', false),
  ];
  const table = { listSummaries: async () => items } as unknown as PhaseTable;
  const list = await listSummaries(table, OPERATION);
  assert.deepEqual(
    list.map((e) => [e.phase, e.runLabel, e.covers]),
    [
      [2, 'final', p2.end],
      [2, `interim-${p2.end}`, p2.end],
      [2, 'interim-2022-01-03', '2022-01-03'],
      [2, 'interim-2021-12-20', '2021-12-20'],
      [1, 'final', p1.end],
    ],
  );
  assert.deepEqual(
    list.map((e) => e.sentToNcps),
    [true, false, false, true, true],
  );
  assert.equal(
    coveredDay(OPERATION, { phase: 2, mode: 'final', asOf: '2022-02-01' }),
    p2.end,
    'a final run covers the phase, whatever its asOf',
  );
});
