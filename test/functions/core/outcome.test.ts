import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../functions/core/config.ts';
import { acceptNilReturn, isLaterVersion, MAX_REPLACED_FILES, outcomeLines, replacedFilesOf } from '../../../functions/core/outcome.ts';
import { emptyResult } from '../../../functions/core/store/objects.ts';
import { isNewer, tokenOf, versionDigest } from '../../../functions/core/store/heads.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { submission, useDynalite } from './store/local-dynamo.ts';
import { formatReportText } from '../../../functions/core/report-text.ts';
import { isRejected, validateWorkbook } from '../../../functions/core/validate.ts';
import { EN_HEADER, memWorkbook } from '../../helpers/workbook.ts';

const config = loadOperationConfig();
const stored = {
  written: 4,
  withdrawn: 3,
  supersededCases: 1,
  storedCases: 2,
  replacedCases: 1,
  withdrawnCases: 2,
  replacedFiles: [{ file: 'semana 12.xlsx', receivedAt: '2021-06-20T10:00:05.000Z' }],
};

test('what storing did is said in the report language, the earlier files named', () => {
  assert.deepEqual(outcomeLines({ stored, warnings: [], language: 'es' }), [
    'Guardado: 2 caso(s), 4 línea(s).',
    'Reemplazado: 1 caso(s) que un envío anterior había enviado; ahora valen las líneas de este archivo.',
    'Retirado: 2 caso(s) que una versión anterior de este archivo tenía y esta ya no tiene; 3 línea(s) anterior(es) eliminada(s) en total.',
    'Superado: 1 caso(s) dejados como estaban, porque un envío más reciente ya los había enviado.',
    'Archivos anteriores reemplazados:',
    '  - semana 12.xlsx (2021-06-20 10:00 UTC)',
  ]);
  // A submission recorded before case counts: lines only, nothing invented.
  assert.deepEqual(outcomeLines({ stored: { written: 0, withdrawn: 0, supersededCases: 0 }, warnings: [], language: 'en' }), []);
});

test('the empty template, accepted as a nil return, is no longer rejected and the text report says so once', async () => {
  const report = await validateWorkbook(memWorkbook([{ name: 'Data', rows: [EN_HEADER] }]), 'empty.xlsx', { config, member: 'FR' });
  assert.ok(isRejected(report));
  acceptNilReturn(report, { phase: 2, created: false });
  assert.equal(isRejected(report), false);
  assert.equal(report.valid, true);
  assert.equal(report.stats.errors, 0);
  assert.deepEqual(report.nilReturn, { phase: 2, created: false });
  const text = formatReportText(report);
  assert.equal(text.split('Nothing to report this phase (phase 2): your nil return for this phase was already recorded.').length - 1, 1);
});

test('a nil return under the key of a data file says the earlier cases stay stored, in each language', async () => {
  const said = async (lang: 'en' | 'fr' | 'es', earlierKept: boolean): Promise<string> => {
    const report = await validateWorkbook(memWorkbook([{ name: 'Data', rows: [EN_HEADER] }]), 'empty.xlsx', { config, member: 'FR', lang });
    acceptNilReturn(report, { phase: 1, created: true }, { earlierKept });
    assert.deepEqual(report.nilReturn, { phase: 1, created: true });
    return report.warnings[0]!.message;
  };
  assert.equal(await said('en', false), 'Nothing to report this phase (phase 1): recorded as your nil return for this phase.');
  assert.match(await said('en', true), /The cases an earlier version of this file sent stay stored: an empty file withdraws nothing\./);
  assert.match(await said('fr', true), /restent enregistrées : un fichier vide ne retire rien\./);
  assert.match(await said('es', true), /siguen guardados: un archivo vacío no retira nada\./);
});

test('versions of one key: the greater sequencer is the later version, whatever the event times', () => {
  const a = { orderToken: '2021-06-20T10:00:05.000Z#000000000000000000000000000000A0' };
  const b = { orderToken: '2021-06-20T10:00:04.000Z#00000000000000000000000000000100' };
  assert.equal(isLaterVersion(b, a), true);
  assert.equal(isLaterVersion(a, b), false);
  // Without sequencers, the orderToken decides.
  const c = { orderToken: '2021-06-20T10:00:06.000Z#00000000000000000000000000000000' };
  assert.equal(isLaterVersion(c, b), true);
});

test('versions of one key compare alike in heads and in submissions, a missing sequencer included', () => {
  const tokens = [
    '2021-06-20T10:00:05.000Z#000000000000000000000000000000A0',
    '2021-06-20T10:00:04.000Z#00000000000000000000000000000100',
    '2021-06-20T10:00:06.000Z#00000000000000000000000000000000', // no sequencer
    '2021-06-20T10:00:03.000Z#00000000000000000000000000000000', // no sequencer
    '2021-06-20T10:00:05.000Z#FF',
  ];
  const key = 'incoming/FR/a.xlsx';
  for (const [i, a] of tokens.entries())
    for (const [j, b] of tokens.entries()) {
      if (i === j) continue;
      const heads = isNewer(
        tokenOf({ member: 'FR', objectKey: key, versionId: `v${i}`, orderToken: a }),
        tokenOf({ member: 'FR', objectKey: key, versionId: `v${j}`, orderToken: b }),
      );
      assert.equal(heads, isLaterVersion({ orderToken: a }, { orderToken: b }), `${a} vs ${b}`);
    }
});

const local = useDynalite();

test('the Summary names the newest of the earlier files it replaced, oldest first', async () => {
  const store = new SeizureStore({ client: local.client(), tableName: await local.table() });
  const result = emptyResult();
  for (let i = 0; i < MAX_REPLACED_FILES + 5; i++) {
    const s = submission({
      objectKey: `incoming/FR/f${i}.xlsx`,
      versionId: 'v',
      receivedAt: new Date(Date.UTC(2021, 5, 1, i)).toISOString(),
    });
    await store.putSubmission(s);
    result.replaced.push(versionDigest(s.objectKey, s.versionId));
  }
  const files = await replacedFilesOf(store, 'FR', result);
  assert.equal(files.length, MAX_REPLACED_FILES);
  assert.equal(files[0]!.file, 'f5.xlsx');
  assert.equal(files.at(-1)!.file, `f${MAX_REPLACED_FILES + 4}.xlsx`);
});
