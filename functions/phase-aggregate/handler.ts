/** The phase-aggregate Lambda's entry: built once per container from the environment (checked here, at init). */
import { perOperation } from '../shared/phase-event.ts';
import { createAggregateHandler, depsFromEnv } from './app.ts';

// perOperation: the smoke operation of `seizures smoke` too, when the deployment enables it.
export const handler = perOperation(depsFromEnv(process.env), createAggregateHandler);
