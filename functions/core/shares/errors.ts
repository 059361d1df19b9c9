/** Who calls the shares core, and the error it answers with on purpose (a module of its own: every module uses both). */

/** Who calls: the portal's Caller, structurally. */
export interface Actor {
  readonly member: string | undefined;
  readonly analyst: boolean;
  readonly email: string | undefined;
  readonly sub: string;
}

/** An answer on purpose: the portal turns it into its HTTP error (status, stable code, message for people). */
export class ShareError extends Error {
  override readonly name = 'ShareError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
