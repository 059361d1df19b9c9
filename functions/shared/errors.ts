/**
 * The errors the Lambda adapters throw themselves, each named for what happened (the name is what CloudWatch, Step
 * Functions' `Error` field and the tests match on). Errors of the domain live beside the code that throws them in
 * functions/core (e.g. PhaseCloseInputError, MemberBusyError, ConfigError).
 */

/** A function was deployed without a variable it needs; thrown at init, so the function fails before any event. */
export class MissingEnvError extends Error {
  override readonly name = 'MissingEnvError';
}

/** An event that is not of the shape the function is wired to receive (e.g. an SQS body that is not an S3 event). */
export class BadEventError extends Error {
  override readonly name = 'BadEventError';
}
