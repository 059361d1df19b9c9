/**
 * Who may touch the submissions: attribute-based access, not one role per Member. A Member's session carries the tag
 * `member` (its ISO code, set by the identity provider); one `MemberUploader` role's policies use
 * `${aws:PrincipalTag/member}` in their resources, so France's session can write incoming/FR/ and read feedback/FR/
 * and nothing of Germany's. Analysts get one read-only role over the whole bucket and the table.
 *
 * The role exists only when someone is named to assume it (`assumedBy`): there is no default trust. Who sets the tag
 * depends on the principal: a federated one (SAML, an identity pool) has its identity provider assert it, so the tag
 * may be any of the operation's codes; an IAM principal (a role, a user, an account) may only ask for its OWN
 * `member` tag (`aws:RequestTag/member` = `${aws:PrincipalTag/member}`), so nobody picks another Member's folder.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ANALYSTS_DIR, FEEDBACK_PREFIX, INCOMING_PREFIX, SUMMARIES_PREFIX } from '../functions/core/operation/layout.ts';
import { iam5Resource } from './nag.ts';
import { grantPrefixes } from './s3-grants.ts';

/** The session tag naming a Member. */
export const MEMBER_TAG = 'member';
/** The IAM policy variable resolving to the caller's Member code. */
export const MEMBER_VARIABLE = '${aws:PrincipalTag/member}';

/**
 * The trust conditions on the `member` tag. Always: one of the operation's codes. An IAM principal (Principal.AWS:
 * a role, a user, an account) sets its session tags itself, so it may only ask for the `member` tag its own identity
 * carries; a federated principal's tags come from its identity provider's assertion, which the trust already names.
 */
export function memberTagConditions(assumedBy: iam.IPrincipal, memberCodes: readonly string[]): iam.Conditions {
  const requested = `aws:RequestTag/${MEMBER_TAG}`;
  const federated = 'Federated' in assumedBy.policyFragment.principalJson;
  if (federated) return { StringEquals: { [requested]: [...memberCodes] } };
  // Two operators on one key (both must hold): the caller's own tag, and one of the operation's codes.
  return { StringEquals: { [requested]: MEMBER_VARIABLE }, StringLike: { [requested]: [...memberCodes] } };
}

/** A context value that is not a principal MemberUploader can trust. */
export class MemberUploaderPrincipalError extends Error {
  override readonly name = 'MemberUploaderPrincipalError';
}

/**
 * The `memberUploaderPrincipal` context (cdk.json or `-c`; README "Member access"): who may assume MemberUploader. A
 * SAML provider's ARN (its IdP asserts the `member` tag), or an IAM role's or user's ARN (it may only ask for its own
 * `member` tag). Absent or empty: undefined, no MemberUploader role.
 * @throws MemberUploaderPrincipalError for anything else
 */
export function memberUploaderPrincipalOf(raw: unknown): iam.IPrincipal | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^arn:aws[\w-]*:iam::\d{12}:(role|user|saml-provider)\/.+$/.test(raw))
    throw new MemberUploaderPrincipalError(
      `context "memberUploaderPrincipal" must be the ARN of an IAM role, user or SAML provider (got ${JSON.stringify(raw)})`,
    );
  // As iam.SamlConsolePrincipal has it, without a construct for the imported provider.
  if (raw.includes(':saml-provider/'))
    return new iam.FederatedPrincipal(
      raw,
      { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      'sts:AssumeRoleWithSAML',
    );
  return new iam.ArnPrincipal(raw);
}

export interface MemberAccessProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /**
   * Who may assume MemberUploader. Whatever it is, sts:TagSession is added to the trust policy and the `member` tag is
   * required: a session without it cannot assume the role. A federated principal's identity provider sets the tag
   * (examples, README: a SAML provider `new iam.SamlConsolePrincipal(provider)`, a Cognito identity pool
   * `new iam.FederatedPrincipal('cognito-identity.amazonaws.com', ..., 'sts:AssumeRoleWithWebIdentity')`); an IAM
   * principal (`new iam.ArnPrincipal(roleArn)`, or an administrator testing: `new iam.AccountRootPrincipal()`) may
   * only request the `member` tag its own identity carries (`${aws:PrincipalTag/member}`).
   * @default - no MemberUploader role: nobody is trusted without having been named. Member officers without AWS
   * identities use the portal (lib/portal-*.ts), which needs no role.
   */
  readonly assumedBy?: iam.IPrincipal;
  /**
   * The Member codes the `member` tag may take (the operation's Members). A session with an unknown code, or none,
   * cannot assume the role.
   */
  readonly memberCodes: readonly string[];
  /**
   * Who may assume Analyst.
   * @default this account's root (delegated to the account's IAM policies)
   */
  readonly analystAssumedBy?: iam.IPrincipal;
}

