/**
 * The workflows as deployed: each state machine's definition (its asset in cdk.out, workflows/*.asl.json) with its
 * DefinitionSubstitutions filled in from the template, validated with asl-validator (the Amazon States Language's
 * JSON schemas and path syntax). A placeholder left unfilled is a problem too: Step Functions would refuse it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Resolver, type Template } from './template.ts';

export interface AslResult {
  checked: number;
  problems: { stateMachine: string; problem: string }[];
}

type Validate = (
  definition: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (sep?: string) => string };
const validate = createRequire(import.meta.url)('asl-validator') as Validate;

/** @param onDefinition each valid definition, after substitutions (its task calls are checked: workflow-calls.ts) */
export function checkAsl(
  template: Template,
  stackName: string,
  cdkOut: string,
  onDefinition: (stateMachineId: string, definition: unknown) => void = () => {},
): AslResult {
  const r = new Resolver(template, stackName);
  const result: AslResult = { checked: 0, problems: [] };
  for (const [id, sm] of Object.entries(template.Resources)) {
    if (sm.Type !== 'AWS::StepFunctions::StateMachine') continue;
    result.checked++;
    const p = sm.Properties ?? {};
    let text: string;
    if (p.DefinitionString !== undefined) text = r.str(p.DefinitionString);
    else if (p.DefinitionS3Location) {
      const file = join(cdkOut, `asset.${r.str((p.DefinitionS3Location as { Key: unknown }).Key)}`);
      if (!existsSync(file)) {
        result.problems.push({ stateMachine: id, problem: `its definition asset ${file} is not in ${cdkOut}` });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } else if (p.Definition) text = JSON.stringify(r.resolve(p.Definition));
    else {
      result.problems.push({ stateMachine: id, problem: 'no definition' });
      continue;
    }
    const subs = (r.resolve(p.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
    const filled = text.replace(/\$\{([^}]+)\}/g, (m, name: string) => (name in subs ? String(subs[name]) : m));
    for (const m of filled.matchAll(/\$\{([^}]+)\}/g))
      result.problems.push({ stateMachine: id, problem: `placeholder \${${m[1]}} has no substitution` });
    let definition: unknown;
    try {
      definition = JSON.parse(filled);
    } catch (e) {
      result.problems.push({ stateMachine: id, problem: `not JSON after substitutions: ${(e as Error).message}` });
      continue;
    }
    const v = validate(definition, { checkArn: true, checkPaths: true });
    if (!v.isValid) result.problems.push({ stateMachine: id, problem: v.errorsText('; ') });
    else onDefinition(id, definition);
  }
  return result;
}
