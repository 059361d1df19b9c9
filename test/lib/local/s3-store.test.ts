/**
 * The local S3 answers a PUT only once the object is on disk whole (lib/local/s3-store.ts): s3rver's own store
 * answered a PUT of a body it held whole before the file was written, so a GET right after could find it empty.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { durablePuts, type FileStore } from '../../../lib/local/s3-store.ts';
import { startS3 } from '../../../lib/local/s3.ts';

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem') as new (root: string) => FileStore;

test('a PUT of a body held whole resolves with the object on disk, whole, and its digest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's3-store-'));
  try {
    const store = new FilesystemStore(dir);
    durablePuts(store);
    const body = Buffer.alloc(16 * 1024 * 1024, 7);
    for (let i = 0; i < 3; i++) {
      body[0] = i; // overwrites too: the reader sees the new object whole
      const { size, md5 } = await store.putObject({ bucket: 'b', key: 'work/partial.json', content: body, metadata: {} });
      const path = store.getResourcePath('b', 'work/partial.json', 'object');
      assert.equal((await stat(path)).size, body.length);
      assert.equal((await readFile(path))[0], i);
      assert.equal(size, body.length);
      assert.match(md5, /^[0-9a-f]{32}$/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('through the local S3: each GET right after a PUT of the same key gets that PUT whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's3-store-'));
  const s3srv = await startS3({ directory: dir, port: 0, bucket: 'b', onEvent: () => undefined });
  const s3 = new S3Client({
    endpoint: s3srv.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    for (let i = 0; i < 20; i++) {
      const text = JSON.stringify({ run: i, pad: 'x'.repeat(200_000 + i) });
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'work/partial.json', Body: text }));
      const got = await (await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'work/partial.json' }))).Body!.transformToString();
      assert.equal(got.length, text.length, `run ${i}`);
      assert.equal(JSON.parse(got).run, i);
    }
  } finally {
    s3.destroy();
    await s3srv.close();
    await rm(dir, { recursive: true, force: true });
  }
});
