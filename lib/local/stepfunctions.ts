/**
 * Step Functions on this machine: aws-local-stepfunctions running an ASL file of workflows/ in-process. A seam for
 * the phase-close workflow: its Task states are overridden with local functions (the same handlers the state machine
 * invokes on AWS); no SFN endpoint is served.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { PROJECT_ROOT } from '../../functions/core/config.ts';

type Json = Parameters<StateMachine['run']>[0];

export interface RunWorkflowOptions {
  /** Task state name -> what runs instead of its Resource. */
  readonly taskOverrides?: Record<string, (input: Json) => Promise<Json> | Json>;
  /** Wait state name -> milliseconds to wait instead. */
  readonly waitOverrides?: Record<string, number>;
}

/** Runs workflows/{name}.asl.json (or a path) to its end and returns its output; throws the execution's error. */
export async function runWorkflow(nameOrPath: string, input: Json, opts: RunWorkflowOptions = {}): Promise<Json> {
  const file = nameOrPath.includes('/') ? resolve(nameOrPath) : resolve(PROJECT_ROOT, 'workflows', `${nameOrPath}.asl.json`);
  const definition = JSON.parse(await readFile(file, 'utf8'));
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: true } });
  const run = machine.run(input, {
    overrides: {
      ...(opts.taskOverrides ? { taskResourceLocalHandlers: opts.taskOverrides } : {}),
      ...(opts.waitOverrides ? { waitTimeOverrides: opts.waitOverrides } : {}),
    },
  });
  return run.result;
}
