/** `seizures config check`'s rules (functions/core/operation/config-check.ts and functions/core/contracts/operation-env.ts): one test per rule. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkOperationConfig, operationOfFile } from '../../../../functions/core/operation/config-check.ts';
import { PROJECT_ROOT } from '../../../../functions/core/operation/config.ts';
import { checkDeployableConfig, OPERATION_ENV_BUDGET } from '../../../../functions/core/contracts/operation-env.ts';

const base = () => ({
  id: 'op-x',
  name: 'Operation X',
  phases: [
    { phase: 1, start: '2027-03-01', end: '2027-05-31' },
    { phase: 2, start: '2027-06-01', end: '2027-08-31' },
  ],
  analysts: ['analysts@x.example.org'],
  mailFrom: 'alerts@x.example.org',
  thresholds: { earsAlpha: 0.001, trendQ: 0.05 },
  members: [
    { code: 'FR', name: 'France', language: 'fr', ncpEmail: 'ncp.fr@customs.example.org' },
    { code: 'DE', name: 'Germany', ncpEmail: 'ncp.de@customs.example.org' },
  ],
});

/** The fields named by the errors of a config changed by `f`. */
function fieldsOf(f: (c: any) => void): string[] {
  const c = base();
  f(c);
  const r = checkDeployableConfig(c);
  assert.equal(r.valid, r.errors.length === 0);
  return r.errors.map((e) => e.field);
}

