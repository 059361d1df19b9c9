/**
 * The calls a state machine makes: each Task's service integration, as its role must allow it (a Lambda invoke:
 * lambda:InvokeFunction on the function; a direct Lambda ARN likewise; other integrations as `service:Action`). Read
 * from the deployed definition (asl.ts), so a task added to workflows/*.asl.json is checked with no recording.
 */
import type { Input, RecordedCall } from './actions.ts';

/** A state machine's task calls, as recorded calls of `states:<logical id>` (calls.ts evaluates them). */
export function taskCalls(stateMachineId: string, definition: unknown): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const walk = (states: Record<string, Input> | undefined) => {
    for (const s of Object.values(states ?? {})) {
      if (s.Type === 'Task') {
        const resource = String(s.Resource ?? '');
        const fn = resource.startsWith('arn:aws:states:::lambda:invoke')
          ? s.Parameters?.FunctionName
          : resource.includes(':lambda:')
            ? resource
            : undefined;
        if (fn)
          calls.push({
            who: `states:${stateMachineId}`,
            service: 'Lambda',
            command: 'InvokeFunction',
            input: { FunctionName: String(fn) },
          });
        else if (resource.startsWith('arn:aws:states:::')) {
          const [service, action] = resource.slice('arn:aws:states:::'.length).split(':');
          calls.push({
            who: `states:${stateMachineId}`,
            service: `states-integration:${service}`,
            command: String(action),
            input: s.Parameters ?? {},
          });
        }
      }
      walk(s.Iterator?.States);
      walk(s.ItemProcessor?.States);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk((definition as { States?: Record<string, Input> }).States);
  return calls;
}
