import { describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { uploadsFromSqsBody } from '../../../functions/ingest/event.ts';
import { INCOMING_PREFIX, INGEST_SUFFIXES } from '../../../functions/core/operation/layout.ts';
import {
  encodeS3EventKey,
  fromS3rverEvent,
  routedToIngest,
  Sequencer,
  sqsBodyOf,
  type S3rverEvent,
} from '../../../lib/local/notifications.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const s3rverEvent = (key: string, eventName = 'ObjectCreated:Put'): S3rverEvent => ({
  Records: [
    {
      eventTime: '2021-06-15T10:00:00.000Z',
      eventName,
      s3: { bucket: { name: 'submissions' }, object: { key, size: 12, eTag: 'abc', sequencer: '17F' } },
    },
  ],
});

describe('local S3 notifications', () => {
  test('route exactly what the bucket notification routes: ObjectCreated under incoming/ with a listed suffix, case-sensitive', () => {
    for (const s of INGEST_SUFFIXES) assert.ok(routedToIngest(`${INCOMING_PREFIX}FR/week${s}`), s);
    assert.equal(routedToIngest('incoming/FR/week.Xlsx'), false);
    assert.equal(routedToIngest('incoming/FR/week.pdf'), false);
    assert.equal(routedToIngest('feedback/FR/week.csv'), false);
    assert.equal(routedToIngest('Incoming/FR/week.csv'), false);
    assert.equal(routedToIngest('incoming/FR/week.csv', 'ObjectRemoved:Delete'), false);
  });

  test('keys are URL-encoded as S3 does in events: + for a space, %2B for +, UTF-8 percent-encoded, / kept', () => {
    assert.equal(encodeS3EventKey('incoming/FR/week 12.xlsx'), 'incoming/FR/week+12.xlsx');
    assert.equal(encodeS3EventKey('incoming/FR/a+b.csv'), 'incoming/FR/a%2Bb.csv');
    assert.equal(encodeS3EventKey('incoming/FR/été (1).csv'), 'incoming/FR/%C3%A9t%C3%A9+%281%29.csv');
    assert.equal(encodeS3EventKey('incoming/FR/sub/dir/x.csv'), 'incoming/FR/sub/dir/x.csv');
  });

  test('the ingest handler decodes every key back to the stored key', () => {
    const sequencer = new Sequencer();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (name) => {
        const key = `incoming/FR/${name}.csv`;
        const [created] = fromS3rverEvent(s3rverEvent(key), sequencer);
        const [upload] = uploadsFromSqsBody(sqsBodyOf(created!));
        assert.equal(upload!.key, key);
      }),
    );
  });

  test('the message body is the S3 event AWS sends: version 2.1, no versionId, quoted-less eTag, our sequencer', () => {
    const [created] = fromS3rverEvent(s3rverEvent('incoming/FR/week 12.csv'), new Sequencer());
    const body = JSON.parse(sqsBodyOf(created!));
    assert.equal(body.Records.length, 1);
    const r = body.Records[0];
    assert.equal(r.eventVersion, '2.1');
    assert.equal(r.eventSource, 'aws:s3');
    assert.equal(r.eventName, 'ObjectCreated:Put');
    assert.equal(r.s3.bucket.arn, 'arn:aws:s3:::submissions');
    assert.equal(r.s3.object.key, 'incoming/FR/week+12.csv');
    assert.equal(r.s3.object.size, 12);
    assert.equal(r.s3.object.eTag, 'abc');
    assert.equal('versionId' in r.s3.object, false);
    assert.match(r.s3.object.sequencer, /^[0-9A-F]{16}$/);
    assert.ok(!Number.isNaN(Date.parse(r.eventTime)));
  });

  test("a completed multipart upload (s3rver's 'Post') is notified as S3 names it", () => {
    const [created] = fromS3rverEvent(s3rverEvent('incoming/FR/big.csv', 'ObjectCreated:Post'), new Sequencer());
    assert.equal(JSON.parse(sqsBodyOf(created!)).Records[0].eventName, 'ObjectCreated:CompleteMultipartUpload');
  });

  test('events outside the filter produce no message', () => {
    assert.deepEqual(fromS3rverEvent(s3rverEvent('feedback/FR/week.csv.report.json'), new Sequencer()), []);
    assert.deepEqual(fromS3rverEvent(s3rverEvent('incoming/FR/week.csv', 'ObjectRemoved:Delete'), new Sequencer()), []);
  });

  test('sequencers grow with every event, within one millisecond and after one seen before a restart', () => {
    const s = new Sequencer();
    const a = s.next(1_000);
    const b = s.next(1_000);
    const c = s.next(999);
    assert.ok(a < b && b < c, `${a} ${b} ${c}`);
    const later = new Sequencer();
    later.observe(c);
    assert.ok(later.next(999) > c);
  });
});
