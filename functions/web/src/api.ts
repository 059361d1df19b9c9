/** The portal API (/api/*, same origin) and the upload to S3 with progress. */
import type { Params } from '../../core/validation/messages.ts';
import type { StoredCounts } from '../../core/store/submission.ts';
import { currentSession } from './auth.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called on 401 (expired or missing token): the app shows the sign-in page. */
export let onUnauthorized: () => void = () => {};
export const setOnUnauthorized = (f: () => void) => (onUnauthorized = f);

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const s = currentSession();
  const res = await fetch(`/api/${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(s ? { authorization: `Bearer ${s.idToken}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  if (res.status === 401) onUnauthorized();
  if (!res.ok) {
    const e = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiError(res.status, e.error ?? 'error', e.message ?? res.statusText);
  }
  return (await res.json()) as T;
}

/** A download the API serves (needs the token, so not a plain link): fetched, then saved through a blob URL. */
export async function saveDownload(path: string, fallbackName: string): Promise<void> {
  const s = currentSession();
  const res = await fetch(`/api/${path}`, { headers: s ? { authorization: `Bearer ${s.idToken}` } : {} });
  if (!res.ok) throw new ApiError(res.status, 'download', res.statusText);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** POSTs the file to the presigned URL with XMLHttpRequest: fetch has no upload progress events. */
export function uploadFile(
  target: { url: string; fields: Record<string, string> },
  file: File,
  onProgress: (fraction: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', target.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new ApiError(xhr.status, 'upload', xhr.responseText.slice(0, 300)));
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.send(form);
  });
}

export interface Me {
  email: string | null;
  member: string | null;
  memberName: string | null;
  language: 'en' | 'fr' | 'es';
  analyst: boolean;
  /** An analyst without TOTP: every other route answers 403 mfa-required until it is turned on. */
  mfaRequired?: boolean;
  operation: { id: string; name: string; phases: { phase: number; start: string; end: string }[] };
  members?: { code: string; name: string }[];
}

export interface Submission {
  id: string;
  fileName: string;
  objectKey: string;
  versionId: string;
  member: string;
  receivedAt: string;
  status: string;
  rows: { total: number; valid: number; invalid: number; blank: number };
  /** As the ingest records it (functions/core/store/submission.ts). */
  stored: StoredCounts;
  failure?: { type: string; message: string };
  nilReturn?: { phase: number; created: boolean };
}

export interface Issue {
  type: string;
  rowNumber: number | null;
  fieldName: string | null;
  column?: string | null;
  cell: unknown;
  /** In the language the file was checked in. */
  message: string;
  code?: string;
  /** What the message is made of, in every language (functions/core/validation/messages.ts): absent from older reports. */
  params?: Params;
}

export interface SubmissionDetail {
  submission: Submission;
  report: {
    stats: { rows: number; validRows: number; invalidRows: number; blankRows: number; errors: number };
    errors: Issue[];
    errorsNotListed: number;
    errorsCapped?: number;
    sheet: string | null;
  } | null;
  annotatedUrl: string | null;
  reportUrl: string | null;
  /** A newer version of the file wrote its feedback where this upload's was: none of it is this upload's. */
  feedbackReplaced?: boolean;
}
