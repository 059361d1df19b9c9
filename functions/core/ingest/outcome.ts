/**
 * What an upload's storing and nil return mean to the Member: the counts as the submission and report.json record
 * them, the earlier files named, the empty template accepted as a nil return, and the sentences the report and the
 * annotated workbook say them with (English, French, Spanish).
 */
import type { Lang } from '../operation/config.ts';
import { INCOMING_PREFIX } from '../operation/layout.ts';
import { message } from '../validation/messages.ts';
import { counted } from '../phase/text.ts';
import { agree } from '../vocabulary/plural.ts';
import { compareVersions, versionDigest } from '../store/heads.ts';
import type { ApplyResult, SeizureStore } from '../store/store.ts';
import type { ReplacedFile, StoredCounts, SubmissionRecord } from '../store/submission.ts';
import type { ValidationReport } from '../validation/validate.ts';

/** Earlier files named in one report (the newest of them); the counts still cover them all. */
export const MAX_REPLACED_FILES = 20;

/** The Member's earlier uploads that `result.replaced` names (version digests): the newest MAX_REPLACED_FILES, oldest first. */
export async function replacedFilesOf(store: SeizureStore, member: string, result: ApplyResult): Promise<ReplacedFile[]> {
  if (result.replaced.length === 0) return [];
  const wanted = new Set(result.replaced);
  const prefix = `${INCOMING_PREFIX}${member}/`;
  const out: ReplacedFile[] = [];
  for (const s of await store.listSubmissions({ member })) {
    if (!wanted.has(versionDigest(s.objectKey, s.versionId))) continue;
    out.push({ file: s.objectKey.startsWith(prefix) ? s.objectKey.slice(prefix.length) : s.objectKey, receivedAt: s.receivedAt });
  }
  return out.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0)).slice(-MAX_REPLACED_FILES);
}

/** The counts a submission and report.json record (the store's digests become file names). */
export const storedCounts = (r: ApplyResult, replacedFiles: ReplacedFile[]): StoredCounts => ({
  written: r.written,
  withdrawn: r.withdrawn,
  supersededCases: r.supersededCases,
  storedCases: r.storedCases,
  replacedCases: r.replacedCases,
  withdrawnCases: r.withdrawnCases,
  replacedFiles,
});

/**
 * Whether version `a` of an object came after version `b` of the same object: by S3's sequencer (the only order S3
 * gives for one key), by orderToken when either has none; the same comparison as the store's heads (compareVersions).
 */
export function isLaterVersion(a: Pick<SubmissionRecord, 'orderToken'>, b: Pick<SubmissionRecord, 'orderToken'>): boolean {
  return compareVersions(a.orderToken, b.orderToken) > 0;
}

/**
 * The empty template recorded as the Member's nil return: accepted. The 'no-rows' error becomes a 'nil-return'
 * warning saying what was recorded, so report.json keeps its fields and the file is no longer rejected.
 * `earlierKept`: an earlier version of the same file had stored cases. They stay stored (the empty template is a nil
 * return, not a version that withdraws every case: a Member who saves the template over a data file by mistake loses
 * nothing), and the warning says so.
 */
export function acceptNilReturn(
  report: ValidationReport,
  nil: { phase: number; created: boolean },
  opts: { earlierKept?: boolean } = {},
): void {
  const kept = report.errors.filter((e) => e.code !== 'no-rows');
  report.stats.errors -= report.errors.length - kept.length;
  report.errors = kept;
  nilReturnWarning(report, { phase: nil.phase, created: nil.created ? 'yes' : 'no', kept: opts.earlierKept ? 'yes' : 'no' });
  report.valid = kept.length === 0;
  report.nilReturn = nil;
}

/**
 * The empty template NOT recorded as a nil return: the Member has seizures stored for the phase (nil-return.ts
 * NilReturnConflictError). The file stays rejected ('no-rows'), and a 'nil-return' warning (created 'refused') says why.
 */
export function refuseNilReturn(report: ValidationReport, phase: number): void {
  nilReturnWarning(report, { phase, created: 'refused', kept: 'no' });
}

/** The file-level 'nil-return' warning, first in the list, in the report's language. */
function nilReturnWarning(report: ValidationReport, params: { phase: number; created: string; kept: string }): void {
  report.warnings.unshift({
    type: 'nil-return',
    rowNumber: null,
    fieldName: null,
    cell: null,
    code: 'nil-return',
    message: message('nil-return', report.language, params),
    params,
  });
  report.stats.warnings++;
}

const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ') + ' UTC';

interface Sentences {
  stored: (cases: number, lines: number) => string;
  replaced: (cases: number) => string;
  withdrawnCases: (cases: number, lines: number) => string;
  withdrawnLines: (lines: number) => string;
  superseded: (cases: number) => string;
  files: string;
}

/** `n` and the form that agrees with it, or the form alone: n(2, 'affaire présente', 'affaires présentes'), f(1, 'it', 'them'). */
type Agreeing = (n: number, one: string, other: string) => string;

