/**
 * The errors the cloud commands expect, each named for what happened, and `explain`: the one line and exit code each
 * turns into (README, "The `seizures` command": 69 local cloud or AWS unavailable, 73 data directory not writable).
 * Light on purpose: it imports the local cloud's error classes from their own modules, not the emulators.
 */
import { LocalCloudNotRunningError, CloudAlreadyRunningError, DataDirError, DataDirInUseError } from '../../lib/local/registry.ts';
import { PortInUseError } from '../../lib/local/listen.ts';
import { EXIT } from './cloud-flags.ts';

/** `--aws` without usable credentials (none found, expired, or not allowed to describe the stack). Exit 69. */
export class AwsCredentialsMissingError extends Error {
  override readonly name = 'AwsCredentialsMissingError';
}

/** `--aws`: the stack cannot be read (not deployed, another region, another name). Exit 69. */
export class StackNotFoundError extends Error {
  override readonly name = 'StackNotFoundError';
}

/** `--aws`: the stack is there but lacks an output the command needs (deployed from an older version). Exit 69. */
export class StackOutputMissingError extends Error {
  override readonly name = 'StackOutputMissingError';
}

/** The clear message and exit code of the errors the cloud commands expect; undefined for anything else. */
export function explain(e: unknown): { message: string; code: number } | undefined {
  if (
    e instanceof PortInUseError ||
    e instanceof CloudAlreadyRunningError ||
    e instanceof LocalCloudNotRunningError ||
    e instanceof DataDirInUseError ||
    e instanceof AwsCredentialsMissingError ||
    e instanceof StackNotFoundError ||
    e instanceof StackOutputMissingError
  ) {
    return { message: e.message, code: EXIT.unavailable };
  }
  if (e instanceof DataDirError) return { message: e.message, code: EXIT.cantCreate };
  const code = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return { message: `the local cloud stopped answering (${code}): is \`npm start\` still running?`, code: EXIT.unavailable };
  }
  return undefined;
}
