/**
 * The API answers CloudFront only: a request without the origin header CloudFront adds (the default execute-api
 * endpoint, around CloudFront) is refused before the router or the token are looked at; the secret is read once and
 * again, at most once a minute, after a mismatch (a rotated secret).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { createOriginCheck, ORIGIN_HEADER } from '../../../../functions/core/portal/origin.ts';
import { createPortalApi, type PortalDeps } from '../../../../functions/core/portal/router.ts';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';

test('the check: the right value passes; none, a wrong one or a prefix of it does not; the secret is read once', async () => {
  let reads = 0;
  const check = createOriginCheck(async () => {
    reads++;
    return 's3cr3t-value';
  });
  assert.equal(await check({ [ORIGIN_HEADER]: 's3cr3t-value' }), true);
  assert.equal(await check({}), false);
  assert.equal(await check({ [ORIGIN_HEADER]: 's3cr3t' }), false);
  assert.equal(await check({ [ORIGIN_HEADER]: '' }), false);
  assert.equal(await check({ [ORIGIN_HEADER]: 's3cr3t-value' }), true);
  assert.equal(reads, 1);
});

test('a rotated secret is read again after a mismatch, at most once a minute; a failed read is retried', async () => {
  let now = 0;
  let value = 'old';
  let reads = 0;
  let fail = false;
  const check = createOriginCheck(
    async () => {
      reads++;
      if (fail) throw new Error('throttled');
      return value;
    },
    { now: () => now },
  );
  assert.equal(await check({ [ORIGIN_HEADER]: 'old' }), true);
  value = 'new';
  now = 10_000;
  assert.equal(await check({ [ORIGIN_HEADER]: 'new' }), false, 'not re-read within the minute');
  now = 70_000;
  assert.equal(await check({ [ORIGIN_HEADER]: 'new' }), true);
  assert.equal(reads, 2);
  const broken = createOriginCheck(async () => {
    reads++;
    if (fail) throw new Error('throttled');
    return value;
  });
  fail = true;
  await assert.rejects(broken({ [ORIGIN_HEADER]: 'new' }), /throttled/);
  fail = false;
  assert.equal(await broken({ [ORIGIN_HEADER]: 'new' }), true);
});

test('the router refuses a request without the header with 403 not-through-portal, before reading the token', async () => {
  let verified = 0;
  const deps = {
    config: loadOperationConfig(),
    verify: async () => {
      verified++;
      return { member: 'FR', analyst: false, email: 'a@b.c', sub: 's' };
    },
    origin: createOriginCheck(async () => 'from-cloudfront'),
  } as unknown as PortalDeps;
  const api = createPortalApi(deps, { error: () => {} });
  const around = await api({ method: 'GET', path: '/api/me', query: {}, headers: { authorization: 'Bearer x' } });
  assert.equal(around.status, 403);
  assert.deepEqual(JSON.parse(around.body as string).error, 'not-through-portal');
  assert.equal(verified, 0);
  const through = await api({
    method: 'GET',
    path: '/api/me',
    query: {},
    headers: { authorization: 'Bearer x', [ORIGIN_HEADER]: 'from-cloudfront' },
  });
  assert.equal(through.status, 200);
  assert.equal(verified, 1);
});