/** One language's sentences, written with its plural rule. */
const inLang = (lang: Lang, build: (n: Agreeing, f: Agreeing) => Sentences): Sentences =>
  build(
    (v, one, other) => counted(v, lang, one, other),
    (v, one, other) => agree(v, lang, one, other),
  );

const WORDS: Record<Lang, Sentences> = {
  en: inLang('en', (n, f) => ({
    stored: (c, l) => `Stored: ${n(c, 'case', 'cases')}, ${n(l, 'line', 'lines')}.`,
    replaced: (c) =>
      `Replaced: ${n(c, 'case', 'cases')} an earlier upload had sent; this file's lines now stand for ${f(c, 'it', 'them')}.`,
    withdrawnCases: (c, l) =>
      `Withdrawn: ${n(c, 'case', 'cases')} that an earlier version of this file had and this one no longer has; ${n(l, 'earlier line', 'earlier lines')} removed in all.`,
    withdrawnLines: (l) => `Withdrawn: ${n(l, 'earlier line', 'earlier lines')} of these cases that this file no longer has.`,
    superseded: (c) =>
      `Superseded: ${n(c, 'case left as it is', 'cases left as they are')}, because a newer upload already sent ${f(c, 'it', 'them')}.`,
    files: 'Earlier files replaced:',
  })),
  fr: inLang('fr', (n, f) => ({
    stored: (c, l) => `Enregistré : ${n(c, 'affaire', 'affaires')}, ${n(l, 'ligne', 'lignes')}.`,
    replaced: (c) =>
      `Remplacé : ${n(c, 'affaire', 'affaires')} qu'un envoi précédent avait ${f(c, 'transmise', 'transmises')} ; les lignes de ce fichier ${f(c, 'la', 'les')} remplacent.`,
    withdrawnCases: (c, l) =>
      `Retiré : ${n(c, 'affaire présente', 'affaires présentes')} dans une version précédente de ce fichier et ${f(c, 'absente', 'absentes')} de celle-ci ; ${n(l, 'ligne précédente supprimée', 'lignes précédentes supprimées')} au total.`,
    withdrawnLines: (l) =>
      `Retiré : ${n(l, 'ligne précédente', 'lignes précédentes')} de ces affaires, ${f(l, 'absente', 'absentes')} de ce fichier.`,
    superseded: (c) =>
      `Dépassé : ${n(c, 'affaire laissée telle quelle', 'affaires laissées telles quelles')}, car un envoi plus récent ${f(c, "l'a déjà transmise", 'les a déjà transmises')}.`,
    files: 'Fichiers précédents remplacés :',
  })),
  es: inLang('es', (n, f) => ({
    stored: (c, l) => `Guardado: ${n(c, 'caso', 'casos')}, ${n(l, 'línea', 'líneas')}.`,
    replaced: (c) => `Reemplazado: ${n(c, 'caso', 'casos')} que un envío anterior incluía; ahora valen las líneas de este archivo.`,
    withdrawnCases: (c, l) =>
      `Retirado: ${n(c, 'caso', 'casos')} que una versión anterior de este archivo tenía y esta ya no tiene; ${n(l, 'línea anterior eliminada', 'líneas anteriores eliminadas')} en total.`,
    withdrawnLines: (l) => `Retirado: ${n(l, 'línea anterior', 'líneas anteriores')} de estos casos que este archivo ya no tiene.`,
    superseded: (c) =>
      `Superado: ${n(c, 'caso dejado como estaba', 'casos dejados como estaban')}, porque un envío más reciente ya ${f(c, 'lo', 'los')} incluía.`,
    files: 'Archivos anteriores reemplazados:',
  })),
};

/** What storing did (and a nil return), as sentences for the text report and the workbook; [] when nothing was. */
export function outcomeLines(report: Pick<ValidationReport, 'stored' | 'nilReturn' | 'warnings' | 'language'>): string[] {
  const lang = report.language;
  const t = WORDS[lang];
  const out: string[] = [];
  const nil = report.warnings.find((w) => w.code === 'nil-return');
  if (nil) out.push(nil.message);
  const s = report.stored;
  if (s === undefined) return out;
  // Submissions recorded before case counts existed have lines only.
  if (s.storedCases !== undefined || s.written > 0) out.push(t.stored(s.storedCases ?? 0, s.written));
  if (s.replacedCases) out.push(t.replaced(s.replacedCases));
  if (s.withdrawnCases) out.push(t.withdrawnCases(s.withdrawnCases, s.withdrawn));
  else if (s.withdrawn) out.push(t.withdrawnLines(s.withdrawn));
  if (s.supersededCases) out.push(t.superseded(s.supersededCases));
  if (s.replacedFiles?.length) {
    out.push(t.files);
    for (const f of s.replacedFiles) out.push(`  - ${f.file} (${when(f.receivedAt)})`);
  }
  return out;
}
