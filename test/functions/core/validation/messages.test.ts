import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { validateSpreadsheet } from '../../../../functions/core/validation/validate.ts';
import { message, VOCAB_WORD, type MessageId } from '../../../../functions/core/validation/messages.ts';

const config = loadOperationConfig();

test('every message exists in English, French and Spanish and names the row and column it is about', () => {
  const ids: MessageId[] = ['missing-cell', 'not-a-number', 'not-a-date', 'unknown-value', 'member-mismatch', 'too-long', 'hs-code'];
  for (const id of ids) {
    for (const lang of ['en', 'fr', 'es'] as const) {
      const m = message(id, lang, {
        row: 13,
        column: 'Produit',
        value: 'Aspirine',
        what: 'x',
        accepted: 'a, b',
        member: 'FR',
        length: 40,
        max: 35,
      });
      assert.match(m, /13/, `${id}/${lang}`);
      assert.match(m, /Produit/, `${id}/${lang}`);
    }
  }
});

test('a vocabulary named inside a message is in lower case in French as in Spanish: « produit », «producto»', () => {
  for (const [name, w] of Object.entries(VOCAB_WORD)) {
    assert.equal(w.fr, w.fr.toLocaleLowerCase('fr'), `fr ${name}`);
    assert.equal(w.es, w.es.toLocaleLowerCase('es'), `es ${name}`);
  }
  const p = { row: 4, column: 'Produit', value: 'Aspirine', what: VOCAB_WORD.product!, accepted: 'a, b' };
  assert.match(message('unknown-value', 'fr', p), /n'est pas une valeur connue de « produit » :/);
  assert.match(message('unknown-value', 'es', p), /no es un valor conocido de «producto»:/);
});

test('a CSV sent under an .xlsx name is told to rename it', async () => {
  const r = await validateSpreadsheet(bufferByteSource('seizures.xlsx', Buffer.from('a,b\n1,2\n')), { config });
  assert.equal(r.errors[0]!.type, 'format-error');
  assert.match(r.errors[0]!.message, /rename it \.csv/);
});

test('an unclosed quote in a CSV names the line where it opened', async () => {
  const csv = 'Reporting Member,Case reference\nFR,"C-1\nFR,C-2\n';
  const r = await validateSpreadsheet(bufferByteSource('q.csv', Buffer.from(csv)), { config, lang: 'es' });
  const e = r.errors.find((x) => x.type === 'format-error');
  assert.ok(e, JSON.stringify(r.errors));
  assert.match(e.message, /línea 2/);
});

test('counted messages agree with their number in each language (French: 0 and 1 singular)', () => {
  const cells = (lang: 'en' | 'fr' | 'es', count: number) => message('ignored-cells', lang, { count, letter: 'K' }).split(':')[0];
  assert.equal(cells('en', 1), '1 cell from column K onwards was ignored');
  assert.equal(cells('en', 2), '2 cells from column K onwards were ignored');
  assert.equal(cells('fr', 0), '0 cellule à partir de la colonne K a été ignorée ');
  assert.equal(cells('fr', 1), '1 cellule à partir de la colonne K a été ignorée ');
  assert.equal(cells('fr', 2), '2 cellules à partir de la colonne K ont été ignorées ');
  assert.equal(cells('es', 1), 'Se ha ignorado 1 celda a partir de la columna K');
  assert.equal(cells('es', 2), 'Se han ignorado 2 celdas a partir de la columna K');
  const countries = (lang: 'en' | 'fr' | 'es', bad: string) => message('unknown-countries', lang, { bad, column: 'Transit', row: 4 });
  assert.match(countries('fr', 'ZZ'), / : code pays ISO inconnu ;/);
  assert.match(countries('fr', 'ZZ QQ'), / : codes pays ISO inconnus ;/);
  assert.match(countries('es', 'ZZ'), /: código de país ISO desconocido;/);
  assert.match(countries('es', 'ZZ QQ'), /: códigos de país ISO desconocidos;/);
  for (const lang of ['en', 'fr', 'es'] as const)
    for (const bad of ['ZZ', 'ZZ QQ']) assert.doesNotMatch(countries(lang, bad), /\((s|es)\)/, `${lang} ${bad}`);
});

test("each issue keeps its params, worded in every language: the portal says it in its reader's language as the file's check would", async () => {
  const csv =
    'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type,Transit countries,Colour\n' +
    'FR,A,2021-06-15,Medicines,Aspirin,10,Pieces,Air cargo,Falsified,,\n' +
    'FR,B,2021-06-15,Medicines,Ivermectin,1.5,Pieces,Air cargo,Falsified,ZZ QQ,\n' +
    'FR,C,2021-06-15,Vaccines,Ivermectin,10,Doses,Air cargo,Falsified,,\n' +
    'FR,D,2021-06-15,Medicines,Ivermectin,10,Doses,Air cargo,Falsified,,\n' +
    'FR,E,,Medicines,Ivermectin,10,Pieces,Air carg,Falsified,,\n';
  const check = (lang: 'en' | 'fr' | 'es') =>
    validateSpreadsheet(bufferByteSource('week.csv', Buffer.from(csv)), { config, member: 'FR', today: '2026-11-28', lang });
  const en = await check('en');
  const issues = [...en.errors, ...en.warnings];
  assert.ok(issues.length >= 7, JSON.stringify(issues.map((e) => e.code)));
  for (const lang of ['en', 'fr', 'es'] as const) {
    const there = await check(lang);
    const expected = [...there.errors, ...there.warnings].map((e) => e.message);
    assert.deepEqual(
      issues.map((e) => message(e.code, lang, e.params!)),
      expected,
      lang,
    );
  }
  // The params are plain JSON: report.json and the portal's API carry them as they are.
  const back = JSON.parse(JSON.stringify(issues)) as typeof issues;
  assert.deepEqual(
    back.map((e) => message(e.code, 'es', e.params!)),
    issues.map((e) => message(e.code, 'es', e.params!)),
  );
  // A file without the template's columns: the missing columns are named in the reader's language.
  const bare = await validateSpreadsheet(bufferByteSource('x.csv', Buffer.from('Colour,Size\nred,1\n')), { config, lang: 'en' });
  const missing = bare.errors.find((e) => e.code === 'missing-label')!;
  assert.match(message(missing.code, 'fr', missing.params!), /Manquantes : .*Membre déclarant/);
});

test('a name too long is measured in bytes (the limit is in bytes), and says so in each language', () => {
  const said = (lang: 'en' | 'fr' | 'es') => message('source-error', lang, { reason: 'name-too-long', max: 900 });
  assert.match(said('en'), /at most 900 bytes/);
  assert.match(said('fr'), /de 900 octets au plus/);
  assert.match(said('es'), /de 900 bytes como máximo/);
  for (const lang of ['en', 'fr', 'es'] as const) assert.doesNotMatch(said(lang), /characters|caractères|caracteres/);
});
