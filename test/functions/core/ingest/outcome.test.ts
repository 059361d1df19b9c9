import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import {
  acceptNilReturn,
  isLaterVersion,
  MAX_REPLACED_FILES,
  outcomeLines,
  replacedFilesOf,
} from '../../../../functions/core/ingest/outcome.ts';
import { emptyResult } from '../../../../functions/core/store/objects.ts';
import { isNewer, tokenOf, versionDigest } from '../../../../functions/core/store/heads.ts';
import { SeizureStore } from '../../../../functions/core/store/store.ts';
import { submission, useDynalite } from '../store/local-dynamo.ts';
import { formatReportText } from '../../../../functions/core/ingest/report-text.ts';
import { isRejected, validateWorkbook } from '../../../../functions/core/validation/validate.ts';
import { EN_HEADER, memWorkbook } from '../../../helpers/workbook.ts';

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
    'Guardado: 2 casos, 4 líneas.',
    'Reemplazado: 1 caso que un envío anterior incluía; ahora valen las líneas de este archivo.',
    'Retirado: 2 casos que una versión anterior de este archivo tenía y esta ya no tiene; 3 líneas anteriores eliminadas en total.',
    'Superado: 1 caso dejado como estaba, porque un envío más reciente ya lo incluía.',
    'Archivos anteriores reemplazados:',
    '  - semana 12.xlsx (2021-06-20 10:00 UTC)',
  ]);
  // A submission recorded before case counts: lines only, nothing invented.
  assert.deepEqual(outcomeLines({ stored: { written: 0, withdrawn: 0, supersededCases: 0 }, warnings: [], language: 'en' }), []);
});

test('every count agrees with its number, 0, 1 and 2, in each language (French: 0 and 1 singular)', () => {
  const said = (language: 'en' | 'fr' | 'es', k: number): string[] =>
    outcomeLines({
      stored: { written: k, withdrawn: k, supersededCases: k, storedCases: k, replacedCases: k + 1, withdrawnCases: k + 1 },
      warnings: [],
      language,
    });
  assert.deepEqual(said('en', 0), [
    'Stored: 0 cases, 0 lines.',
    "Replaced: 1 case an earlier upload had sent; this file's lines now stand for it.",
    'Withdrawn: 1 case that an earlier version of this file had and this one no longer has; 0 earlier lines removed in all.',
  ]);
  assert.deepEqual(said('en', 1), [
    'Stored: 1 case, 1 line.',
    "Replaced: 2 cases an earlier upload had sent; this file's lines now stand for them.",
    'Withdrawn: 2 cases that an earlier version of this file had and this one no longer has; 1 earlier line removed in all.',
    'Superseded: 1 case left as it is, because a newer upload already sent it.',
  ]);
  assert.deepEqual(said('en', 2).at(-1), 'Superseded: 2 cases left as they are, because a newer upload already sent them.');
  assert.deepEqual(said('fr', 0), [
    'Enregistré : 0 affaire, 0 ligne.',
    "Remplacé : 1 affaire qu'un envoi précédent avait transmise ; les lignes de ce fichier la remplacent.",
    'Retiré : 1 affaire présente dans une version précédente de ce fichier et absente de celle-ci ; 0 ligne précédente supprimée au total.',
  ]);
  assert.deepEqual(said('fr', 1), [
    'Enregistré : 1 affaire, 1 ligne.',
    "Remplacé : 2 affaires qu'un envoi précédent avait transmises ; les lignes de ce fichier les remplacent.",
    'Retiré : 2 affaires présentes dans une version précédente de ce fichier et absentes de celle-ci ; 1 ligne précédente supprimée au total.',
    "Dépassé : 1 affaire laissée telle quelle, car un envoi plus récent l'a déjà transmise.",
  ]);
  assert.deepEqual(said('fr', 2), [
    'Enregistré : 2 affaires, 2 lignes.',
    "Remplacé : 3 affaires qu'un envoi précédent avait transmises ; les lignes de ce fichier les remplacent.",
    'Retiré : 3 affaires présentes dans une version précédente de ce fichier et absentes de celle-ci ; 2 lignes précédentes supprimées au total.',
    'Dépassé : 2 affaires laissées telles quelles, car un envoi plus récent les a déjà transmises.',
  ]);
  assert.deepEqual(said('es', 0), [
    'Guardado: 0 casos, 0 líneas.',
    'Reemplazado: 1 caso que un envío anterior incluía; ahora valen las líneas de este archivo.',
    'Retirado: 1 caso que una versión anterior de este archivo tenía y esta ya no tiene; 0 líneas anteriores eliminadas en total.',
  ]);
  assert.deepEqual(said('es', 1), [
    'Guardado: 1 caso, 1 línea.',
    'Reemplazado: 2 casos que un envío anterior incluía; ahora valen las líneas de este archivo.',
    'Retirado: 2 casos que una versión anterior de este archivo tenía y esta ya no tiene; 1 línea anterior eliminada en total.',
    'Superado: 1 caso dejado como estaba, porque un envío más reciente ya lo incluía.',
  ]);
  assert.deepEqual(said('es', 2).at(-1), 'Superado: 2 casos dejados como estaban, porque un envío más reciente ya los incluía.');
  // Review: "un envío … había enviado" repeated the verb; the sentences say what an upload included.
  for (const k of [0, 1, 2]) assert.ok(!said('es', k).some((t) => /envío[^.;]*enviado/.test(t)), said('es', k).join(' | '));
  // Lines withdrawn without whole cases: the line count alone, agreeing.
  const lines = (language: 'en' | 'fr' | 'es', k: number): string | undefined =>
    outcomeLines({ stored: { written: 1, withdrawn: k, supersededCases: 0, storedCases: 1 }, warnings: [], language }).at(-1);
  assert.equal(lines('en', 1), 'Withdrawn: 1 earlier line of these cases that this file no longer has.');
  assert.equal(lines('fr', 1), 'Retiré : 1 ligne précédente de ces affaires, absente de ce fichier.');
  assert.equal(lines('fr', 2), 'Retiré : 2 lignes précédentes de ces affaires, absentes de ce fichier.');
  assert.equal(lines('es', 2), 'Retirado: 2 líneas anteriores de estos casos que este archivo ya no tiene.');
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
