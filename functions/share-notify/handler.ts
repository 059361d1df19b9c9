/** The share-notify Lambda's entry: built once per container from the environment (checked here, at init). */
import { createShareNotifyHandler, depsFromEnv } from './app.ts';

export const handler = createShareNotifyHandler(depsFromEnv(process.env));
