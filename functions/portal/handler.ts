/**
 * The portal Lambda's entry: built once per container from the environment (checked here, at init). The local cloud
 * builds the same handler (createPortalHandler) with its own endpoints.
 */
import { createPortalHandler, depsFromEnv } from './app.ts';

export const handler = createPortalHandler(depsFromEnv(process.env));
