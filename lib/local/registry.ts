/**
 * Which local cloud runs on a data directory: the process hosting one writes `cloud.json` there (its pid and
 * endpoints) once everything answers, and removes it when it stops. A command finds it, checks that the process is
 * alive and that its endpoints answer, and uses it; otherwise it may start one of its own.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, renameSync, accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CloudDescriptor {
  readonly pid: number;
  readonly startedAt: string;
  readonly dataDir: string;
  readonly bucket: string;
  readonly tableName: string;
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ses: string };
  readonly mailViewer: string;
  /** Whether its operation config enables `seizures smoke` (the test Member XT). */
  readonly smokeTests?: boolean;
  /** When the cloud serves the portal (`seizures dev`): its URL and the local Cognito (users add uses it). */
  readonly portal?: {
    readonly url: string;
    readonly cognito: { readonly endpoint: string; readonly userPoolId: string; readonly clientId: string };
  };
}

export const DESCRIPTOR_FILE = 'cloud.json';

/** The data directory cannot be created or written. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** The data directory's files are held by another process that left no cloud.json (or left one and lost it). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/** A local cloud already runs on this data directory (in another process, or this one). */
export class CloudAlreadyRunningError extends Error {
  override readonly name = 'CloudAlreadyRunningError';
  constructor(readonly running: CloudDescriptor) {
    super(
      `a local cloud is already running on ${running.dataDir} (pid ${running.pid}, S3 at ${running.endpoints.s3}); ` +
        'use it (upload and status find it), stop it, or pick another --data-dir',
    );
  }
}

/** The local cloud the data directory names does not answer. */
export class LocalCloudNotRunningError extends Error {
  override readonly name = 'LocalCloudNotRunningError';
}

/** Creates the data directory if needed and checks it is writable. */
export function prepareDataDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK);
    const probe = join(abs, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataDirError(
      `the data directory ${abs} is not writable (${err.code ?? err.message}): choose another with --data-dir or SEIZURES_DATA_DIR`,
    );
  }
  return abs;
}

export function readDescriptor(dataDir: string): CloudDescriptor | undefined {
  try {
    return JSON.parse(readFileSync(join(resolve(dataDir), DESCRIPTOR_FILE), 'utf8')) as CloudDescriptor;
  } catch {
    return undefined;
  }
}

export function writeDescriptor(d: CloudDescriptor): void {
  const file = join(d.dataDir, DESCRIPTOR_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(d, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** Removes the descriptor if it is still this one's (same pid and start). */
export function removeDescriptor(d: CloudDescriptor): void {
  const now = readDescriptor(d.dataDir);
  if (now && now.pid === d.pid && now.startedAt === d.startedAt) rmSync(join(d.dataDir, DESCRIPTOR_FILE), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something answers HTTP at the URL (any status counts). */
export async function answers(url: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

export type Found =
  | { readonly state: 'running'; readonly cloud: CloudDescriptor }
  /** A descriptor whose process is gone (killed): nobody runs here. */
  | { readonly state: 'stale'; readonly cloud: CloudDescriptor }
  /** The process is alive but its endpoints do not answer. */
  | { readonly state: 'not-answering'; readonly cloud: CloudDescriptor }
  | { readonly state: 'none' };

export async function findCloud(dataDir: string): Promise<Found> {
  const d = readDescriptor(dataDir);
  if (!d) return { state: 'none' };
  if (!isAlive(d.pid)) return { state: 'stale', cloud: d };
  const ok = (await Promise.all([answers(d.endpoints.s3), answers(d.endpoints.dynamodb)])).every(Boolean);
  return { state: ok ? 'running' : 'not-answering', cloud: d };
}
