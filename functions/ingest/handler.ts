/**
 * The ingest Lambda's entry: built once per container from the environment (checked here, at init). The local cloud
 * imports this same module after setting the same variables.
 */
import { createIngestHandler, depsFromEnv } from './app.ts';

export const handler = createIngestHandler(depsFromEnv(process.env));
