/**
 * Test apps built like the real one: cdk.json's context (its feature flags and the operation) goes into the App, as
 * the CDK CLI would pass it, so a test sees the template `cdk synth` produces.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { PROJECT_ROOT, parseOperationConfig, type OperationConfig } from '../../functions/core/operation/config.ts';

process.env.CDK_DISABLE_CLI_TELEMETRY ??= 'true';

export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

export const OPERATION: OperationConfig = parseOperationConfig(CDK_CONTEXT.operation, 'cdk.json');

/** An App with cdk.json's context. */
export function testApp(): App {
  return new App({ context: CDK_CONTEXT });
}

/** An App and one empty stack in it, for constructs tested alone. */
export function testStack(id = 'Test'): { app: App; stack: Stack } {
  const app = testApp();
  return { app, stack: new Stack(app, id) };
}

/** The logical id of a construct's CloudFormation resource (its default child) in its stack's template. */
export function logicalId(c: { node: { defaultChild?: unknown } }): string {
  const el = c.node.defaultChild as CfnElement;
  return el.stack.getLogicalId(el);
}

/** The handler of test/lib/fixtures/echo, for functions whose real handler does not matter to the test. */
export const ECHO_ENTRY = resolve(PROJECT_ROOT, 'test/lib/fixtures/echo/handler.ts');

/** Resolves a CloudFormation Join of plain strings and GetAtt/Ref into a readable string: `<Logical.Arn>/incoming/*`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Ref' in v) return `<${v.Ref as string}>`;
  }
  return JSON.stringify(value);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

/** The statements of every AWS::IAM::Policy attached to the role with the given logical id. */
export function statementsOfRole(template: { findResources(type: string): Record<string, any> }, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): string[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(flatten);
