/**
 * Imported before the Powertools Tracer (powertools.ts, handler.ts), for its side effect: off Lambda (no
 * AWS_EXECUTION_ENV, where the Tracer turns itself off) the X-Ray SDK starts in manual mode.
 *
 * Why: loaded in its default automatic mode, aws-xray-sdk-core creates a cls-hooked namespace, an async hook with a
 * destroy callback on every promise of the process. The local cloud hosts every function in one process, and that hook
 * cost a quarter of the CPU of a phase close there (and of DynamoDB Local's reads). Nothing off Lambda reads the
 * namespace; on Lambda nothing changes.
 */
if (!process.env.AWS_EXECUTION_ENV && process.env.AWS_XRAY_MANUAL_MODE === undefined) process.env.AWS_XRAY_MANUAL_MODE = '1';
