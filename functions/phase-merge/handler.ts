/** The phase-merge Lambda's entry: built once per container from the environment (checked here, at init). */
import { createMergeHandler, depsFromEnv } from './app.ts';

export const handler = createMergeHandler(depsFromEnv(process.env));
