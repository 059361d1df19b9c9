/** The validation report as a person reads it: a short summary, then the errors grouped by row. */
import type { Lang } from '../operation/config.ts';
import { outcomeLines } from './outcome.ts';
import { isRejected, type ValidationIssue, type ValidationReport } from '../validation/validate.ts';

const T: Record<
  Lang,
  {
    ok: string;
    some: string;
    rejected: string;
    rows: (r: ValidationReport) => string;
    sheet: (r: ValidationReport) => string;
    fileErrors: string;
    row: (n: number) => string;
    warnings: string;
    notListed: (n: number) => string;
  }
> = {
  en: {
    ok: 'Valid: every seizure row can be accepted.',
    some: 'Some rows need fixing: the valid rows can be accepted, the others are listed below.',
    rejected: 'The file was rejected as a whole: nothing in it can be accepted yet.',
    rows: (r) =>
      `${r.stats.rows} seizure rows: ${r.stats.validRows} valid, ${r.stats.invalidRows} with errors (${r.stats.errors} errors), ${r.stats.blankRows} blank rows skipped.`,
    sheet: (r) => `Sheet '${r.sheet}', header in row ${r.headerRow}.`,
    fileErrors: 'File errors:',
    row: (n) => `Row ${n}:`,
    warnings: 'Warnings:',
    notListed: (n) => `... and ${n} more errors not listed.`,
  },
  fr: {
    ok: 'Valide : toutes les lignes de saisie peuvent être acceptées.',
    some: 'Certaines lignes sont à corriger : les lignes valides peuvent être acceptées, les autres sont listées ci-dessous.',
    rejected: 'Le fichier est rejeté dans son ensemble : rien ne peut encore en être accepté.',
    rows: (r) =>
      `${r.stats.rows} lignes de saisie : ${r.stats.validRows} valides, ${r.stats.invalidRows} avec erreurs (${r.stats.errors} erreurs), ${r.stats.blankRows} lignes vides ignorées.`,
    sheet: (r) => `Feuille « ${r.sheet} », en-tête à la ligne ${r.headerRow}.`,
    fileErrors: 'Erreurs sur le fichier :',
    row: (n) => `Ligne ${n} :`,
    warnings: 'Avertissements :',
    notListed: (n) => `... et ${n} autres erreurs non listées.`,
  },
  es: {
    ok: 'Válido: todas las filas de incautaciones pueden aceptarse.',
    some: 'Algunas filas deben corregirse: las filas válidas pueden aceptarse, las demás se indican abajo.',
    rejected: 'El archivo se ha rechazado en su totalidad: todavía no puede aceptarse nada de él.',
    rows: (r) =>
      `${r.stats.rows} filas de incautaciones: ${r.stats.validRows} válidas, ${r.stats.invalidRows} con errores (${r.stats.errors} errores), ${r.stats.blankRows} filas vacías omitidas.`,
    sheet: (r) => `Hoja «${r.sheet}», encabezado en la fila ${r.headerRow}.`,
    fileErrors: 'Errores del archivo:',
    row: (n) => `Fila ${n}:`,
    warnings: 'Advertencias:',
    notListed: (n) => `... y ${n} errores más no listados.`,
  },
};

export function formatReportText(r: ValidationReport): string {
  const t = T[r.language];
  const out: string[] = [`${r.file}${r.member ? ` (${r.member})` : ''}`];
  const rejected = isRejected(r);
  out.push(rejected ? t.rejected : r.stats.invalidRows ? t.some : t.ok);
  if (r.sheet !== null) out.push(t.sheet(r));
  if (!rejected || r.stats.rows) out.push(t.rows(r));
  const outcome = outcomeLines(r);
  if (outcome.length) out.push('', ...outcome);
  const fileLevel = r.errors.filter((e) => e.rowNumber === null);
  if (fileLevel.length) {
    out.push('', t.fileErrors);
    for (const e of fileLevel) out.push(`  - [${e.type}] ${e.message}`);
  }
  const byRow = new Map<number, ValidationIssue[]>();
  for (const e of r.errors) if (e.rowNumber !== null) byRow.set(e.rowNumber, [...(byRow.get(e.rowNumber) ?? []), e]);
  for (const [row, errs] of [...byRow].sort((a, b) => a[0] - b[0])) {
    out.push('', t.row(row));
    for (const e of errs) out.push(`  - [${e.type}] ${e.message}`);
  }
  if (r.errorsNotListed) out.push('', t.notListed(r.errorsNotListed));
  // A recorded nil return is said above, with what was stored; a refused one (seizures stored for the phase) here.
  const warnings = r.warnings.filter((w) => w.type !== 'nil-return' || w.params?.created === 'refused');
  if (warnings.length) {
    out.push('', t.warnings);
    for (const w of warnings) out.push(`  - ${w.message}`);
  }
  return out.join('\n') + '\n';
}
