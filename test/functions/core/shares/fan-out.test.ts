/**
 * The shares core without the cloud around it: metadata stripping (well-formed and broken images), the VAPID keys in
 * Secrets Manager when two functions race to create them, and the fan-out's claims (a failed email is retried alone,
 * never sent twice; a revoked share announces nothing), on an in-process dynalite.
 */
import assert from 'node:assert/strict';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { FanOutError, fanOut } from '../../../../functions/core/shares/notify.ts';
import { NotAnImageError, stripMetadata } from '../../../../functions/core/shares/photos.ts';
import { PushSubscriptions } from '../../../../functions/core/shares/push.ts';
import { ShareStore, type Share } from '../../../../functions/core/shares/store.ts';
import { generateVapidKeys, secretsManagerVapid, VAPID_VERSION_TOKEN } from '../../../../functions/core/shares/vapid.ts';
import { startDynalite, type LocalDynamo } from '../store/local-dynamo.ts';

describe('stripMetadata', () => {
  const seg = (marker: number, data: string) => {
    const b = Buffer.concat([Buffer.from([0xff, marker, 0, 0]), Buffer.from(data, 'latin1')]);
    b.writeUInt16BE(data.length + 2, 2);
    return b;
  };
  const sos = Buffer.from([0xff, 0xda, 0, 4, 9, 9, 0xab, 0xcd, 0xff, 0xd9]);

  test('drops APP1 (Exif, XMP) and APP13 (IPTC), keeps every other segment and the scan as they are', () => {
    const app0 = seg(0xe0, 'JFIF\0');
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      app0,
      seg(0xe1, 'Exif\0\0GPS'),
      seg(0xed, 'Photoshop 3.0 GPS'),
      seg(0xe1, 'http://ns.adobe.com/xap/ GPS'),
      sos,
    ]);
    const out = stripMetadata(jpeg);
    assert.equal(out.type, 'image/jpeg');
    assert.deepEqual(out.bytes, Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sos]));
  });

  test('refuses what is not a whole JPEG or PNG', () => {
    for (const bad of [
      Buffer.from('GIF89a'),
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1]), // a segment longer than the file
      Buffer.from([0xff, 0xd8, 0x00]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 1]), // no IEND
    ])
      assert.throws(() => stripMetadata(bad), NotAnImageError);
  });
});

describe('VAPID keys in Secrets Manager', () => {
  test("generated once; a function that loses the race to write them uses the winner's", async () => {
    const winner = generateVapidKeys('mailto:ops@example.org');
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"kind":"vapid, not generated yet","placeholder":"x"}' })
      .resolves({ SecretString: JSON.stringify(winner) });
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'version exists', $metadata: {} }));
    const keys = await secretsManagerVapid(new SecretsManagerClient({}), 'arn:secret', 'mailto:ops@example.org')();
    assert.deepEqual(keys, winner);
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    assert.equal(put.ClientRequestToken, VAPID_VERSION_TOKEN);
    sm.restore();
  });
});

describe('fanOut', () => {
  let db: LocalDynamo;
  let table: string;
  beforeAll(async () => {
    db = await startDynalite();
    table = await db.table();
  });
  afterAll(async () => db?.close());

  const config = loadOperationConfig();
  const share = (id: string, extra: Partial<Share> = {}): Share => ({
    id,
    operation: config.id,
    from: 'FR',
    by: 'officer@douane.fr.example',
    caseRef: 'C-1',
    note: '',
    to: ['DE', 'BE'],
    all: false,
    fields: {
      date: '2021-06-15',
      items: [],
      route: { origin: [], departure: [], transit: [], destination: [] },
      transportModes: [],
      concealment: [],
    },
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...extra,
  });
  const deps = (mailer: (to: string) => Promise<void>) => ({
    config,
    shares: new ShareStore({ client: db.client(), tableName: table }),
    subscriptions: new PushSubscriptions({ client: db.client(), tableName: table }),
    dynamo: db.client(),
    tableName: table,
    contacts: {
      members: [
        { code: 'DE', ncpEmail: 'ncp.de@example.org', language: 'en' as const },
        { code: 'BE', ncpEmail: 'ncp.be@example.org', language: 'fr' as const },
      ],
      analysts: [],
    },
    mailer: {
      send: async (_from: string, to: string) => {
        await mailer(to);
        return 'id';
      },
    },
    vapid: async () => generateVapidKeys('mailto:x@example.org'),
    portalUrl: 'https://portal.example.org',
  });

  test('a failed email is retried alone: each NCP gets exactly one', async () => {
    const s = share('AAAAAAAAAAAAAAAAAAAAA1');
    await new ShareStore({ client: db.client(), tableName: table }).create(s);
    const sent: string[] = [];
    let failBe = true;
    const mailer = async (to: string) => {
      if (to === 'ncp.be@example.org' && failBe) throw new Error('throttled');
      sent.push(to);
    };
    await assert.rejects(fanOut(deps(mailer), { shareId: s.id, operation: config.id }), FanOutError);
    failBe = false;
    const again = await fanOut(deps(mailer), { shareId: s.id, operation: config.id });
    assert.deepEqual({ emails: again.emails, skipped: again.skipped }, { emails: 1, skipped: 1 });
    const third = await fanOut(deps(mailer), { shareId: s.id, operation: config.id });
    assert.equal(third.emails, 0);
    assert.deepEqual(sent.sort(), ['ncp.be@example.org', 'ncp.de@example.org']);
  });

  test('a revoked or expired share announces nothing', async () => {
    const store = new ShareStore({ client: db.client(), tableName: table });
    const revoked = share('AAAAAAAAAAAAAAAAAAAAA2');
    await store.create(revoked);
    await store.revoke(revoked.id, 'x', new Date().toISOString());
    const expired = share('AAAAAAAAAAAAAAAAAAAAA3', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await store.create(expired);
    const sent: string[] = [];
    for (const id of [revoked.id, expired.id]) {
      const r = await fanOut(
        deps(async (to) => void sent.push(to)),
        { shareId: id, operation: config.id },
      );
      assert.equal(r.inactive, true);
    }
    assert.deepEqual(sent, []);
  });
});
