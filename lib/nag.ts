/**
 * cdk-nag 3 names each wildcard it finds in an IAM policy (`AwsSolutions-IAM5[Resource::<BucketLogicalId.Arn>/incoming/*]`)
 * and each one is acknowledged on its own. These helpers spell a resource's ARN the way those finding ids do, so an
 * acknowledgement names exactly the wildcard it accepts.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * `<LogicalId.Arn>`, as cdk-nag renders `Fn::GetAtt [LogicalId, Arn]` in a finding; undefined for an imported
 * resource (no CloudFormation element here: whoever imports it acknowledges its findings).
 */
export function nagArn(resource: IConstruct): string | undefined {
  const cfn = resource.node.defaultChild;
  if (!cfn || !CfnElement.isCfnElement(cfn)) return undefined;
  return `<${Stack.of(resource).getLogicalId(cfn)}.Arn>`;
}

/**
 * The finding id of a wildcard resource, `AwsSolutions-IAM5[Resource::<X.Arn>/suffix]`, or undefined (see nagArn).
 * cdk-nag writes IAM policy variables in angle brackets too: `${aws:PrincipalTag/member}` is `<aws:PrincipalTag/member>`.
 */
export function iam5Resource(resource: IConstruct, suffix: string): string | undefined {
  const arn = nagArn(resource);
  return arn && `AwsSolutions-IAM5[Resource::${arn}${suffix.replace(/\$\{([^}]+)\}/g, '<$1>')}]`;
}
