/**
 * The phase close's export: while a slice's lines stream into its aggregate, the lines it counts are kept for the lake,
 * then written as one Parquet file per phase of the slice (parquet.ts). No read of its own: the pages pass through.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SeizureRecord } from '../vocabulary/record.ts';
import type { LakeLine, LakeRun } from './columns.ts';
import { LakeSlice, type LakeFile } from './parquet.ts';

export const PARQUET_TYPE = 'application/vnd.apache.parquet';

/** The lines a run counts (phase/accumulate.ts LineAggregator: an interim run counts seizure_date <= asOf). */
export function countedBy(run: { readonly mode: 'final' | 'interim'; readonly asOf: string }): (r: SeizureRecord) => boolean {
  const asOf = run.asOf;
  return run.mode === 'interim' ? (r) => r.seizure_date <= asOf : () => true;
}

/**
 * A page stream passed through to the aggregation as records, its counted lines kept by `lake`. Lines of another
 * Member or phase are left to the aggregation, which refuses them (phase/merge.ts aggregateSlice).
 */
export async function* tapPages(
  pages: AsyncIterable<readonly LakeLine[]>,
  lake: LakeSlice,
  counts: (r: SeizureRecord) => boolean,
): AsyncGenerator<SeizureRecord[]> {
  for await (const page of pages) {
    const out = new Array<SeizureRecord>(page.length);
    for (let i = 0; i < page.length; i++) {
      const line = page[i]!;
      out[i] = line.record;
      if (counts(line.record) && lake.holds(line.record)) lake.add(line);
    }
    yield out;
  }
}

/** A stream of records as lines without their upload (a source that does not tell it). */
export async function* asLakePages(
  s: AsyncIterable<SeizureRecord> | { readonly pages: AsyncIterable<readonly SeizureRecord[]> },
): AsyncGenerator<LakeLine[]> {
  if ('pages' in s) for await (const p of s.pages) yield p.map((record) => ({ record }));
  else for await (const record of s) yield [{ record }];
}

/** Writes a slice's files (each overwrites the run before's). */
export async function putLakeFiles(s3: S3Client, bucket: string, files: readonly LakeFile[]): Promise<void> {
  await Promise.all(
    files.map((f) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body, ContentType: PARQUET_TYPE }))),
  );
}

export { LakeSlice, type LakeFile, type LakeRun };
