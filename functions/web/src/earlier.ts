/**
 * The Member's earlier uploads as the upload page offers them for correction (pages/Corrects.tsx): pure, and free of
 * the DOM and preact, so it is tested in node (test/functions/core/portal/units.test.ts).
 */
import { fileNameParts } from '../../core/portal/file-name.ts';
import type { Lang } from './i18n.ts';

/** What of a submission (api.ts Submission) the choice needs. */
export interface EarlierUpload {
  readonly id: string;
  readonly objectKey: string;
  readonly fileName: string;
  readonly receivedAt: string;
}

/** The latest version of each upload (the list comes newest first), in that order. */
export function latestPerKey<T extends EarlierUpload>(submissions: readonly T[]): T[] {
  const seen = new Set<string>();
  return submissions.filter((s) => {
    if (seen.has(s.objectKey)) return false;
    seen.add(s.objectKey);
    return true;
  });
}

/** The name the server gives a file (functions/core/portal/file-name.ts, as uploads.ts keys it), to compare with an upload's. */
export function keptName(name: string): string {
  const { leaf, base, ext } = fileNameParts(name);
  return base === undefined ? leaf : `${base}${ext}`;
}

/**
 * When each upload came, to the minute; to the second where two uploads of one name would read the same (a file sent
 * twice within a minute), so the Member can tell which one is corrected.
 */
export function whenOf(earlier: readonly EarlierUpload[], lang: Lang, fmtDate: (iso: string, lang: Lang) => string): Map<string, string> {
  const minutes = earlier.map((s) => `${s.fileName}\u0000${fmtDate(s.receivedAt, lang)}`);
  return new Map(
    earlier.map((s, i) => [
      s.id,
      minutes.indexOf(minutes[i]!) !== minutes.lastIndexOf(minutes[i]!)
        ? new Date(s.receivedAt).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'medium' })
        : fmtDate(s.receivedAt, lang),
    ]),
  );
}

export const extOf = (name: string) => name.slice(name.lastIndexOf('.')).toLowerCase();