export class MemberAccess extends Construct {
  /** Uploads to incoming/{member}/, reads feedback/{member}/ and summaries/. Undefined when no `assumedBy` is given. */
  public readonly memberUploaderRole?: iam.Role;
  /** Reads every object and every record; can be allowed to start workflows (grantStartExecution). */
  public readonly analystRole: iam.Role;

  constructor(scope: Construct, id: string, props: MemberAccessProps) {
    super(scope, id);
    if (!props.memberCodes || props.memberCodes.length === 0)
      throw new Error("MemberAccess: memberCodes is empty: the member tag must be pinned to the operation's Member codes");
    if (props.assumedBy) this.memberUploaderRole = this.memberUploader(props, props.assumedBy);

    this.analystRole = new iam.Role(this, 'Analyst', {
      description: 'An operation analyst: reads every submission, feedback, summary and record (read-only)',
      assumedBy: props.analystAssumedBy ?? new iam.AccountRootPrincipal(),
    });
    grantPrefixes(this.analystRole, props.bucket, { read: [''] });
    props.table.grantReadData(this.analystRole);
    // `seizures status|close-phase --aws` find the table and the state machine in this stack's outputs (DescribeStacks);
    // without this the Analyst's commands stopped at "cannot read the stack" (found by `seizures preflight`).
    this.analystRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }),
    );
    const analystAcks: [string | undefined, string][] = [
      [
        iam5Resource(props.bucket, '/*'),
        'Analysts read every object of the submissions bucket (all Members, feedback and summaries); read actions only.',
      ],
      [iam5Resource(props.table, '/index/*'), "Analysts query the table's indexes (byPhase, byMember); read actions only."],
    ];
    for (const [ackId, reason] of analystAcks) {
      if (ackId) Validations.of(this.analystRole).acknowledge({ id: ackId, reason });
    }
  }

  private memberUploader(props: MemberAccessProps, assumedBy: iam.IPrincipal): iam.Role {
    const member = MEMBER_VARIABLE;
    const role = new iam.Role(this, 'MemberUploader', {
      description: 'A Member administration: uploads its seizure files and reads its feedback (scoped by the member session tag)',
      assumedBy: new iam.SessionTagsPrincipal(assumedBy).withConditions(memberTagConditions(assumedBy, props.memberCodes)),
    });
    const incoming = `${INCOMING_PREFIX}${member}/`;
    const feedback = `${FEEDBACK_PREFIX}${member}/`;
    grantPrefixes(role, props.bucket, {
      read: [feedback, SUMMARIES_PREFIX],
      write: [incoming],
    });
    // The analysts' version of a summary names Members' cases and files: no Member reads it, whatever summaries/*
    // allows (an explicit Deny wins over any Allow).
    role.addToPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [props.bucket.arnForObjects(`${SUMMARIES_PREFIX}*/${ANALYSTS_DIR}*`)],
      }),
    );
    const uploaderAcks: Record<string, string> = {
      [`${incoming}*`]:
        "A Member writes any file name under its own folder; the folder is its session tag's value, not a wildcard over Members.",
      [`${feedback}*`]: "A Member reads the feedback of any of its own uploads; the folder is its session tag's value.",
      [`${SUMMARIES_PREFIX}*`]:
        'Summaries are published to every Member of the operation, so any Member reads the whole summaries/ prefix (read actions only).',
    };
    for (const [suffix, reason] of Object.entries(uploaderAcks)) {
      const ackId = iam5Resource(props.bucket, `/${suffix}`);
      if (ackId) Validations.of(role).acknowledge({ id: ackId, reason });
    }
    return role;
  }

  /** Lets Analysts start the workflow (e.g. the phase-close state machine) and read its executions. */
  public grantStartExecution(stateMachine: sfn.IStateMachine): iam.Grant {
    stateMachine.grantRead(this.analystRole);
    return stateMachine.grantStartExecution(this.analystRole);
  }
}
