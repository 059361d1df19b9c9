/**
 * The shares routes (functions/core/shares/ does the work): a Member's NCP or officer shares a stored case with other
 * Members, who read and acknowledge it; web push subscriptions and the VAPID public key. A ShareError becomes the
 * portal's HttpError (same status and code).
 */
import { PushSubscriptions, parseSubscription } from '../shares/push.ts';
import {
  acknowledgeShare,
  createShare,
  langOf,
  listShares,
  previewCase,
  presignSharePhoto,
  readShare,
  revokeShare,
  ShareError,
  type ShareDeps,
} from '../shares/service.ts';
import { ShareStore } from '../shares/store.ts';
import type { Caller } from './auth.ts';
import type { PortalDeps } from './deps.ts';
import { HttpError, json, jsonBody, type PortalRequest, type PortalResponse } from './http.ts';

const shareDeps = (d: PortalDeps): ShareDeps => {
  if (!d.shares) throw new HttpError(501, 'not-available', 'shares are not configured here');
  return {
    config: d.config,
    shares: new ShareStore({ client: d.dynamo, tableName: d.tableName }),
    dynamo: d.dynamo,
    tableName: d.tableName,
    notify: d.shares.notify,
    photos: { s3: d.s3, bucket: d.bucket },
    ...(d.shares.now ? { now: d.shares.now } : {}),
  };
};

const asHttp = async (f: () => Promise<PortalResponse>): Promise<PortalResponse> => {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ShareError) throw new HttpError(e.status, e.code, e.message);
    throw e;
  }
};

const subscriptions = (d: PortalDeps) => new PushSubscriptions({ client: d.dynamo, tableName: d.tableName });

type Route = [
  method: string,
  pattern: RegExp,
  handler: (d: PortalDeps, c: Caller, req: PortalRequest, params: string[]) => Promise<PortalResponse>,
];

/** Listed before any other /api/shares/{id} route: `case` is not an id. */
export const SHARE_ROUTES: Route[] = [
  ['POST', /^\/api\/shares$/, (d, c, req) => asHttp(async () => json(201, await createShare(shareDeps(d), c, jsonBody(req))))],
  ['GET', /^\/api\/shares$/, (d, c, req) => asHttp(async () => json(200, await listShares(shareDeps(d), c, langOf(d, c, req.query.lang))))],
  [
    'GET',
    /^\/api\/shares\/case$/,
    (d, c, req) =>
      asHttp(async () =>
        json(
          200,
          await previewCase(shareDeps(d), c, { caseRef: req.query.caseRef, member: req.query.member }, langOf(d, c, req.query.lang)),
        ),
      ),
  ],
  [
    'GET',
    /^\/api\/shares\/([A-Za-z0-9_-]+)$/,
    (d, c, req, [id]) => asHttp(async () => json(200, await readShare(shareDeps(d), c, id!, langOf(d, c, req.query.lang)))),
  ],
  [
    'POST',
    /^\/api\/shares\/([A-Za-z0-9_-]+)\/photos$/,
    (d, c, req, [id]) => asHttp(async () => json(200, await presignSharePhoto(shareDeps(d), c, id!, jsonBody(req)))),
  ],
  [
    'POST',
    /^\/api\/shares\/([A-Za-z0-9_-]+)\/ack$/,
    (d, c, _req, [id]) => asHttp(async () => json(200, await acknowledgeShare(shareDeps(d), c, id!))),
  ],
  [
    'DELETE',
    /^\/api\/shares\/([A-Za-z0-9_-]+)$/,
    (d, c, _req, [id]) => asHttp(async () => json(200, await revokeShare(shareDeps(d), c, id!))),
  ],
  [
    'GET',
    /^\/api\/push\/key$/,
    async (d) => {
      if (!d.shares) throw new HttpError(501, 'not-available', 'web push is not configured here');
      return json(200, { publicKey: (await d.shares.vapid()).publicKey });
    },
  ],
  [
    'POST',
    /^\/api\/push\/subscriptions$/,
    (d, c, req) =>
      asHttp(async () => {
        const s = parseSubscription(jsonBody(req), d.shares?.allowLoopbackPush);
        await subscriptions(d).put(c, s);
        return json(201, { subscribed: true, endpoint: s.endpoint });
      }),
  ],
  [
    'DELETE',
    /^\/api\/push\/subscriptions$/,
    async (d, c, req) => {
      const body = jsonBody(req);
      if (typeof body.endpoint !== 'string')
        throw new HttpError(400, 'bad-subscription', '"endpoint" must be the push service URL of the subscription');
      return json(200, { removed: await subscriptions(d).delete(c.sub, body.endpoint) });
    },
  ],
];
