/**
 * The CDK app (cdk.json "app": `npx tsx bin/app.ts`): one SeizurePipeline-{operation id} stack for the operation in
 * the `operation` context (cdk.json, or `-c operation=...`), checked by cdk-nag's AWS Solutions pack on every synth.
 */
import { resolve } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadOperationConfig, parseOperationConfig, type OperationConfig } from '../functions/core/config.ts';
import { SeizurePipelineStack, stackNameFor } from '../lib/seizure-pipeline-stack.ts';

const app = new App();
const operation = operationFromContext(app.node.tryGetContext('operation'));

const stackName = stackNameFor(operation);
new SeizurePipelineStack(app, stackName, {
  stackName,
  description: `Seizure pipeline, ingestion: ${operation.name}`,
  operation,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Tags.of(app).add('project', 'seizure-pipeline');
Tags.of(app).add('operation', operation.id);

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

/**
 * The `operation` context: cdk.json's object (the CLI passes it through the environment); on the command line, a file
 * (`-c operation=ops/stop-iii.json`, a cdk.json or the operation alone) or inline JSON; absent when the app is run
 * without the CLI (`tsx bin/app.ts`), then cdk.json is read.
 */
function operationFromContext(raw: unknown): OperationConfig {
  if (raw === undefined) return loadOperationConfig();
  if (typeof raw === 'string') {
    const text = raw.trim();
    return text.startsWith('{') ? parseOperationConfig(JSON.parse(text), 'context "operation"') : loadOperationConfig(resolve(text));
  }
  return parseOperationConfig(raw, 'context "operation"');
}
