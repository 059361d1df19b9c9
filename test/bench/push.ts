/**
 * `npm run bench -- push`: the fan-out of one share to N subscribed devices (functions/core/shares/notify.ts: a claim
 * in the table, aes128gcm encryption and a VAPID signature per push, 16 in flight), against dynalite and the tests'
 * fake push service on 127.0.0.1 (which verifies and decrypts each push, as the test does). Floor, in the same run: N
 * plain POSTs of the same size to the same service, 16 in flight (no claim, no encryption, no signature).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { loadOperationConfig } from '../../functions/core/operation/config.ts';
import { dynamoClient } from '../../functions/core/platform/aws.ts';
import { forEachLimit } from '../../functions/core/store/batch.ts';
import { fanOut } from '../../functions/core/shares/notify.ts';
import { PushSubscriptions } from '../../functions/core/shares/push.ts';
import { ShareStore } from '../../functions/core/shares/store.ts';
import { generateVapidKeys } from '../../functions/core/shares/vapid.ts';
import { startDynamo } from '../../lib/local/dynamodb.ts';
import { startPushService } from '../lib/local/push-service.ts';

// The first count warms up (module loads, JIT) and is not printed.
const COUNTS = [5, ...(process.env.BENCH_PUSH_DEVICES ?? '10,100,500').split(',').map(Number)];

export async function pushBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-push-'));
  const dynamo = await startDynamo({ path: join(dir, 'db'), port: 0, tableName: 'seizures' });
  const client = dynamoClient({ dynamodb: dynamo.endpoint });
  const push = await startPushService();
  const config: OperationConfig = loadOperationConfig();
  const vapid = generateVapidKeys('mailto:bench@example.org');
  const shares = new ShareStore({ client, tableName: 'seizures' });
  const subscriptions = new PushSubscriptions({ client, tableName: 'seizures' });
  try {
    for (const [k, n] of COUNTS.entries()) {
      // A Member of its own per count: the fan-out sends to every subscription of the Member.
      const member = config.members[k]!.code;
      for (let i = 0; i < n; i++)
        await subscriptions.put(
          { member, analyst: false, email: undefined, sub: `bench-${n}-${i}` },
          push.device(`b${n}-${i}`).subscription,
        );
      const id = `bench${String(n).padStart(17, '0')}x`.slice(0, 22);
      const now = new Date();
      await shares.create({
        id,
        operation: config.id,
        from: 'FR',
        by: 'bench',
        caseRef: 'B-1',
        note: '',
        to: [member],
        all: false,
        fields: {
          date: '2021-06-15',
          items: [],
          route: { origin: [], departure: [], transit: [], destination: [] },
          transportModes: [],
          concealment: [],
        },
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
      });
      const received = push.received.length;
      const t0 = performance.now();
      const r = await fanOut(
        {
          config,
          shares,
          subscriptions,
          dynamo: client,
          tableName: 'seizures',
          contacts: { members: [], analysts: [] },
          mailer: { send: async () => undefined },
          vapid: async () => vapid,
          portalUrl: 'https://portal.example.org',
        },
        { shareId: id, operation: config.id },
      );
      const seconds = (performance.now() - t0) / 1000;
      if (r.pushes !== n || push.received.length - received < n) throw new Error(`${r.pushes} of ${n} pushes`);
      // Floor: the same number of POSTs of a push's size, no claim, no encryption.
      const body = new Uint8Array(230);
      const f0 = performance.now();
      await forEachLimit(
        Array.from({ length: n }, (_, i) => i),
        16,
        async () => {
          const res = await fetch(`${push.origin}/nowhere`, { method: 'POST', body });
          await res.arrayBuffer();
        },
      );
      const floor = (performance.now() - f0) / 1000;
      if (k > 0)
        console.log(
          `push fan-out to ${String(n).padStart(4)} devices: ${seconds.toFixed(2)} s (${Math.round(n / seconds)} pushes/s)   floor (plain POSTs): ${floor.toFixed(2)} s   ratio ${(seconds / floor).toFixed(1)}x`,
        );
    }
    if (push.rejected.length) throw new Error(`the push service rejected ${push.rejected.length} pushes`);
  } finally {
    await push.close();
    client.destroy();
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  }
}
