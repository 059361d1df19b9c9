/** What every command shares: usage errors (exit 64), the operation config, flags parsed strictly. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadOperationConfig, type Lang, type OperationConfig } from '../../functions/core/operation/config.ts';
import { normaliseCountry } from '../../functions/core/vocabulary/countries.ts';

/** Wrong usage: the command line itself is wrong. Exit 64 (EX_USAGE). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_USAGE = 64;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const configOption = { config: { type: 'string' } } as const;

export function readConfig(file: string | undefined): OperationConfig {
  return file ? loadOperationConfig(file) : loadOperationConfig();
}

export function langOf(v: string | undefined, flag = '--lang'): Lang | undefined {
  if (v === undefined) return undefined;
  if (v !== 'en' && v !== 'fr' && v !== 'es') throw new UsageError(`${flag} must be en, fr or es (got '${v}')`);
  return v;
}

export function memberOf(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const code = normaliseCountry(v);
  if (!code) throw new UsageError(`--member must be an ISO 3166 country code such as FR or FRA (got '${v}')`);
  return code;
}

export function formatOf<T extends string>(v: string | undefined, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}
