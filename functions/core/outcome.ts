/**
 * What an upload's storing and nil return mean to the Member: the counts as the submission and report.json record
 * them, the earlier files named, the empty template accepted as a nil return, and the sentences the report and the
 * annotated workbook say them with (English, French, Spanish).
 */
import type { Lang } from './config.ts';
import { INCOMING_PREFIX } from './layout.ts';
import { message } from './messages.ts';
import { num } from './phase/text.ts';
import { compareVersions, versionDigest } from './store/heads.ts';
import type { ApplyResult, SeizureStore } from './store/store.ts';
import type { ReplacedFile, StoredCounts, SubmissionRecord } from './submission.ts';
import type { ValidationReport } from './validate.ts';

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
  report.warnings.unshift({
    type: 'nil-return',
    rowNumber: null,
    fieldName: null,
    cell: null,
    code: 'nil-return',
    message: message('nil-return', report.language, {
      phase: nil.phase,
      created: nil.created ? 'yes' : 'no',
      kept: opts.earlierKept ? 'yes' : 'no',
    }),
  });
  report.stats.warnings++;
  report.valid = kept.length === 0;
  report.nilReturn = nil;
}

const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ') + ' UTC';

const WORDS: Record<
  Lang,
  {
    stored: (cases: string, lines: string) => string;
    replaced: (cases: string) => string;
    withdrawnCases: (cases: string, lines: string) => string;
    withdrawnLines: (lines: string) => string;
    superseded: (cases: string) => string;
    files: string;
  }
> = {
  en: {
    stored: (c, l) => `Stored: ${c} case(s), ${l} line(s).`,
    replaced: (c) => `Replaced: ${c} case(s) an earlier upload had sent; this file's lines now stand for them.`,
    withdrawnCases: (c, l) =>
      `Withdrawn: ${c} case(s) that an earlier version of this file had and this one no longer has; ${l} earlier line(s) removed in all.`,
    withdrawnLines: (l) => `Withdrawn: ${l} earlier line(s) of these cases that this file no longer has.`,
    superseded: (c) => `Superseded: ${c} case(s) left as they are, because a newer upload already sent them.`,
    files: 'Earlier files replaced:',
  },
  fr: {
    stored: (c, l) => `Enregistré : ${c} affaire(s), ${l} ligne(s).`,
    replaced: (c) => `Remplacé : ${c} affaire(s) qu'un envoi précédent avait transmises ; les lignes de ce fichier les remplacent.`,
    withdrawnCases: (c, l) =>
      `Retiré : ${c} affaire(s) présentes dans une version précédente de ce fichier et absentes de celle-ci ; ${l} ligne(s) précédente(s) supprimée(s) au total.`,
    withdrawnLines: (l) => `Retiré : ${l} ligne(s) précédente(s) de ces affaires absentes de ce fichier.`,
    superseded: (c) => `Dépassé : ${c} affaire(s) laissée(s) telles quelles, car un envoi plus récent les a déjà transmises.`,
    files: 'Fichiers précédents remplacés :',
  },
  es: {
    stored: (c, l) => `Guardado: ${c} caso(s), ${l} línea(s).`,
    replaced: (c) => `Reemplazado: ${c} caso(s) que un envío anterior había enviado; ahora valen las líneas de este archivo.`,
    withdrawnCases: (c, l) =>
      `Retirado: ${c} caso(s) que una versión anterior de este archivo tenía y esta ya no tiene; ${l} línea(s) anterior(es) eliminada(s) en total.`,
    withdrawnLines: (l) => `Retirado: ${l} línea(s) anterior(es) de estos casos que este archivo ya no tiene.`,
    superseded: (c) => `Superado: ${c} caso(s) dejados como estaban, porque un envío más reciente ya los había enviado.`,
    files: 'Archivos anteriores reemplazados:',
  },
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
  const n = (v: number): string => num(v, lang);
  // Submissions recorded before case counts existed have lines only.
  if (s.storedCases !== undefined || s.written > 0) out.push(t.stored(n(s.storedCases ?? 0), n(s.written)));
  if (s.replacedCases) out.push(t.replaced(n(s.replacedCases)));
  if (s.withdrawnCases) out.push(t.withdrawnCases(n(s.withdrawnCases), n(s.withdrawn)));
  else if (s.withdrawn) out.push(t.withdrawnLines(n(s.withdrawn)));
  if (s.supersededCases) out.push(t.superseded(n(s.supersededCases)));
  if (s.replacedFiles?.length) {
    out.push(t.files);
    for (const f of s.replacedFiles) out.push(`  - ${f.file} (${when(f.receivedAt)})`);
  }
  return out;
}
