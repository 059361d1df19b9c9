/**
 * The smoke operation (functions/core/operation/smoke.ts): XT is a Member only of it, only when the deployment enables smoke
 * tests; a phase-close event naming it gets its config (functions/shared/phase-event.ts perOperation), any other the
 * deployment's own.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { configForRun, configForUpload, smokeOperation, SMOKE_RECIPIENT, TEST_MEMBER } from '../../../../functions/core/operation/smoke.ts';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { validateSpreadsheet } from '../../../../functions/core/validation/validate.ts';
import { perOperation } from '../../../../functions/shared/phase-event.ts';
import { planStep } from '../../../../functions/core/phase/steps.ts';
import { OPERATION } from '../../../lib/helpers.ts';

const ON = { ...OPERATION, smokeTests: true };
const CSV =
  'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type\nXT,S-1,2026-11-25,Medicines,Ivermectin,100,Pieces,Air cargo,Falsified\n';
const validate = (config: typeof OPERATION) =>
  validateSpreadsheet(bufferByteSource('smoke.csv', Buffer.from(CSV)), { config, member: TEST_MEMBER, today: '2026-12-02' });

describe('the smoke operation', () => {
  test('one test phase around the reference day, Member XT whose NCP is the SES mailbox simulator, no analysts', () => {
    const s = smokeOperation(ON, '2026-12-02');
    assert.equal(s.id, 'stop-ii--smoke');
    assert.deepEqual(s.phases, [{ phase: 1, start: '2025-01-01', end: '2026-12-31' }]);
    assert.deepEqual(
      s.members.map((m) => [m.code, m.ncpEmail]),
      [[TEST_MEMBER, SMOKE_RECIPIENT]],
    );
    assert.deepEqual(s.analysts, []);
    assert.equal(s.mailFrom, OPERATION.mailFrom);
  });

  test('an XT upload is validated under the smoke operation only when smoke tests are on', async () => {
    assert.equal(configForUpload(OPERATION, TEST_MEMBER, '2026-12-02'), OPERATION);
    assert.equal(configForUpload(ON, 'FR', '2026-12-02'), ON);
    const accepted = await validate(configForUpload(ON, TEST_MEMBER, '2026-12-02'));
    assert.equal(accepted.stats.validRows, 1, JSON.stringify(accepted.errors));
    const refused = await validate(configForUpload(OPERATION, TEST_MEMBER, '2026-12-02'));
    assert.equal(refused.stats.validRows, 0);
    assert.ok(refused.errors.some((e) => e.fieldName === 'reporting_member'));
  });

  test('a phase-close event gets the smoke config only when it names the smoke operation and smoke tests are on', () => {
    const input = { operation: 'stop-ii--smoke', phase: 1, mode: 'interim', asOf: '2026-12-02' };
    assert.equal(configForRun(ON, input).id, 'stop-ii--smoke');
    assert.equal(configForRun(ON, { input, slice: {} }).id, 'stop-ii--smoke');
    assert.equal(configForRun(OPERATION, input), OPERATION);
    assert.equal(configForRun(ON, { ...input, operation: 'stop-ii' }), ON);
  });

  test('perOperation: the plan of a smoke run has the one XT slice; the deployment refuses it when smoke tests are off', async () => {
    const input = { operation: 'stop-ii--smoke', phase: 1, mode: 'interim', asOf: '2026-12-02' };
    const plan = perOperation({ config: ON }, (d) => async (e: unknown) => planStep(d.config, e));
    assert.deepEqual((await plan(input)).slices, [{ member: TEST_MEMBER, phase: 1 }]);
    assert.equal(
      (await plan({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-10-01' })).slices.length,
      OPERATION.members.length,
    );
    const off = perOperation({ config: OPERATION }, (d) => async (e: unknown) => planStep(d.config, e));
    await assert.rejects(off(input), /unknown operation "stop-ii--smoke"/);
  });
});
