/**
 * Who is calling: the Cognito ID token of `Authorization: Bearer <token>`, verified with jose against the pool's
 * JWKS and the configured issuer, the same code on AWS (issuer https://cognito-idp.REGION.amazonaws.com/POOL_ID, where
 * API Gateway's JWT authorizer has checked it once already) and locally (cognito-local: http://127.0.0.1:PORT/local_...).
 * aws-jwt-verify is not used: it refuses issuers that are not Cognito's.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { HttpError } from './http.ts';

/** The claim naming the caller's Member (immutable in the pool, not writable by the app client). */
export const MEMBER_CLAIM = 'custom:member';
/** The Cognito group of the operation's analysts. */
export const ANALYSTS_GROUP = 'analysts';

export interface Caller {
  /** The caller's Member code, or undefined (an analyst need not belong to one). */
  readonly member: string | undefined;
  readonly analyst: boolean;
  readonly email: string | undefined;
  readonly sub: string;
  /** The Cognito user name (`cognito:username`; the sub when absent): what AdminGetUser takes. */
  readonly username: string;
  /** An analyst without TOTP (mfa.ts): only GET /api/me answers, saying so. */
  readonly mfaMissing?: boolean;
}

export class UnauthorizedError extends HttpError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

export interface VerifierOptions {
  /** The pool's issuer, without a trailing slash. */
  readonly issuer: string;
  /** The app client id: the ID token's audience. */
  readonly clientId: string;
  /** @default `${issuer}/.well-known/jwks.json` */
  readonly jwksUrl?: string;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Caller>;

export function createTokenVerifier(o: VerifierOptions): TokenVerifier {
  const issuer = o.issuer.replace(/\/+$/, '');
  const jwks = createRemoteJWKSet(new URL(o.jwksUrl ?? `${issuer}/.well-known/jwks.json`), {
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
  });
  return async (authorization) => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new UnauthorizedError('sign in first: no bearer token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(m[1]!, jwks, { issuer, audience: o.clientId, algorithms: ['RS256'] }));
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw new UnauthorizedError('your session has expired: sign in again');
      if (e instanceof joseErrors.JOSEError) throw new UnauthorizedError(`invalid token (${e.code})`);
      throw e;
    }
    if (payload['token_use'] !== 'id') throw new UnauthorizedError('an ID token is required');
    return callerOf(payload);
  };
}

export function callerOf(claims: JWTPayload): Caller {
  const groups = claims['cognito:groups'];
  const member = claims[MEMBER_CLAIM];
  return {
    member: typeof member === 'string' && /^[A-Z]{2}$/.test(member) ? member : undefined,
    analyst: Array.isArray(groups) && groups.includes(ANALYSTS_GROUP),
    email: typeof claims['email'] === 'string' ? claims['email'] : undefined,
    sub: claims.sub ?? '',
    username: typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : (claims.sub ?? ''),
  };
}
