/** The mail-events Lambda's entry: built once per container from the environment (checked here, at init). */
import { createMailEventsHandler, depsFromEnv } from './app.ts';

export const handler = createMailEventsHandler(depsFromEnv(process.env));
