/**
 * The feedback at a file's usual keys is written only over an older version's: conditional writes (If-Match,
 * If-None-Match), which the local S3 honours as S3 does.
 */
import '../../../helpers/quiet.ts';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../../../../functions/core/platform/aws.ts';
import { ORDER_TOKEN_META, putUnlessNewer } from '../../../../functions/core/ingest/feedback-put.ts';
import { startS3, type LocalS3 } from '../../../../lib/local/s3.ts';

const Bucket = 'b';
const OLDER = '2026-11-01T00:00:01.000Z#00000000000000000000000000000001';
const NEWER = '2026-11-01T00:00:02.000Z#00000000000000000000000000000002';
let dir: string, srv: LocalS3, s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedback-put-'));
  srv = await startS3({ directory: dir, port: 0, bucket: Bucket, onEvent: () => undefined });
  s3 = s3Client({ s3: srv.endpoint });
});
afterAll(async () => {
  s3.destroy();
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

const text = async (Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
  );

test('the local S3 refuses a PUT whose If-None-Match or If-Match does not hold, as S3 does', async () => {
  assert.equal(await status(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'a', IfNoneMatch: '*' }))), 200);
  assert.equal(await status(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'b', IfNoneMatch: '*' }))), 412);
  const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(await status(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'c', IfMatch: '"0123"' }))), 412);
  assert.equal(await status(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'd', IfMatch: ETag! }))), 200);
  assert.equal(await status(s3.send(new PutObjectCommand({ Bucket, Key: 'gone', Body: 'e', IfMatch: ETag! }))), 412);
  assert.equal(await text('k'), 'd');
});

test("an older version's write never lands over a newer version's feedback written between its look and its write", async () => {
  await putUnlessNewer(s3, { Bucket, Key: 'race.json' }, () => 'first, older still', '2026-10-01T00:00:00.000Z#0', true);
  // The newer version writes right after the older one has looked (its PUT is on the way).
  const racing = s3Client({ s3: srv.endpoint });
  let raced = false;
  racing.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand' && !raced) {
        raced = true;
        assert.equal(await putUnlessNewer(s3, { Bucket, Key: 'race.json' }, () => 'newer', NEWER), true);
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  assert.equal(await putUnlessNewer(racing, { Bucket, Key: 'race.json' }, () => 'older', OLDER), false);
  racing.destroy();
  assert.ok(raced);
  assert.equal(await text('race.json'), 'newer');
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'race.json' }));
  assert.equal(head.Metadata?.[ORDER_TOKEN_META], NEWER);
  // The newer version's rerun still writes.
  assert.equal(await putUnlessNewer(s3, { Bucket, Key: 'race.json' }, () => 'newer again', NEWER), true);
  assert.equal(await text('race.json'), 'newer again');
});
