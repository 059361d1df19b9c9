/**
 * What a log line says of an error, for every handler and the portal API: its name, its code, a digest of its message
 * and its stack frames, never the message itself. Messages quote what they are about (a case reference and line in
 * LineOrderError, an address, a sheet name), and logs are read by more people than the table or the contacts file;
 * the name, code and frames say what failed and where, and the digest says whether two failures are the same one.
 * Here in the core rather than in functions/shared because the portal API (core/portal/router.ts) logs through it too.
 */
import { createHash } from 'node:crypto';

export interface LoggedError {
  readonly name: string;
  /** The error's `code` (HttpError, Node's system errors) or `Code` (some AWS SDK errors), when a string. */
  readonly code?: string;
  /** The first 16 hex digits of the SHA-256 of the message. */
  readonly messageSha256: string;
  /** The stack's `at ...` frames (file, line, function): the stack's first line repeats the message, so it is left out. */
  readonly frames?: string[];
  /** The same of the error's `cause`, when it is one. */
  readonly cause?: LoggedError;
}

const MAX_FRAMES = 10;

export const messageDigest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

export function loggedError(e: unknown, depth = 0): LoggedError {
  if (!(e instanceof Error)) return { name: typeof e, messageSha256: messageDigest(String(e)) };
  const o = e as Error & { code?: unknown; Code?: unknown };
  const code = typeof o.code === 'string' ? o.code : typeof o.Code === 'string' ? o.Code : undefined;
  // After the message: a message of several lines could hold lines that look like frames.
  const stack = e.stack ?? '';
  const at = e.message ? stack.indexOf(e.message) : -1;
  const frames = (at < 0 ? stack : stack.slice(at + e.message.length))
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, MAX_FRAMES)
    .map((l) => l.trim());
  return {
    name: e.name,
    ...(code !== undefined ? { code } : {}),
    messageSha256: messageDigest(e.message),
    ...(frames.length > 0 ? { frames } : {}),
    ...(e.cause !== undefined && depth < 2 ? { cause: loggedError(e.cause, depth + 1) } : {}),
  };
}
