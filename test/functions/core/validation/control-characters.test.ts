/**
 * Control characters (C0, DEL, C1: ESC and the like) in text cells are refused with a row error naming the column,
 * the row and where the character is, in the Member's language; the echoed cell never carries them; tab and line
 * breaks stay allowed in free text, never in a case reference.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { isMessageId, message } from '../../../../functions/core/validation/messages.ts';
import { validateWorkbook } from '../../../../functions/core/validation/validate.ts';
import { EN_HEADER, enRow, memWorkbook, type Value } from '../../../helpers/workbook.ts';

const config = loadOperationConfig();
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

async function run(rows: Value[][], lang?: 'en' | 'fr' | 'es') {
  const records: SeizureRecord[] = [];
  const report = await validateWorkbook(memWorkbook([{ name: 'Data', rows }]), 'fr.xlsx', {
    config,
    today: '2026-11-28',
    onRecord: (r) => void records.push(r),
    ...(lang ? { lang } : {}),
  });
  return { report, records };
}

test('an ESC in a case reference is a control-character row error, and no record is made of the row', async () => {
  const { report, records } = await run([EN_HEADER, enRow({ case: 'C-\u001b[2J1' }), enRow({ case: 'C-2' })]);
  assert.deepEqual(
    report.errors.map((e) => [e.type, e.code, e.fieldName, e.rowNumber]),
    [['constraint-error', 'control-character', 'case_ref', 2]],
  );
  assert.deepEqual(
    records.map((r) => r.case_ref),
    ['C-2'],
  );
  const e = report.errors[0]!;
  assert.equal(e.params?.char, 'U+001B');
  assert.equal(e.params?.position, 3);
  assert.match(e.message, /invisible control character at position 3 \(U\+001B\)/);
  assert.match(e.message, /column 'Case reference', row 2/);
  // Echoed, it is visible and harmless: U+FFFD where the ESC was.
  assert.equal(e.cell, 'C-\ufffd[2J1');
  assert.doesNotMatch(JSON.stringify(report), /\\u001b/i);
});

test('C1 (U+009B, a one-byte CSI) and DEL are refused too; in a description, tab and line breaks are kept', async () => {
  const c1 = await run([EN_HEADER, enRow({ product: 'Other medicine', description: 'Tablets\u009b31m' })]);
  assert.deepEqual(
    c1.report.errors.map((e) => [e.code, e.fieldName, e.params?.char]),
    [['control-character', 'description', 'U+009B']],
  );
  assert.doesNotMatch(c1.report.errors[0]!.cell ?? '', CONTROL);
  const del = await run([EN_HEADER, enRow({ location: 'Port\u007f' })]);
  assert.deepEqual(
    del.report.errors.map((e) => [e.code, e.fieldName]),
    [['control-character', 'location']],
  );
  const ok = await run([EN_HEADER, enRow({ product: 'Other medicine', description: 'Tablets\tblue\r\nbox of 30' })]);
  assert.deepEqual(ok.report.errors, []);
  assert.equal(ok.records[0]!.description, 'Tablets\tblue\r\nbox of 30');
});

test('a line break or a tab inside a case reference is refused (it is a key, not free text)', async () => {
  for (const [ref, char] of [
    ['C\n1', 'U+000A'],
    ['C\t1', 'U+0009'],
  ] as const) {
    const { report } = await run([EN_HEADER, enRow({ case: ref })]);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.params?.char]),
      [['control-character', char]],
      JSON.stringify(ref),
    );
  }
});

test('the message is in the Member’s language: French and Spanish', async () => {
  const fr = await run([EN_HEADER, enRow({ case: 'C\u00071' })], 'fr');
  assert.equal(
    fr.report.errors[0]!.message,
    "Le texte dans la colonne 'Case reference', ligne 2 contient un caractère de contrôle invisible en position 2 (U+0007) : retapez le texte, ou collez-le en texte brut, et renvoyez le fichier.",
  );
  const es = await run([EN_HEADER, enRow({ case: 'C\u00071' })], 'es');
  assert.match(es.report.errors[0]!.message, /contiene un carácter de control invisible en la posición 2 \(U\+0007\)/);
  // The code is part of the report's contract: known to the messages table, worded in the three languages.
  assert.ok(isMessageId('control-character'));
  for (const lang of ['en', 'fr', 'es'] as const) {
    const m = message('control-character', lang, { row: 9, column: 'Remarques', char: 'U+001B', position: 4 });
    assert.match(m, /9/);
    assert.match(m, /Remarques/);
    assert.match(m, /U\+001B/);
  }
});

test('another error on a cell holding a control character echoes it without the character', async () => {
  const { report } = await run([EN_HEADER, enRow({ product: 'Ivermecitn\u001b' })]);
  const e = report.errors.find((x) => x.fieldName === 'product')!;
  assert.equal(e.code, 'unknown-value');
  assert.doesNotMatch(e.message, CONTROL);
  assert.doesNotMatch(e.cell ?? '', CONTROL);
});
