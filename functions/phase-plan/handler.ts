/** The phase-plan Lambda's entry: built once per container from the environment (checked here, at init). */
import { createPlanHandler, depsFromEnv } from './app.ts';

export const handler = createPlanHandler(depsFromEnv(process.env));
