/**
 * The portal API's requests and responses, free of any event shape: functions/portal/app.ts turns an API Gateway v2
 * event into a PortalRequest, and lib/local/portal.ts does the same through that adapter for a Node request.
 */

export interface PortalRequest {
  readonly method: string;
  /** The path as the browser asked for it, e.g. /api/submissions/abc. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text (JSON), if any. */
  readonly body?: string | undefined;
}

export interface PortalResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Text (JSON) or bytes (a download). */
  readonly body: string | Uint8Array;
}

/** An answer the API gives on purpose: a status and a message for people (and a stable `error` code for tools). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'bad-request') => new HttpError(400, code, message);
export const notFound = (message = 'not found') => new HttpError(404, 'not-found', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/** No caching anywhere (CloudFront, the browser): every answer is the caller's own. */
const NO_STORE = { 'cache-control': 'no-store' };

export function json(status: number, value: unknown): PortalResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE }, body: JSON.stringify(value) };
}

export function errorResponse(e: HttpError): PortalResponse {
  const headers: Record<string, string> = {};
  if (e.status === 401) headers['www-authenticate'] = 'Bearer';
  const r = json(e.status, { error: e.code, message: e.message });
  return { ...r, headers: { ...r.headers, ...headers } };
}

export function download(bytes: Uint8Array, contentType: string, fileName: string): PortalResponse {
  return {
    status: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
      ...NO_STORE,
    },
    body: bytes,
  };
}

/** The JSON body of a request, or a 400 saying what is wrong. */
export function jsonBody(req: PortalRequest): Record<string, unknown> {
  if (!req.body) throw badRequest('expected a JSON body');
  let v: unknown;
  try {
    v = JSON.parse(req.body);
  } catch {
    throw badRequest('the body is not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('expected a JSON object');
  return v as Record<string, unknown>;
}
