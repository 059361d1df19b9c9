/** The phase-failure Lambda's entry: built once per container from the environment (checked here, at init). */
import { createFailureHandler, depsFromEnv } from './app.ts';

export const handler = createFailureHandler(depsFromEnv(process.env));
