/** The phase-analyse Lambda's entry: built once per container from the environment (checked here, at init). */
import { createAnalyseHandler, depsFromEnv } from './app.ts';

export const handler = createAnalyseHandler(depsFromEnv(process.env));
