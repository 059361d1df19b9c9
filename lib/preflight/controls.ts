/**
 * Check 3: the AWS Control Tower proactive controls, which a governed account runs as CloudFormation hooks that fail
 * the deploy. @cdklabs/cdk-validator-cfnguard ships cfn-guard and the controls' rules; its validator runs here
 * offline over the template file. Every finding is either fixed in lib/ or accepted, with its reason, in
 * lib/preflight/accepted-controls.json (one reviewed list); anything else is unexplained and fails the preflight.
 */
import { readFileSync } from 'node:fs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

export const ACCEPTED_CONTROLS = new URL('./accepted-controls.json', import.meta.url);

export interface Acceptance {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

export interface ControlFinding {
  readonly rule: string;
  readonly resource: string;
  readonly control: string;
  readonly fix: string;
}

export interface ControlsResult {
  findings: number;
  accepted: Acceptance[];
  unexplained: ControlFinding[];
  /** Acceptances that match no finding any more (fixed since): to remove from the list. */
  stale: Acceptance[];
}

/** The reviewed list: each acceptance names one rule and one resource's logical id, with a reason. */
export function loadAcceptances(file: URL | string = ACCEPTED_CONTROLS): Acceptance[] {
  const list = JSON.parse(readFileSync(file, 'utf8')) as { accepted: Acceptance[] };
  for (const a of list.accepted)
    if (!a.rule || !a.resource || !a.reason?.trim())
      throw new Error(`${file}: every acceptance needs a rule, a resource and a reason (${JSON.stringify(a)})`);
  return list.accepted;
}

/** The controls' findings on one template file, one per rule and resource. */
export function controlFindings(templatePath: string): ControlFinding[] {
  // The validator reads only the template paths of its context (the construct tree is for CDK's own reporting).
  const context = { templatePaths: [templatePath] } as unknown as Parameters<CfnGuardValidator['validate']>[0];
  const report = new CfnGuardValidator({}).validate(context);
  return report.violations.flatMap((v) =>
    v.violatingResources
      .filter((r) => r.resourceLogicalId)
      .map((r) => ({ rule: v.ruleName, resource: r.resourceLogicalId, control: v.description, fix: v.fix ?? '' })),
  );
}

export function checkControls(findings: ControlFinding[], acceptances: Acceptance[]): ControlsResult {
  const key = (x: { rule: string; resource: string }) => `${x.rule} ${x.resource}`;
  const byKey = new Map(acceptances.map((a) => [key(a), a]));
  const seen = new Set<string>();
  const result: ControlsResult = { findings: findings.length, accepted: [], unexplained: [], stale: [] };
  for (const f of findings) {
    const a = byKey.get(key(f));
    if (seen.has(key(f))) continue;
    seen.add(key(f));
    if (a) result.accepted.push(a);
    else result.unexplained.push(f);
  }
  result.stale = acceptances.filter((a) => !seen.has(key(a)));
  return result;
}
