/**
 * The CDK app (cdk.json "app": `npx tsx bin/app.ts`): one SeizurePipeline-{operation id} stack for the operation in
 * the `operation` context (cdk.json, or `-c operation=...`), checked by cdk-nag's AWS Solutions pack on every synth.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, PROJECT_ROOT, type OperationConfig } from '../functions/core/operation/config.ts';
import { operationOfFile } from '../functions/core/operation/config-check.ts';
import { checkDeployableConfig, InvalidOperationConfigError } from '../functions/core/contracts/operation-env.ts';
import { memberUploaderPrincipalOf } from '../lib/member-access.ts';
import { SeizurePipelineStack, stackNameFor } from '../lib/seizure-pipeline-stack.ts';

const app = new App();
const operation = operationFromContext(app.node.tryGetContext('operation'));

const stackName = stackNameFor(operation);
const uploaderTrust = memberUploaderPrincipalOf(app.node.tryGetContext('memberUploaderPrincipal'));
new SeizurePipelineStack(app, stackName, {
  stackName,
  description: `Seizure pipeline, ingestion: ${operation.name}`,
  operation,
  ...(uploaderTrust ? { memberAccess: { assumedBy: uploaderTrust } } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Tags.of(app).add('project', 'seizure-pipeline');
Tags.of(app).add('operation', operation.id);

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

/**
 * The `operation` context: cdk.json's object (the CLI passes it through the environment); on the command line, a file
 * (`-c operation=ops/stop-iii.json`, a cdk.json or the operation alone) or inline JSON; absent when the app is run
 * without the CLI (`tsx bin/app.ts`), then cdk.json is read. Every synth checks it as `seizures config check` does
 * (every problem listed, each naming its field) and stops on any.
 */
function operationFromContext(raw: unknown): OperationConfig {
  let origin = 'context "operation"';
  let json: unknown = raw;
  if (raw === undefined || (typeof raw === 'string' && !raw.trim().startsWith('{'))) {
    const file = raw === undefined ? resolve(PROJECT_ROOT, 'cdk.json') : resolve((raw as string).trim());
    origin = file;
    try {
      json = operationOfFile(JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new ConfigError(`cannot read operation config ${file}: ${(e as Error).message}`);
    }
  } else if (typeof raw === 'string') {
    json = JSON.parse(raw);
  }
  const check = checkDeployableConfig(json);
  if (!check.config) throw new InvalidOperationConfigError(origin, check.errors);
  return check.config;
}
