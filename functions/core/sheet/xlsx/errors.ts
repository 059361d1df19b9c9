/**
 * How the xlsx reader's failures are told apart: damage in the file (SpreadsheetError 'source-error' corrupt),
 * invalid UTF-8 (encoding-error), failures of the ByteSource itself (passed through unchanged so the caller can retry)
 * and bugs here (rethrown unchanged rather than blamed on the file).
 */
import { SpreadsheetError } from '../types.ts';

/** Errors of the ByteSource itself (not of the file's content): rethrown as they are. */
export const sourceFailures = new WeakSet<object>();

/** Malformed XML found by the scanner or the part readers. */
export class XmlError extends Error {}

export function corrupt(detail: string, params: Record<string, string | number> = {}): SpreadsheetError {
  return new SpreadsheetError('source-error', 'corrupt', detail, params);
}

/**
 * What an error met while reading `part` becomes: SpreadsheetErrors and failures of the source stay as they are;
 * invalid UTF-8 is an encoding error; malformed XML, zip and zlib errors (plain Errors) mean a damaged file. Anything
 * else (TypeError, RangeError...) is a bug here and is rethrown unchanged rather than blamed on the file.
 */
export function classify(e: unknown, part: string): unknown {
  if (e instanceof SpreadsheetError) return e;
  if (typeof e === 'object' && e !== null && sourceFailures.has(e)) return e;
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    return new SpreadsheetError('encoding-error', 'invalid-utf8', `${part} is not valid UTF-8`, { part });
  }
  if (e instanceof XmlError) return corrupt(`${part}: ${e.message}`, { part });
  if (e instanceof Error && (e.constructor === Error || typeof (e as NodeJS.ErrnoException).code === 'string')) {
    return corrupt(`${part}: ${e.message}`, { part });
  }
  return e;
}

/** The error `e` of the ByteSource, marked as such (see `classify`). */
export function sourceFailure(e: unknown): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  sourceFailures.add(error);
  return error;
}
