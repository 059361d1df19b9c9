/** The phase-alerts Lambda's entry: built once per container from the environment (checked here, at init). */
import { createAlertsHandler, depsFromEnv } from './app.ts';

export const handler = createAlertsHandler(depsFromEnv(process.env));
