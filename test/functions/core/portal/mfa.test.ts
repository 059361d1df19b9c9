/** Analysts need TOTP: a yes is kept five minutes per user, a no is asked again; the router lets only /api/me through. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import type { Caller } from '../../../../functions/core/portal/auth.ts';
import { createAnalystMfa } from '../../../../functions/core/portal/mfa.ts';
import { createPortalApi, type PortalDeps } from '../../../../functions/core/portal/router.ts';

const analyst: Caller = { member: undefined, analyst: true, email: 'a@wco.example', sub: 's', username: 'u-1' };

test('a yes is kept for five minutes; a no is asked again at once (the analyst may have just turned TOTP on)', async () => {
  let now = 0;
  let on = false;
  const asked: string[] = [];
  const mfa = createAnalystMfa(
    async (u) => {
      asked.push(u);
      return on;
    },
    { now: () => now },
  );
  assert.equal(await mfa(analyst), false);
  on = true;
  assert.equal(await mfa(analyst), true);
  on = false;
  now = 299_000;
  assert.equal(await mfa(analyst), true, 'kept');
  now = 301_000;
  assert.equal(await mfa(analyst), false, 'asked again after five minutes');
  assert.deepEqual(asked, ['u-1', 'u-1', 'u-1']);
});

test('the router: an analyst without TOTP gets /api/me (mfaRequired) and 403 mfa-required elsewhere; Members are not asked', async () => {
  let asked = 0;
  const api = (caller: Caller) =>
    createPortalApi(
      {
        config: loadOperationConfig(),
        verify: async () => caller,
        analystMfa: async () => {
          asked++;
          return false;
        },
      } as unknown as PortalDeps,
      { error: () => {} },
    );
  const req = (path: string) => ({ method: 'GET', path, query: {}, headers: { authorization: 'Bearer x' } });
  const me = await api(analyst)(req('/api/me'));
  assert.equal(me.status, 200);
  assert.equal(JSON.parse(me.body as string).mfaRequired, true);
  for (const path of ['/api/submissions', '/api/summaries', '/api/lineage', '/api/template']) {
    const r = await api(analyst)(req(path));
    assert.equal(r.status, 403, path);
    assert.equal(JSON.parse(r.body as string).error, 'mfa-required');
  }
  const before = asked;
  const fr = await api({ ...analyst, analyst: false, member: 'FR' })(req('/api/me'));
  assert.equal(JSON.parse(fr.body as string).mfaRequired, undefined);
  assert.equal(asked, before, 'a Member officer is never asked about TOTP');
});
