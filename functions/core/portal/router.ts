/**
 * The portal API: one function from a PortalRequest to a PortalResponse, the same on AWS (functions/portal/) and
 * locally (lib/local/portal.ts). Every request must come through the portal's front door (origin.ts: CloudFront's
 * secret header; 403 `not-through-portal` otherwise), and every route needs a valid ID token (401 otherwise); who may
 * do what follows the caller's claims (auth.ts): a Member sees its own, analysts everything, once they use TOTP
 * (mfa.ts: 403 `mfa-required` on every route but /api/me otherwise).
 *
 * | route | who | answer |
 * |---|---|---|
 * | GET /api/me | anyone signed in | {email, member, memberName, language, analyst, operation[, mfaRequired]} |
 * | POST /api/uploads {fileName, size[, member, replaces]} | a Member (analysts: any Member) | {url, fields, key} |
 * | GET /api/submissions[?member=XX] | own Member; analysts any or all | {submissions: [...]} |
 * | GET /api/submissions/{id} | the submission's Member, analysts | {submission, report, annotatedUrl, reportUrl} |
 * | GET /api/template[?lang=en\|fr\|es] | anyone signed in | the template workbook |
 * | GET /api/summaries | anyone signed in | {summaries: [...]} |
 * | GET /api/summaries/{phase}/{run} | anyone signed in | {version, summary, charts} (analysts: their version) |
 * | GET /api/lineage?phase&dimension&key[&member&week&limit] | analysts | {total, lines: [...]} |
 * | POST /api/phase-close {phase, mode, asOf?} | analysts | {started: true, execution} |
 * | POST /api/nil-returns {phase[, member]} | a Member (analysts: any Member) | 201 {created, nilReturn}; 200 if already sent; 409 phase-has-seizures |
 * | GET /api/nil-returns[?member=XX] | own Member; analysts any or all | {nilReturns: [...]} |
 */
import type { Lang } from '../operation/config.ts';
import { loggedError } from '../platform/logged-error.ts';
import type { Caller } from './auth.ts';
import type { PortalDeps } from './deps.ts';
import {
  badRequest,
  download,
  errorResponse,
  forbidden,
  HttpError,
  json,
  jsonBody,
  notFound,
  type PortalRequest,
  type PortalResponse,
} from './http.ts';
import { lineage } from './lineage.ts';
import { MfaRequiredError } from './mfa.ts';
import { NotThroughPortalError } from './origin.ts';
import { listNilReturns, postNilReturn } from './nil-returns.ts';
import { getSubmission, listSubmissions, memberScope } from './submissions.ts';
import { getSummaryPage, listSummaries } from './summaries.ts';
import { presignUpload } from './uploads.ts';

export type { PortalDeps } from './deps.ts';

export type PortalApi = (req: PortalRequest) => Promise<PortalResponse>;

type Handler = (deps: PortalDeps, caller: Caller, req: PortalRequest, params: string[]) => Promise<PortalResponse>;

const analystsOnly = (caller: Caller) => {
  if (!caller.analyst) throw forbidden('analysts only');
};

