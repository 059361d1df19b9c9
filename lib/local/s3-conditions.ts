/**
 * Conditional PutObject (If-None-Match: *, If-Match: ETag) for the local S3, as S3 has it: s3rver ignores both
 * headers on a PUT, and the feedback writer relies on them so that an older version of a file never replaces a newer
 * version's feedback (functions/core/ingest/feedback-put.ts). Conditional writes to one key are taken one at a time, so the
 * check and the write cannot interleave with another conditional write.
 */

/** The part of s3rver's filesystem store used here. */
export interface ObjectStore {
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}

const unquoted = (etag: string): string => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

async function etagOf(store: ObjectStore, bucket: string, key: string): Promise<string | undefined> {
  try {
    return unquoted((await store.getMetadata(bucket, key)).etag ?? '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** A Koa middleware for s3rver (path-style requests), put before its own. */
export function conditionalPuts(store: ObjectStore) {
  const queue = new Map<string, Promise<unknown>>();
  return async (ctx: KoaContext, next: () => Promise<unknown>): Promise<void> => {
    const ifNoneMatch = ctx.headers['if-none-match'];
    const ifMatch = ctx.headers['if-match'];
    const plainPut = ctx.method === 'PUT' && !ctx.headers['x-amz-copy-source'] && Object.keys(ctx.query).every((q) => q === 'x-id');
    const m = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (!plainPut || !m || (ifNoneMatch === undefined && ifMatch === undefined)) {
      await next();
      return;
    }
    const [bucket, key] = [decodeURIComponent(m[1]!), m[2]!.split('/').map(decodeURIComponent).join('/')];
    const id = `${bucket}/${key}`;
    const turn = (queue.get(id) ?? Promise.resolve()).then(async () => {
      const etag = await etagOf(store, bucket, key);
      const refused =
        (ifNoneMatch === '*' && etag !== undefined) || (typeof ifMatch === 'string' && (etag === undefined || unquoted(ifMatch) !== etag));
      if (!refused) return next();
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>${ifMatch === undefined ? 'If-None-Match' : 'If-Match'}</Condition></Error>`;
      return undefined;
    });
    const settled = turn.catch(() => undefined);
    queue.set(id, settled);
    try {
      await turn;
    } finally {
      if (queue.get(id) === settled) queue.delete(id);
    }
  };
}
