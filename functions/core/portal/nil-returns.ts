/**
 * `POST /api/nil-returns {phase[, member]}` and `GET /api/nil-returns[?member=XX]`: a Member says "nothing to report
 * this phase" from the portal (source 'portal', by = the caller's email). The Member is the caller's own (analysts may
 * name one), exactly as for uploads; a repeat is no error (200 with the nil return already stored). Refused with 409
 * `phase-has-seizures` when the Member has seizure lines stored for the phase, the message in the Member's language.
 */
import {
  type NilReturn,
  NilReturnConflictError,
  nilReturnConflictMessage,
  NilReturnError,
  NilReturnStore,
} from '../operation/nil-return.ts';
import type { Caller } from './auth.ts';
import { badRequest, HttpError, jsonBody, type PortalRequest, type PortalResponse, json } from './http.ts';
import type { PortalDeps } from './deps.ts';
import { memberScope } from './submissions.ts';

const storeOf = (d: PortalDeps) => new NilReturnStore({ client: d.dynamo, tableName: d.tableName });
const membersOf = (d: PortalDeps) => new Set(d.config.members.map((m) => m.code));

export async function postNilReturn(d: PortalDeps, c: Caller, req: PortalRequest): Promise<PortalResponse> {
  const body = jsonBody(req);
  if (body.member !== undefined && typeof body.member !== 'string') throw badRequest('"member" must be a Member code', 'unknown-member');
  const member = memberScope(c, body.member as string | undefined, membersOf(d));
  if (!member) throw badRequest('analysts must name the "member" the nil return is for', 'unknown-member');
  const phase = typeof body.phase === 'string' && /^\d+$/.test(body.phase) ? Number(body.phase) : body.phase;
  if (typeof phase !== 'number' || !d.config.phases.some((p) => p.phase === phase))
    throw badRequest(`"phase" must be one of ${d.config.phases.map((p) => p.phase).join(', ')}`, 'unknown-phase');
  try {
    const { created, nilReturn } = await storeOf(d).record(d.config, {
      member,
      phase,
      source: 'portal',
      ...(c.email ? { by: c.email } : {}),
    });
    return json(created ? 201 : 200, { created, nilReturn });
  } catch (e) {
    if (e instanceof NilReturnError) throw badRequest(e.message);
    if (e instanceof NilReturnConflictError) {
      const lang = d.config.members.find((m) => m.code === member)?.language ?? 'en';
      throw new HttpError(409, NilReturnConflictError.code, nilReturnConflictMessage(lang, phase));
    }
    throw e;
  }
}

export async function listNilReturns(d: PortalDeps, c: Caller, req: PortalRequest): Promise<PortalResponse> {
  const member = memberScope(c, req.query.member || undefined, membersOf(d));
  const all: NilReturn[] = await storeOf(d).list(d.config.id);
  return json(200, { nilReturns: member ? all.filter((n) => n.member === member) : all });
}
