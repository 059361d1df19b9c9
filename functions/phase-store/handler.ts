/** The phase-store Lambda's entry: built once per container from the environment (checked here, at init). */
import { createStoreHandler, depsFromEnv } from './app.ts';

export const handler = createStoreHandler(depsFromEnv(process.env));
