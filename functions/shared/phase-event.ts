/**
 * What the phase-close Lambda handlers share besides the middy chain (handler.ts): reading their environment at init
 * (a misconfigured function fails at once, naming the variables), and checking the parts of their events. Each handler
 * (functions/phase-{step}/) is a thin adapter: parse the event, call the step in functions/core/phase, return its
 * result as is.
 *
 * Environment: OPERATION_CONFIG (every step; the compact config of functions/core/contracts/operation-env.ts),
 * BUCKET_NAME (every step but plan), TABLE_NAME (aggregate, store, alerts), CONTACTS_KEY (alerts: S3 key of the contacts
 * JSON), PORTAL_URL (alerts: the portal the emails link to, functions/phase-alerts/app.ts).
 */
import type { OperationConfig } from '../core/operation/config.ts';
import { configForRun } from '../core/operation/smoke.ts';
import { PhaseCloseInputError, validateInput, type PhaseCloseInput, type Slice } from '../core/phase/input.ts';
import { operationConfigOf, requireEnv } from './env.ts';

export type EnvName = 'OPERATION_CONFIG' | 'BUCKET_NAME' | 'TABLE_NAME' | 'CONTACTS_KEY';

/** The variables a step needs, checked; OPERATION_CONFIG parsed. */
export function readEnv(
  step: string,
  env: NodeJS.ProcessEnv,
  names: readonly EnvName[],
): { config: OperationConfig; get: (n: EnvName) => string } {
  const vars = requireEnv(step, env, ['OPERATION_CONFIG', ...names]);
  return { config: operationConfigOf(vars.OPERATION_CONFIG), get: (n) => vars[n] };
}

function objectEvent(event: unknown): Record<string, unknown> {
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw new PhaseCloseInputError('the event must be an object');
  return event as Record<string, unknown>;
}

/** The event's `input`, checked against the operation. */
export function inputOf(event: unknown, config: OperationConfig): { input: PhaseCloseInput; event: Record<string, unknown> } {
  const e = objectEvent(event);
  return { input: validateInput(e.input, config), event: e };
}

export function sliceOf(v: unknown): Slice {
  const s = v as Record<string, unknown> | null;
  if (!s || typeof s.member !== 'string' || !Number.isInteger(s.phase))
    throw new PhaseCloseInputError(`slice must be {member, phase}, not ${JSON.stringify(v)}`);
  return { member: s.member, phase: s.phase as number };
}

export function stringOf(e: Record<string, unknown>, name: string): string {
  const v = e[name];
  if (typeof v !== 'string' || v === '') throw new PhaseCloseInputError(`${name} must be a non-empty string`);
  return v;
}

export function countOf(e: Record<string, unknown>, name: string): number {
  const v = e[name];
  if (!Number.isInteger(v) || (v as number) < 0) throw new PhaseCloseInputError(`${name} must be a whole number >= 0`);
  return v as number;
}
/**
 * The handler of a step for every operation config the deployment serves: its own, and the smoke operation's
 * (functions/core/operation/smoke.ts) when `smokeTests` is on and an event names it. The smoke operation's contacts file is
 * `config/{smoke id}/contacts.json` (contactsKeyFor in lib/phase-close-spec.ts), which `seizures smoke` puts.
 */
export function perOperation<D extends { readonly config: OperationConfig; readonly contactsKey?: string }, A extends unknown[], R>(
  deps: D,
  create: (d: D) => (event: unknown, ...rest: A) => Promise<R>,
): (event: unknown, ...rest: A) => Promise<R> {
  const own = create(deps);
  const smoke = new Map<string, (event: unknown, ...rest: A) => Promise<R>>();
  return (event, ...rest) => {
    const config = configForRun(deps.config, event);
    if (config === deps.config) return own(event, ...rest);
    const key = config.phases[0]!.end;
    let h = smoke.get(key);
    if (!h) {
      h = create({ ...deps, config, ...(deps.contactsKey !== undefined ? { contactsKey: `config/${config.id}/contacts.json` } : {}) });
      smoke.set(key, h);
    }
    return h(event, ...rest);
  };
}
