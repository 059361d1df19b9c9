/**
 * `seizures nil-return` against a running local cloud: refused (exit 1, said in the Member's language, JSON with
 * `refused`) when the Member has seizure lines stored for the phase; recorded (exit 0) for a phase without.
 */
import './quiet.ts';
import { afterAll, beforeAll, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { phasePk } from '../../../functions/core/store/keys.ts';
import { seizures, testCloud, type TestCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let t: TestCloud;
beforeAll(async () => {
  t = await testCloud();
  // A stored line of FR in phase 1, keyed as the store keys it (the byPhase index).
  await t.dynamo.send(
    new PutItemCommand({
      TableName: t.cloud.tableName,
      Item: {
        pk: { S: 'CASE#FR#C-1' },
        sk: { S: 'LINE#000001' },
        gsi1pk: { S: phasePk(1, 'FR') },
        gsi1sk: { S: 'C-1#000001' },
      },
    }),
  );
});
afterAll(async () => {
  await t?.close();
});

test('refused with exit 1 when the Member has seizures stored for the phase; recorded for another phase', async () => {
  const refused = await seizures(['nil-return', '--member', 'FR', '--phase', '1', '--format', 'json', '--data-dir', t.dataDir]);
  assert.equal(refused.code, 1, refused.stderr);
  const out = JSON.parse(refused.stdout);
  assert.equal(out.created, false);
  assert.equal(out.refused, 'phase-has-seizures');
  // FR's language in the operation config is French.
  assert.match(out.message, /^Non enregistré : des saisies de votre administration sont déjà enregistrées pour la phase\u00a01/);
  const text = await seizures(['nil-return', '--member', 'FR', '--phase', '1', '--data-dir', t.dataDir]);
  assert.equal(text.code, 1);
  assert.match(text.stderr, /FR, phase 1: Non enregistré/);
  const ok = await seizures(['nil-return', '--member', 'FR', '--phase', '2', '--data-dir', t.dataDir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /nil return recorded: FR has nothing to report for phase 2/);
});
