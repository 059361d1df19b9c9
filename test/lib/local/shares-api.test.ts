/**
 * The shares API on the local cloud, through the local portal server (the same handler as the Lambda) and the local
 * shares queue (the same fan-out handler): FR shares a stored case with DE and BE; each recipient NCP gets one email in
 * its language with the link only; every subscribed device of DE's and BE's users gets exactly one push, which a fake
 * push service on 127.0.0.1 verifies (VAPID) and decrypts (aes128gcm); FR and GB get nothing; DE reads it (FR sees
 * "read") and acknowledges (FR sees it); GB gets 404 as for an id that never existed; after revocation and after
 * expiry 404 to all but the analysts, who see every share.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { callsAreCurrent, recordCalls } from '../preflight/record.ts';
import { sharePk, SHARE_SK } from '../../../functions/core/shares/keys.ts';
import { startPushService, type PushService } from './push-service.ts';
import { ALL_USERS, CASE_REF, sharesCloud, storeFrCase, type SharesCloud } from './shares-fixtures.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The shares routes' and the share-notify function's AWS calls, kept for `seizures preflight` (lib/preflight/calls/shares.json).
const recording = recordCalls();

let sc: SharesCloud;
let push: PushService;

beforeAll(async () => {
  [sc, push] = await Promise.all([sharesCloud(), startPushService()]);
  await storeFrCase(sc);
});
afterAll(async () => {
  const names = sc
    ? { [sc.cloud.bucket]: 'BucketName', [sc.cloud.tableName]: 'TableName', [sc.config.userPoolId]: 'UserPoolId' }
    : undefined;
  await push?.close();
  await sc?.close();
  if (names) callsAreCurrent('shares', recording, names, fileURLToPath(import.meta.url));
});

const idle = () => sc.cloud.shares!.queue.waitForIdle(30_000);

describe('401, and the errors the contract names', () => {
  test('every shares and push route needs a token', async () => {
    for (const [method, path] of [
      ['POST', 'shares'],
      ['GET', 'shares'],
      ['GET', 'shares/AAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', 'shares/AAAAAAAAAAAAAAAAAAAAAA/ack'],
      ['DELETE', 'shares/AAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', 'push/key'],
      ['POST', 'push/subscriptions'],
      ['DELETE', 'push/subscriptions'],
    ] as const) {
      const r = await sc.call(path, undefined, method === 'GET' ? { method } : { method, body: {} });
      assert.equal(r.status, 401, `${method} ${path}`);
    }
  });

  test('400 with a code for an unknown case, an unknown Member, a note over 2,000 characters; 403 for another Member', async () => {
    const post = (body: unknown, who: 'fr' | 'de' | 'analyst' = 'fr') => sc.call('shares', who, { method: 'POST', body });
    const cases: [unknown, number, string][] = [
      [{ caseRef: 'NO-SUCH-CASE', note: '', to: ['DE'] }, 400, 'unknown-case'],
      [{ caseRef: '', note: '', to: ['DE'] }, 400, 'unknown-case'],
      [{ caseRef: CASE_REF, note: '', to: ['DE', 'ZZ'] }, 400, 'unknown-member'],
      [{ caseRef: CASE_REF, note: '', to: [] }, 400, 'unknown-member'],
      [{ caseRef: CASE_REF, note: '', to: 'everyone' }, 400, 'unknown-member'],
      [{ caseRef: CASE_REF, note: 'x'.repeat(2001), to: ['DE'] }, 400, 'note-too-long'],
      [{ caseRef: CASE_REF, note: '', to: ['DE'], expiresInDays: 0 }, 400, 'bad-expiry'],
      [{ caseRef: CASE_REF, note: '', to: ['DE'], expiresInDays: 1.5 }, 400, 'bad-expiry'],
      [{ caseRef: CASE_REF, note: '', to: ['BE'], member: 'DE' }, 403, 'forbidden'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(r.json.error, code, JSON.stringify(body));
    }
    // DE has no case of that reference: for DE the FR case does not exist (its own Member's cases only).
    assert.equal((await post({ caseRef: CASE_REF, note: '', to: ['BE'] }, 'de')).json.error, 'unknown-case');
    // Exactly 2,000 characters (counted as characters, not bytes) is taken.
    const ok = await post({ caseRef: CASE_REF, note: 'é'.repeat(2000), to: ['GB'], expiresInDays: 2 });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    await idle();
  });
});

describe('FR shares a case with DE and BE', () => {
  let id: string;
  beforeAll(async () => {
    // Devices: DE's first user on two, DE's second user on one, BE on one plus one the push service has dropped,
    // FR and GB on one each (they must get nothing).
    const subscribe = async (who: keyof typeof ALL_USERS, name: string, gone = false) => {
      const d = push.device(name, { gone });
      const r = await sc.call('push/subscriptions', who, { method: 'POST', body: d.subscription });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    };
    await subscribe('de', 'de-phone');
    await subscribe('de', 'de-laptop');
    await subscribe('de2', 'de2-phone');
    await subscribe('be', 'be-phone');
    await subscribe('be', 'be-old', true);
    await subscribe('fr', 'fr-phone');
    await subscribe('gb', 'gb-phone');
    push.received.length = 0;
  });

  test("the route is proposed, the case is worded in the reader's language", async () => {
    const p = await sc.call(`shares/case?caseRef=${CASE_REF}&lang=fr`, 'fr');
    assert.equal(p.status, 200, JSON.stringify(p.json));
    assert.deepEqual(
      p.json.proposed.filter((m: string) => ['BE', 'DE', 'GB', 'FR'].includes(m)),
      ['BE', 'DE'],
    );
    assert.equal(p.json.case.items[0].product.label, 'Ivermectine');
    assert.equal(p.json.case.route.transit[0].label, 'Allemagne');
  });

  test('201 {id, expiresAt}: 30 days by default', async () => {
    const before = Date.now();
    const r = await sc.call('shares', 'fr', {
      method: 'POST',
      body: { caseRef: CASE_REF, note: 'Consignment routed through Frankfurt to Brussels: watch for the same sender.', to: ['DE', 'BE'] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(Object.keys(r.json).sort(), ['expiresAt', 'id']);
    id = r.json.id;
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const days = (Date.parse(r.json.expiresAt) - before) / 86_400_000;
    assert.ok(days > 29.99 && days < 30.01, String(days));
    await idle();
  });

  test('each recipient NCP gets one email in its language, with the link only; FR and GB get none', async () => {
    const de = await sc.mailTo('ncp.de@customs.example.org');
    const be = await sc.mailTo('ncp.be@customs.example.org');
    assert.equal(de.length, 1);
    assert.equal(be.length, 1);
    assert.match(de[0]!.subject, /a seizure has been shared with you/); // DE reads English (cdk.json)
    assert.match(be[0]!.subject, /une saisie vous a été partagée/); // BE reads French
    for (const m of [...de, ...be]) {
      assert.ok(m.text.includes(`${sc.url}/shares/${id}?lang=`), m.text);
      for (const secret of [CASE_REF, 'Frankfurt', 'Ivermectin', '12000', '12,000', 'secret internal', 'X-Amz-Signature', 'France'])
        assert.ok(!m.text.includes(secret) && !m.html.includes(secret), `${secret} in ${m.subject}`);
      assert.equal([...m.html.matchAll(/href="([^"]+)"/g)].length, 1);
    }
    // FR shared it; GB was not addressed (GB got the earlier share of the 2,000-character note, not this one).
    assert.equal((await sc.mailTo('ncp.fr@customs.example.org')).length, 0);
    assert.equal((await sc.mailTo('ncp.gb@customs.example.org')).filter((m) => m.text.includes(id)).length, 0);
  });

  test('exactly one push per subscribed device of DE and BE, verified and decrypted; none for FR or GB; the gone one is dropped', async () => {
    assert.deepEqual(push.rejected, []);
    const got = push.received.map((r) => r.device).sort();
    assert.deepEqual(got, ['be-phone', 'de-laptop', 'de-phone', 'de2-phone']);
    const key = (await sc.call('push/key', 'de')).json.publicKey as string;
    for (const r of push.received) {
      assert.equal(r.vapidKey, key);
      assert.equal(r.payload.url, `${sc.url}/shares/${id}?lang=${r.device.startsWith('be') ? 'fr' : 'en'}`);
      assert.ok(!JSON.stringify(r.payload).includes('Ivermectin'));
    }
    // A second delivery of the same message sends nothing again (every send was claimed).
    sc.cloud.shares!.queue.send(JSON.stringify({ shareId: id, operation: 'stop-ii' }));
    await idle();
    assert.equal(push.received.length, 4);
    assert.equal((await sc.mailTo('ncp.de@customs.example.org')).length, 1);
    // be-old answered 410: its subscription was deleted (a new share does not try it again).
    const again = await sc.call('shares', 'fr', { method: 'POST', body: { caseRef: CASE_REF, note: '', to: ['BE'], expiresInDays: 1 } });
    await idle();
    assert.deepEqual(
      push.received.slice(4).map((r) => r.device),
      ['be-phone'],
    );
    await sc.call(`shares/${again.json.id}`, 'fr', { method: 'DELETE' });
  });

  test('lists: DE received it unread and without the case reference; FR sent it', async () => {
    const de = await sc.call('shares', 'de');
    const mine = de.json.received.find((s: { id: string }) => s.id === id);
    assert.ok(mine, JSON.stringify(de.json));
    assert.equal(mine.from, 'FR');
    assert.deepEqual(mine.to, ['DE', 'BE']);
    assert.equal(mine.read, false);
    assert.equal(mine.acknowledged, false);
    assert.equal(mine.caseRef, undefined);
    const fr = await sc.call('shares', 'fr');
    const sent = fr.json.sent.find((s: { id: string }) => s.id === id);
    assert.equal(sent.caseRef, CASE_REF);
    assert.equal(sent.read, false);
    // Newest first.
    const times = fr.json.sent.map((s: { createdAt: string }) => s.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  test('GB, not addressed, gets 404 for everything, as for an id that never existed', async () => {
    for (const [method, path] of [
      ['GET', `shares/${id}`],
      ['POST', `shares/${id}/ack`],
      ['DELETE', `shares/${id}`],
      ['GET', 'shares/AAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', 'shares/not-an-id'],
    ] as const) {
      const r = await sc.call(path, 'gb', { method });
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.json.error, 'not-found');
    }
    assert.equal(
      (await sc.call('shares', 'gb')).json.received.some((s: { id: string }) => s.id === id),
      false,
    );
  });

  test('DE opens it in its language: the fields worded, the note as written; FR then sees "read"', async () => {
    const r = await sc.call(`shares/${id}?lang=es`, 'de');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.lang, 'es');
    assert.equal(r.json.note, 'Consignment routed through Frankfurt to Brussels: watch for the same sender.');
    assert.equal(r.json.case.items.length, 2);
    assert.equal(r.json.case.items[0].unit.label, 'Piezas');
    assert.equal(r.json.case.route.origin[0].label, 'China');
    assert.equal(r.json.case.concealment[0].code, 'misdescribed');
    assert.equal(r.json.caseRef, undefined);
    assert.equal(r.json.recipients, undefined);
    assert.ok(!JSON.stringify(r.json).includes('secret internal'));
    assert.equal(r.json.read, true);
    const fr = await sc.call(`shares/${id}`, 'fr');
    assert.equal(fr.json.caseRef, CASE_REF);
    const de = fr.json.recipients.find((x: { member: string }) => x.member === 'DE');
    const be = fr.json.recipients.find((x: { member: string }) => x.member === 'BE');
    assert.ok(de.readAt);
    assert.equal(de.acknowledgedAt, null);
    assert.equal(be.readAt, null);
    const list = await sc.call('shares', 'fr');
    const sent = list.json.sent.find((s: { id: string }) => s.id === id);
    assert.equal(sent.read, true);
    assert.equal(sent.readCount, 1);
  });

  test('DE acknowledges (who and when): FR sees it; only recipients acknowledge, only FR or analysts revoke', async () => {
    const ack = await sc.call(`shares/${id}/ack`, 'de2', { method: 'POST' });
    assert.equal(ack.status, 200, JSON.stringify(ack.json));
    assert.equal(ack.json.acknowledgedBy, ALL_USERS.de2.email);
    const fr = await sc.call(`shares/${id}`, 'fr');
    const de = fr.json.recipients.find((x: { member: string }) => x.member === 'DE');
    assert.equal(de.acknowledgedAt, ack.json.acknowledgedAt);
    // A second acknowledgement keeps the first.
    const again = await sc.call(`shares/${id}/ack`, 'de', { method: 'POST' });
    assert.equal(again.json.acknowledgedAt, ack.json.acknowledgedAt);
    assert.equal((await sc.call(`shares/${id}/ack`, 'fr', { method: 'POST' })).status, 403);
    assert.equal((await sc.call(`shares/${id}/ack`, 'analyst', { method: 'POST' })).status, 403);
    assert.equal((await sc.call(`shares/${id}`, 'de', { method: 'DELETE' })).status, 403);
  });

  test('analysts see every share, with the case reference and every recipient', async () => {
    const list = await sc.call('shares', 'analyst');
    assert.ok(list.json.all.some((s: { id: string; caseRef: string }) => s.id === id && s.caseRef === CASE_REF));
    const one = await sc.call(`shares/${id}`, 'analyst');
    assert.equal(one.status, 200);
    assert.equal(one.json.recipients.length, 2);
    // Shares and subscriptions share the byMember index with submissions: the analysts' list of every upload (a scan
    // of that index) still lists uploads only.
    const uploads = await sc.call('submissions', 'analyst');
    assert.ok(uploads.json.submissions.length > 0);
    for (const u of uploads.json.submissions) assert.match(u.objectKey, /^incoming\//, JSON.stringify(u));
  });

  test('after revocation: 404 to all but the analysts', async () => {
    const r = await sc.call(`shares/${id}`, 'fr', { method: 'DELETE' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.revoked, true);
    for (const who of ['fr', 'de', 'be', 'gb'] as const) {
      assert.equal((await sc.call(`shares/${id}`, who)).status, 404, who);
      const list = await sc.call('shares', who);
      assert.ok(![...list.json.received, ...list.json.sent].some((s: { id: string }) => s.id === id), who);
    }
    assert.equal((await sc.call(`shares/${id}`, 'fr', { method: 'DELETE' })).status, 404);
    const a = await sc.call(`shares/${id}`, 'analyst');
    assert.equal(a.status, 200);
    assert.ok(a.json.revokedAt);
  });

  test('after expiry: 404 to all but the analysts (enforced on read: dynalite has no TTL)', async () => {
    const r = await sc.call('shares', 'fr', {
      method: 'POST',
      body: { caseRef: CASE_REF, note: 'short-lived', to: ['DE'], expiresInDays: 1 },
    });
    await idle();
    assert.equal((await sc.call(`shares/${r.json.id}`, 'de')).status, 200);
    // A day passes: the share's expiry is put in the past.
    await sc.dynamo.send(
      new UpdateItemCommand({
        TableName: sc.cloud.tableName,
        Key: { pk: { S: sharePk(r.json.id) }, sk: { S: SHARE_SK } },
        UpdateExpression: 'SET expiresAt = :t',
        ExpressionAttributeValues: { ':t': { S: new Date(Date.now() - 1000).toISOString() } },
      }),
    );
    for (const who of ['fr', 'de'] as const) {
      assert.equal((await sc.call(`shares/${r.json.id}`, who)).status, 404, who);
      assert.equal((await sc.call(`shares/${r.json.id}/ack`, who, { method: 'POST' })).status, 404, who);
    }
    const a = await sc.call(`shares/${r.json.id}`, 'analyst');
    assert.equal(a.status, 200);
    assert.ok(
      (await sc.call('shares', 'analyst')).json.all.some((s: { id: string; expired?: boolean }) => s.id === r.json.id && s.expired),
    );
  });
});

describe('push subscriptions', () => {
  test("GET /api/push/key: the same VAPID public key every time (the data directory's)", async () => {
    const a = await sc.call('push/key', 'fr');
    const b = await sc.call('push/key', 'gb');
    assert.equal(a.status, 200);
    assert.equal(a.json.publicKey, b.json.publicKey);
    assert.equal(Buffer.from(a.json.publicKey, 'base64url').length, 65);
  });

  test('a bad subscription is 400; DELETE removes it', async () => {
    const d = push.device('gb-tablet');
    for (const body of [
      { ...d.subscription, endpoint: 'http://10.0.0.1/push' },
      { ...d.subscription, endpoint: 'file:///etc/passwd' },
      { ...d.subscription, keys: { p256dh: 'abc', auth: d.subscription.keys.auth } },
      { endpoint: d.subscription.endpoint },
    ]) {
      const r = await sc.call('push/subscriptions', 'gb', { method: 'POST', body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error, 'bad-subscription');
    }
    assert.equal((await sc.call('push/subscriptions', 'gb', { method: 'POST', body: d.subscription })).status, 201);
    const del = await sc.call('push/subscriptions', 'gb', { method: 'DELETE', body: { endpoint: d.subscription.endpoint } });
    assert.deepEqual(del.json, { removed: true });
    const again = await sc.call('push/subscriptions', 'gb', { method: 'DELETE', body: { endpoint: d.subscription.endpoint } });
    assert.deepEqual(again.json, { removed: false });
  });
});

describe('photos: presigned POST under shares/{id}/, metadata stripped before anyone reads them', () => {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const segment = (marker: number, data: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  };
  const GPS = 'GPSLatitude 48.8566 N GPSLongitude 2.3522 E';
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    segment(0xe1, Buffer.from(`Exif\0\0${GPS}`, 'latin1')),
    segment(0xdb, Buffer.alloc(65, 1)),
    Buffer.from([0xff, 0xda, 0, 8, 1, 2, 3, 4, 5, 6, 0x11, 0x22, 0x33, 0xff, 0xd9]),
  ]);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])),
    chunk('eXIf', Buffer.from(`MM\0*${GPS}`, 'latin1')),
    chunk('tEXt', Buffer.from(`Comment\0${GPS}`, 'latin1')),
    chunk('IDAT', zlib.deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);

  const post = async (id: string, who: 'fr' | 'de', file: Buffer, contentType: string) => {
    const target = await sc.call(`shares/${id}/photos`, who, { method: 'POST', body: { contentType, size: file.length } });
    if (target.status !== 200) return target;
    const form = new FormData();
    for (const [k, v] of Object.entries(target.json.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([file], { type: contentType }));
    const res = await fetch(target.json.url, { method: 'POST', body: form });
    assert.equal(res.status, 204);
    return target;
  };

  test('two photos stripped, listed to the recipients as presigned GETs; at most 5; only the sharer adds them', async () => {
    const r = await sc.call('shares', 'fr', { method: 'POST', body: { caseRef: CASE_REF, note: 'with photos', to: ['DE'] } });
    const id = r.json.id as string;
    assert.equal((await post(id, 'fr', jpeg, 'image/jpeg')).status, 200);
    assert.equal((await post(id, 'fr', png, 'image/png')).status, 200);
    // Not an image: refused and deleted by the processing, never listed.
    assert.equal((await post(id, 'fr', Buffer.from('<script>alert(1)</script>'), 'image/png')).status, 200);
    await idle();
    const seen = await sc.call(`shares/${id}`, 'de');
    assert.equal(seen.json.photos.length, 2, JSON.stringify(seen.json.photos));
    const [a, b] = await Promise.all(
      seen.json.photos.map(async (p: { url: string }) => Buffer.from(await (await fetch(p.url)).arrayBuffer())),
    );
    assert.deepEqual([...a!.subarray(0, 2)], [0xff, 0xd8]);
    assert.ok(a!.includes(Buffer.from('JFIF')) && a!.includes(Buffer.from([0x11, 0x22, 0x33])));
    assert.ok(b!.includes(Buffer.from('IHDR')) && b!.includes(Buffer.from('IEND')));
    for (const bytes of [a!, b!]) assert.ok(!bytes.includes(Buffer.from('GPSLatitude')), 'the position is gone');
    // Nothing unstripped is left under the share's uploads.
    const left = await sc.s3.send(new ListObjectsV2Command({ Bucket: sc.cloud.bucket, Prefix: `shares/${id}/uploads/` }));
    assert.equal(left.KeyCount ?? 0, 0);
    // Five slots in all (three used); the sixth is refused; the recipient, not the sharer, cannot add any.
    assert.equal(
      (await sc.call(`shares/${id}/photos`, 'de', { method: 'POST', body: { contentType: 'image/png', size: 10 } })).status,
      403,
    );
    assert.equal(
      (await sc.call(`shares/${id}/photos`, 'gb', { method: 'POST', body: { contentType: 'image/png', size: 10 } })).status,
      404,
    );
    for (const [body, code] of [
      [{ contentType: 'image/gif', size: 10 }, 'unsupported-photo-type'],
      [{ contentType: 'image/jpeg', size: 5 * 1024 * 1024 + 1 }, 'photo-too-large'],
    ] as const)
      assert.equal((await sc.call(`shares/${id}/photos`, 'fr', { method: 'POST', body })).json.error, code);
    const fourth = await sc.call(`shares/${id}/photos`, 'fr', { method: 'POST', body: { contentType: 'image/png', size: 10 } });
    assert.equal(fourth.status, 200);
    assert.match(fourth.json.key, new RegExp(`^shares/${id}/uploads/[0-9a-f]{12}\\.png$`));
    // The POST policy pins the key, the type and the size (S3 enforces it; s3rver does not: the processing checks again).
    const policy = JSON.parse(Buffer.from(fourth.json.fields.Policy, 'base64').toString()) as { conditions: unknown[] };
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify(['content-length-range', 1, 5 * 1024 * 1024])));
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === JSON.stringify(['eq', '$Content-Type', 'image/png'])));
    assert.equal(
      (await sc.call(`shares/${id}/photos`, 'fr', { method: 'POST', body: { contentType: 'image/png', size: 10 } })).status,
      200,
    );
    const sixth = await sc.call(`shares/${id}/photos`, 'fr', { method: 'POST', body: { contentType: 'image/png', size: 10 } });
    assert.equal(sixth.json.error, 'too-many-photos');
  });
});