describe('config check', () => {
  test('a sound config is valid, with its defaults filled; the shipped cdk.json and the example future operation too', () => {
    const r = checkOperationConfig(base());
    assert.deepEqual(r.errors, []);
    assert.equal(r.valid, true);
    assert.equal(r.config?.thresholds.outlierScore, 3.5);
    for (const file of ['cdk.json', 'bin/ops/example-future-operation.json']) {
      const c = checkDeployableConfig(operationOfFile(JSON.parse(readFileSync(resolve(PROJECT_ROOT, file), 'utf8'))));
      assert.deepEqual(c.errors, [], file);
    }
  });

  test('id: lower-case letters, digits and dashes; "--" is reserved for smoke runs', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.id = 'Stop II')),
      ['id'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.id = 'stop--ii')),
      ['id'],
    );
  });

  test('phases: a non-empty array, numbered 1..n in date order', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.phases = [])),
      ['phases'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.phases[1].phase = 3)),
      ['phases[1].phase'],
    );
  });

  test('dates: YYYY-MM-DD and real (2027-02-30 is not), a phase never ends before it starts', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.phases[0].start = '01/03/2027')),
      ['phases[0].start'],
    );
    const r = checkOperationConfig({ ...base(), phases: [{ phase: 1, start: '2027-02-01', end: '2027-02-30' }] });
    assert.deepEqual(
      r.errors.map((e) => [e.field, e.message]),
      [['phases[0].end', '2027-02-30 is not a real date']],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.phases[0] = { phase: 1, start: '2027-05-31', end: '2027-03-01' })),
      ['phases[0].end'],
    );
  });

  test('phases do not overlap', () => {
    const r = checkOperationConfig({
      ...base(),
      phases: [
        { phase: 1, start: '2027-03-01', end: '2027-06-10' },
        { phase: 2, start: '2027-06-01', end: '2027-08-31' },
      ],
    });
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ['phases[1].start'],
    );
    assert.match(r.errors[0]!.message, /overlap/);
  });

  test('phases are contiguous: each starts the day after the previous ends', () => {
    const r = checkOperationConfig({
      ...base(),
      phases: [
        { phase: 1, start: '2027-03-01', end: '2027-05-30' },
        { phase: 2, start: '2027-06-01', end: '2027-08-31' },
      ],
    });
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ['phases[1].start'],
    );
    assert.match(r.errors[0]!.message, /not on 2027-05-31, the day after phase 1 ends \(2027-05-30\): phases must be contiguous/);
  });

  test('Member codes: ISO 3166-1 alpha-2 in capitals (not fr, FRA, ZZ), never the test Member XT', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].code = 'fr')),
      ['members[0].code'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].code = 'FRA')),
      ['members[0].code'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].code = 'ZZ')),
      ['members[0].code'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].code = 'XT')),
      ['members[0].code'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.members = [])),
      ['members'],
    );
  });

  test('Member codes are unique', () => {
    const fields = fieldsOf((c) => c.members.push({ code: 'FR', ncpEmail: 'other@customs.example.org' }));
    assert.deepEqual(fields, ['members[2].code']);
  });

  test('languages: en, fr or es', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.members[1].language = 'de')),
      ['members[1].language'],
    );
  });

  test('NCP addresses are well formed; a Member without one is a warning, not an error', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].ncpEmail = 'ncp.fr@customs')),
      ['members[0].ncpEmail'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.members[0].ncpEmail = 'NCP France <ncp.fr@customs.example.org>')),
      ['members[0].ncpEmail'],
    );
    const c = base();
    delete (c.members[1] as { ncpEmail?: string }).ncpEmail;
    const r = checkOperationConfig(c);
    assert.equal(r.valid, true);
    assert.deepEqual(
      r.warnings.map((w) => w.field),
      ['members[1].ncpEmail'],
    );
  });

  test('analysts and the sender are well-formed addresses', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.analysts = ['analysts'])),
      ['analysts[0]'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.mailFrom = 'alerts at x')),
      ['mailFrom'],
    );
  });

  test('thresholds: known names, numbers in range', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.earsAlpha = 0)),
      ['thresholds.earsAlpha'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.trendQ = 1.5)),
      ['thresholds.trendQ'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.trendRatio = 0.5)),
      ['thresholds.trendRatio'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.trendMinCount = 2.5)),
      ['thresholds.trendMinCount'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.outlierScore = '3.5')),
      ['thresholds.outlierScore'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.trendRatioo = 2)),
      ['thresholds.trendRatioo'],
    );
  });

  test('the weekly alarm method is exact or ears; counts of Members and cases are whole numbers >= 1; the portal URL is https', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.alarmMethod = 'cusum')),
      ['thresholds.alarmMethod'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.noveltyMinMembers = 0)),
      ['thresholds.noveltyMinMembers'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.alarmBaselineWeeks = 2)),
      ['thresholds.alarmBaselineWeeks'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.thresholds.alarmQ = 0)),
      ['thresholds.alarmQ'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.portalUrl = 'http://portal.example.org')),
      ['portalUrl'],
    );
    assert.deepEqual(
      fieldsOf((c) => (c.portalUrl = 'https://portal.example.org')),
      [],
    );
  });

  test('smokeTests is a boolean', () => {
    assert.deepEqual(
      fieldsOf((c) => (c.smokeTests = 'yes')),
      ['smokeTests'],
    );
  });

  test("the compact Lambda form stays under its budget (Members' languages and names count, their NCP addresses do not)", () => {
    const c: Record<string, unknown> & { members: unknown[] } = base();
    c.members = [...'ABCDEFGHIJKLMNOPRSTUVWYZ']
      .flatMap((a) => [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((b) => `${a}${b}`))
      .filter((code) => checkOperationConfig({ ...base(), members: [{ code }] }).valid && code !== 'XT')
      .map((code) => ({ code, name: code, language: 'fr', ncpEmail: `ncp.${code.toLowerCase()}@customs.example.org` }));
    assert.ok(c.members.length > 200);
    const r = checkDeployableConfig(c);
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ['(OPERATION_CONFIG)'],
    );
    assert.match(r.errors[0]!.message, new RegExp(`over the ${OPERATION_ENV_BUDGET} allowed`));
  });

  test('every problem is listed at once, not only the first', () => {
    const fields = fieldsOf((c) => {
      c.id = 'X';
      c.members[0].language = 'it';
      c.thresholds.trendQ = 2;
    });
    assert.deepEqual(fields, ['id', 'members[0].language', 'thresholds.trendQ']);
  });

  test('a config file is cdk.json (context.operation) or the operation alone', () => {
    assert.equal((operationOfFile({ context: { operation: { id: 'a' } } }) as { id: string }).id, 'a');
    assert.equal((operationOfFile({ id: 'b' }) as { id: string }).id, 'b');
  });
});
