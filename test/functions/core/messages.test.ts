import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bufferByteSource } from '../../../functions/core/sheet/source.ts';
import { loadOperationConfig } from '../../../functions/core/config.ts';
import { validateSpreadsheet } from '../../../functions/core/validate.ts';
import { message, type MessageId } from '../../../functions/core/messages.ts';

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
