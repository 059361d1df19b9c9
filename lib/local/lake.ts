/**
 * The lake of the local cloud: the Parquet files the phase close wrote under `lake/` of the local bucket, as s3rver
 * keeps them ({data dir}/s3/{bucket}/{key}._S3rver_object, lib/local/s3-store.ts), for DuckDB to read in place.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { LAKE_PREFIX } from '../../functions/core/operation/layout.ts';
import { LOCAL_BUCKET } from './settings.ts';

/** s3rver's file of an object key. */
export const localObjectPath = (dataDir: string, key: string, bucket = LOCAL_BUCKET): string =>
  join(dataDir, 's3', bucket, `${key}._S3rver_object`);

/** Every Parquet file under lake/ of the local bucket (none when no phase close has run), sorted. */
export const localLakeFiles = (dataDir: string, bucket = LOCAL_BUCKET): string[] => lakeFilesUnder(join(dataDir, 's3'), bucket);

/** The same under s3rver's own directory (`startS3({directory})`). */
export function lakeFilesUnder(s3Dir: string, bucket = LOCAL_BUCKET): string[] {
  const root = join(s3Dir, bucket, LAKE_PREFIX);
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet._S3rver_object')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
