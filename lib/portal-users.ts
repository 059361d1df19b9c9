/**
 * The portal's users: a Cognito user pool for the operation. Sign-in by email; no self sign-up (the operation creates
 * users: `seizures users add --aws`); `custom:member` (the Member code) immutable and not writable by the app client;
 * the `analysts` group; a strong password policy; MFA optional (TOTP, no SMS); threat protection (Plus plan).
 * The app client signs in from the browser (USER_PASSWORD_AUTH or SRP over TLS) with no secret and no OAuth.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { ANALYSTS_GROUP } from '../functions/core/portal/auth.ts';

export interface PortalUsersProps {
  readonly operation: OperationConfig;
  /**
   * Threat protection (Cognito's Plus feature plan, billed per monthly active user). Turn it off only where the plan
   * is not available.
   * @default true
   */
  readonly threatProtection?: boolean;
}

export class PortalUsers extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  /** The ID tokens' issuer (`https://cognito-idp.REGION.amazonaws.com/POOL_ID`). */
  public readonly issuer: string;

  constructor(scope: Construct, id: string, props: PortalUsersProps) {
    super(scope, id);
    const protect = props.threatProtection ?? true;
    this.userPool = new cognito.UserPool(this, 'Pool', {
      userPoolName: `seizures-${props.operation.id}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { member: new cognito.StringAttribute({ minLen: 2, maxLen: 2, mutable: false }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      ...(protect
        ? { featurePlan: cognito.FeaturePlan.PLUS, standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('Portal', {
      userPoolClientName: 'portal',
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // The app never refreshes (it signs in again after the hour) and keeps no refresh token: the shortest Cognito allows.
      refreshTokenValidity: Duration.minutes(60),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, locale: true })
        .withCustomAttributes('member'),
      // custom:member is set by the operation (AdminCreateUser) only: the app client cannot write it.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ locale: true }),
    });
    new cognito.CfnUserPoolGroup(this, 'Analysts', {
      userPoolId: this.userPool.userPoolId,
      groupName: ANALYSTS_GROUP,
      description: 'Operation analysts: every Member, the analysts summaries, lineage, phase close',
    });
    this.issuer = this.userPool.userPoolProviderUrl;

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        "MFA is optional in the pool (TOTP) by design: Member officers sign in from customs offices and phones where an authenticator app cannot be required of everyone. Analysts, who see every Member's data, must use TOTP: Cognito cannot require it of one group, so the portal API refuses analysts without it (functions/core/portal/mfa.ts). Accounts are created by the operation only (no self sign-up) with a 12-character, 4-class password policy.",
    });
    if (!protect) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG3',
        reason: 'Threat protection turned off by the threatProtection prop (the Plus plan is not available here).',
      });
    }
  }
}
