/**
 * The upload template Members fill: a data sheet with the headers in their language, frozen header row, dropdowns
 * for every vocabulary column, date and number formats, a note on each header; an instructions sheet; the lists.
 */
import ExcelJS from 'exceljs';
import type { Lang, OperationConfig } from '../operation/config.ts';
import { FIELDS, type FieldDef } from '../vocabulary/schema.ts';
import { VOCABS, type VocabName } from '../vocabulary/vocab.ts';

/** Rows of the data sheet that carry dropdowns and formats. */
export const TEMPLATE_ROWS = 5000;

export const SHEET_NAMES: Readonly<Record<Lang, { data: string; instructions: string; lists: string }>> = {
  en: { data: 'Seizures', instructions: 'Instructions', lists: 'Lists' },
  fr: { data: 'Saisies', instructions: 'Instructions', lists: 'Listes' },
  es: { data: 'Incautaciones', instructions: 'Instrucciones', lists: 'Listas' },
};

const INSTRUCTIONS: Readonly<Record<Lang, (c: OperationConfig) => string[]>> = {
  en: (c) => [
    `${c.name}: seizure report template`,
    '',
    `Fill one row per seizure line in the sheet '${SHEET_NAMES.en.data}'. Several lines (products) of one seizure share a case reference.`,
    'Columns marked * are required. Hover over a header to read its rule. Choose coded values from the dropdowns.',
    `Seizure dates must fall within the operation's phases: ${phases(c)}.`,
    'Dates: a date cell, YYYY-MM-DD or DD/MM/YYYY (day first). Numbers: digits, with a space as thousands separator if you like.',
    'Vaccines are counted in doses, and doses are only for vaccines. Give the currency with an estimated value.',
    'Upload the file as .xlsx or .csv (UTF-8). You will receive a report and an annotated copy of your file within seconds.',
    'Uploading again replaces the lines of the cases contained in the new file.',
  ],
  fr: (c) => [
    `${c.name} : modèle de déclaration des saisies`,
    '',
    `Remplissez une ligne par ligne de saisie dans la feuille « ${SHEET_NAMES.fr.data} ». Les lignes (produits) d'une même saisie partagent une référence de cas.`,
    'Les colonnes marquées * sont obligatoires. Survolez un en-tête pour lire sa règle. Choisissez les valeurs codées dans les listes déroulantes.',
    `Les dates de saisie doivent tomber dans les phases de l'opération : ${phases(c)}.`,
    'Dates : une cellule de date, AAAA-MM-JJ ou JJ/MM/AAAA (le jour d’abord). Nombres : des chiffres, avec une espace comme séparateur de milliers si vous le souhaitez.',
    'Les vaccins se comptent en doses, et les doses sont réservées aux vaccins. Indiquez la devise avec une valeur estimée.',
    'Envoyez le fichier au format .xlsx ou .csv (UTF-8). Vous recevrez en quelques secondes un rapport et une copie annotée de votre fichier.',
    'Un nouvel envoi remplace les lignes des cas qu’il contient.',
  ],
  es: (c) => [
    `${c.name}: plantilla de declaración de incautaciones`,
    '',
    `Rellene una fila por línea de incautación en la hoja «${SHEET_NAMES.es.data}». Las líneas (productos) de una misma incautación comparten una referencia de caso.`,
    'Las columnas marcadas con * son obligatorias. Pase el ratón sobre un encabezado para leer su regla. Elija los valores codificados en las listas desplegables.',
    `Las fechas de incautación deben estar dentro de las fases de la operación: ${phases(c)}.`,
    'Fechas: una celda de fecha, AAAA-MM-DD o DD/MM/AAAA (el día primero). Números: cifras, con un espacio como separador de miles si lo desea.',
    'Las vacunas se cuentan en dosis, y las dosis son solo para vacunas. Indique la moneda junto con un valor estimado.',
    'Envíe el archivo como .xlsx o .csv (UTF-8). Recibirá en segundos un informe y una copia anotada de su archivo.',
    'Un nuevo envío sustituye las líneas de los casos que contiene.',
  ],
};

function phases(c: OperationConfig): string {
  return c.phases.map((p) => `${p.phase}: ${p.start} – ${p.end}`).join('; ');
}

/** Builds the template workbook (exceljs, in memory: it is small). */
export function buildTemplate(config: OperationConfig, lang: Lang): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = config.name;
  const names = SHEET_NAMES[lang];
  const data = wb.addWorksheet(names.data, { views: [{ state: 'frozen', ySplit: 1 }] });
  const instructions = wb.addWorksheet(names.instructions);
  const lists = wb.addWorksheet(names.lists);

  // The lists sheet: one column per vocabulary, labels in the Member's language; dropdowns point here.
  const vocabColumn = new Map<VocabName, string>();
  const vocabs = FIELDS.filter((d): d is FieldDef & { vocab: VocabName } => d.vocab !== undefined);
  vocabs.forEach((d, i) => {
    const col = lists.getColumn(i + 1);
    const labels = VOCABS[d.vocab].codes.map((c) => VOCABS[d.vocab].label(c, lang));
    col.values = [d.labels[lang], ...labels];
    col.width = Math.max(14, ...labels.map((l) => l.length + 2));
    const letter = col.letter;
    vocabColumn.set(d.vocab, `'${names.lists}'!$${letter}$2:$${letter}$${labels.length + 1}`);
  });
  lists.getRow(1).font = { bold: true };

  FIELDS.forEach((d, i) => {
    const col = data.getColumn(i + 1);
    col.width = d.width;
    const head = data.getCell(1, i + 1);
    head.value = d.labels[lang] + (d.required ? ' *' : '');
    head.note = d.rule[lang];
    head.font = { name: 'Calibri', size: 11, bold: true, color: { argb: 'FFFFFFFF' } };
    head.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: d.required ? 'FF1F4E79' : 'FF5B7FA6' } };
    head.alignment = { vertical: 'middle', wrapText: true };
    const range = `${col.letter}2:${col.letter}${TEMPLATE_ROWS + 1}`;
    if (d.vocab) {
      // exceljs supports range validations but its typings omit `dataValidations`.
      (data as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(range, {
        type: 'list',
        allowBlank: true,
        formulae: [vocabColumn.get(d.vocab)!],
        showErrorMessage: false, // free text is still accepted: the validator matches labels in any language
      });
    }
    const numFmt =
      d.kind === 'date'
        ? 'yyyy-mm-dd'
        : d.kind === 'number'
          ? '#,##0.###'
          : d.kind === 'integer'
            ? '0'
            : d.kind === 'hs' || d.kind === 'text' || d.kind === 'member'
              ? '@'
              : undefined;
    // A column style formats every cell of the column, typed in later or pasted, without writing 5,000 empty cells.
    if (numFmt) col.numFmt = numFmt;
  });
  data.getRow(1).height = 32;
  // Headers with " *" still match: the validator folds punctuation away.

  instructions.getColumn(1).width = 120;
  INSTRUCTIONS[lang](config).forEach((line, i) => {
    const cell = instructions.getCell(i + 1, 1);
    cell.value = line;
    cell.alignment = { wrapText: true };
    if (i === 0) cell.font = { bold: true, size: 14 };
  });
  const start = INSTRUCTIONS[lang](config).length + 2;
  FIELDS.forEach((d, i) => {
    instructions.getCell(start + i, 1).value = `${d.labels[lang]}${d.required ? ' *' : ''}: ${d.rule[lang]}`;
  });
  return wb;
}

export async function writeTemplate(config: OperationConfig, lang: Lang, file: string): Promise<void> {
  await buildTemplate(config, lang).xlsx.writeFile(file);
}
