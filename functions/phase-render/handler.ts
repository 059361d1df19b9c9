/** The phase-render Lambda's entry: built once per container from the environment (checked here, at init). */
import { createRenderHandler, depsFromEnv } from './app.ts';

export const handler = createRenderHandler(depsFromEnv(process.env));
