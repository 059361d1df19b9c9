/** The phase-aggregate Lambda's entry: built once per container from the environment (checked here, at init). */
import { createAggregateHandler, depsFromEnv } from './app.ts';

export const handler = createAggregateHandler(depsFromEnv(process.env));
