/**
 * The CDK app (cdk.json "app": `npx tsx bin/app.ts`): one SeizurePipeline-{operation id} stack for the operation in
 * the `operation` context (cdk.json, or `-c operation=...`), checked by cdk-nag's AWS Solutions pack on every synth.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadOperationConfig, parseOperationConfig } from '../functions/core/config.ts';
import { SeizurePipelineStack, stackNameFor } from '../lib/seizure-pipeline-stack.ts';

const app = new App();
const raw: unknown = app.node.tryGetContext('operation');
// Run by the CDK CLI, cdk.json's context arrives through the environment; run directly (tsx bin/app.ts), read cdk.json.
const operation = raw === undefined ? loadOperationConfig() : parseOperationConfig(raw, 'context "operation"');

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