const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  [
    'GET',
    /^\/api\/me$/,
    async (d, c) => {
      const m = d.config.members.find((x) => x.code === c.member);
      return json(200, {
        email: c.email ?? null,
        member: c.member ?? null,
        memberName: m?.name ?? null,
        language: m?.language ?? 'en',
        analyst: c.analyst,
        ...(c.mfaMissing ? { mfaRequired: true } : {}),
        operation: { id: d.config.id, name: d.config.name, phases: d.config.phases },
        members: c.analyst ? d.config.members.map((x) => ({ code: x.code, name: x.name ?? x.code })) : undefined,
      });
    },
  ],
  [
    'POST',
    /^\/api\/uploads$/,
    async (d, c, req) => {
      const body = jsonBody(req);
      if (c.analyst && body.member !== undefined && !d.config.members.some((m) => m.code === body.member)) {
        throw badRequest(`'${String(body.member)}' is not a Member of this operation`, 'unknown-member');
      }
      return json(
        200,
        await presignUpload(
          { s3: d.s3, bucket: d.bucket, store: d.store, ...(d.maxUploadBytes ? { maxUploadBytes: d.maxUploadBytes } : {}) },
          c,
          body,
        ),
      );
    },
  ],
  [
    'GET',
    /^\/api\/submissions$/,
    async (d, c, req) => {
      const member = memberScope(c, req.query.member || undefined, new Set(d.config.members.map((m) => m.code)));
      return json(200, { submissions: await listSubmissions(d.store, member) });
    },
  ],
  ['GET', /^\/api\/submissions\/([A-Za-z0-9_-]+)$/, async (d, c, _req, [id]) => json(200, await getSubmission(d, c, id!))],
  [
    'GET',
    /^\/api\/template$/,
    async (d, c, req) => {
      const lang = (req.query.lang ?? d.config.members.find((m) => m.code === c.member)?.language ?? 'en') as Lang;
      if (!['en', 'fr', 'es'].includes(lang)) throw badRequest('"lang" must be en, fr or es');
      if (!d.template) throw new HttpError(501, 'not-available', 'the template is not served here');
      return download(
        await d.template(lang),
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        `${d.config.id}-template-${lang}.xlsx`,
      );
    },
  ],
  ['GET', /^\/api\/summaries$/, async (d) => json(200, { summaries: await listSummaries(d.phases, d.config) })],
  [
    'GET',
    /^\/api\/summaries\/([^/]+)\/([^/]+)$/,
    async (d, c, _req, [phase, run]) => json(200, await getSummaryPage(d, c, phase!, decodeURIComponent(run!))),
  ],
  [
    'GET',
    /^\/api\/lineage$/,
    async (d, c, req) => {
      analystsOnly(c);
      return json(200, await lineage(d, req.query));
    },
  ],
  [
    'POST',
    /^\/api\/phase-close$/,
    async (d, c, req) => {
      analystsOnly(c);
      const body = jsonBody(req);
      const phase = Number(body.phase);
      if (!d.config.phases.some((p) => p.phase === phase))
        throw badRequest(`"phase" must be one of ${d.config.phases.map((p) => p.phase).join(', ')}`);
      const mode = body.mode ?? 'final';
      if (mode !== 'final' && mode !== 'interim') throw badRequest('"mode" must be final or interim');
      const asOf = typeof body.asOf === 'string' ? body.asOf : new Date().toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw badRequest('"asOf" must be YYYY-MM-DD');
      if (!d.startPhaseClose) throw new HttpError(501, 'not-available', 'starting a phase close is not configured here');
      const started = await d.startPhaseClose({ operation: d.config.id, phase, mode, asOf });
      return json(202, { started: true, ...started, phase, mode, asOf });
    },
  ],
  ['POST', /^\/api\/nil-returns$/, async (d, c, req) => postNilReturn(d, c, req)],
  ['GET', /^\/api\/nil-returns$/, async (d, c, req) => listNilReturns(d, c, req)],
];

export function createPortalApi(deps: PortalDeps, log: { error(msg: string, extra?: object): void } = console): PortalApi {
  return async (req) => {
    try {
      if (!req.path.startsWith('/api/')) throw notFound();
      // Around CloudFront (the default execute-api endpoint): refused before the token is even read.
      if (deps.origin && !(await deps.origin(req.headers))) throw new NotThroughPortalError();
      // The token first: nothing, not even which routes exist, is told to a caller without one.
      const verified = await deps.verify(req.headers['authorization']);
      const mfaMissing = verified.analyst && deps.analystMfa ? !(await deps.analystMfa(verified)) : false;
      const caller = mfaMissing ? { ...verified, mfaMissing } : verified;
      if (!caller.member && !caller.analyst)
        throw forbidden('your account is not linked to a Member: ask the operation to add you with a Member code');
      const matching = ROUTES.filter(([, pattern]) => pattern.test(req.path));
      if (!matching.length) throw notFound(`no such API route: ${req.path}`);
      const route = matching.find(([method]) => method === req.method);
      if (!route) throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${req.path}`);
      // An analyst without TOTP: only /api/me, which tells the app to show how to turn it on.
      if (caller.mfaMissing && !(req.method === 'GET' && req.path === '/api/me')) throw new MfaRequiredError();
      const params = route[1].exec(req.path)!.slice(1);
      return await route[2](deps, caller, req, params);
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e);
      log.error('portal API failed', { path: req.path, error: loggedError(e) });
      return errorResponse(new HttpError(500, 'internal', 'something went wrong on our side; try again in a minute'));
    }
  };
}
