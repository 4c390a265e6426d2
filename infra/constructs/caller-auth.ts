/**
 * Who issues the callers' access tokens (OAuth 2.0 client credentials, RFC 6749 section 4.4), and what the
 * authorizer needs to verify them.
 *
 * - Cognito (default): a user pool that no person signs in to, with a domain (its `/oauth2/token` endpoint)
 *   and a resource server `lrs-gateway` with one scope per kind of work. Callers are app clients with a
 *   secret, created at run time by the admin CLI (never in the template), so a caller is onboarded without a
 *   deploy. The pool lives in the stateful stack: destroying the service stack must not drop every caller.
 * - Any other OIDC issuer (e.g. Microsoft Entra ID): nothing is created; the issuer, audience and JWKS URI
 *   come from the stage.
 */
import { Aws, CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  ResourceServerScope,
  UserPool,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { DEFAULT_TOKEN_SCOPE_PREFIX, ENV } from '../../shared/config/names.js';
import type { OidcTokenIssuer } from '../../shared/config/scopes.js';
import type { CallerAuthConfig } from '../config/access.js';
import { acknowledge } from '../support/nag.js';

/** The Cognito resource server identifier: scopes in tokens read `lrs-gateway/<scope>`. */
export const RESOURCE_SERVER_ID = DEFAULT_TOKEN_SCOPE_PREFIX.replace(/\/$/, '');

/** The gateway's scopes, one per kind of work. */
export const CALLER_SCOPES = {
  'lrs.read': 'Read LRS data: find, verify, learner records, batch outputs, stored requests',
  'lrs.write': 'Change LRS data: register, update, submit batches',
  jobs: 'Submit and follow bulk jobs',
  admin: 'Read the registry and organisation status',
} as const;

/** How the authorizer verifies a token: a Cognito pool, or an OIDC issuer. Plain values or CDK tokens. */
export type TokenVerification = { readonly kind: 'cognito'; readonly userPoolId: string } | OidcTokenIssuer;

export interface CallerAuthProps {
  readonly stageName: string;
  readonly auth: CallerAuthConfig;
  readonly removalPolicy: RemovalPolicy;
}

export class CallerAuth extends Construct {
  /** The stage's user pool (Cognito issuer only). */
  public readonly userPool?: UserPool;
  public readonly resourceServer?: UserPoolResourceServer;
  /** `https://<domain>/oauth2/token` (Cognito issuer only). */
  public readonly tokenEndpoint?: string;
  public readonly verification: TokenVerification;

  constructor(scope: Construct, id: string, props: CallerAuthProps) {
    super(scope, id);
    const { auth } = props;
    if (auth.kind === 'oidc') {
      this.verification = {
        kind: 'oidc',
        issuer: auth.issuer,
        audience: auth.audience,
        jwksUri: auth.jwksUri,
        scopePrefix: auth.scopePrefix ?? '',
      };
      return;
    }

    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: `lrs-gateway-${props.stageName}-callers`,
      // Machine-to-machine only: nobody signs up or signs in; callers are app clients made by the admin CLI.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      accountRecovery: AccountRecovery.NONE,
      featurePlan: FeaturePlan.ESSENTIALS,
      // Set although no user exists, so that a user added by mistake still cannot sign in with a password alone.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: {
        minLength: 16,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      userPool,
      'AwsSolutions-COG8',
      'No person ever signs in to this pool: callers use the client credentials grant of app clients, which the ' +
        'Plus tier threat protection (user sign-in risk) does not assess; the registry suspends a caller at once.',
    );

    const resourceServer = userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: `lrs-gateway-${props.stageName}`,
      scopes: Object.entries(CALLER_SCOPES).map(
        ([scopeName, scopeDescription]) => new ResourceServerScope({ scopeName, scopeDescription }),
      ),
    });

    const domain = userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: auth.domainPrefix ?? `lrs-gateway-${props.stageName}-${Aws.ACCOUNT_ID}`,
      },
    });

    this.userPool = userPool;
    this.resourceServer = resourceServer;
    this.tokenEndpoint = `${domain.baseUrl()}/oauth2/token`;
    this.verification = { kind: 'cognito', userPoolId: userPool.userPoolId };

    new CfnOutput(scope, 'CallerUserPoolId', {
      value: userPool.userPoolId,
      description: 'Cognito user pool of the callers (npm run admin creates one app client per caller)',
    });
    new CfnOutput(scope, 'TokenEndpoint', {
      value: this.tokenEndpoint,
      description: 'OAuth 2.0 token endpoint (client credentials grant, scopes lrs-gateway/<scope>)',
    });
  }
}

/** The authorizer's environment for a token verification (the variable names the runtime reads). */
export function tokenVerificationEnvironment(v: TokenVerification): Record<string, string> {
  if (v.kind === 'cognito') {
    return { [ENV.cognitoUserPoolId]: v.userPoolId, [ENV.tokenScopePrefix]: DEFAULT_TOKEN_SCOPE_PREFIX };
  }
  return {
    [ENV.tokenIssuer]: v.issuer,
    [ENV.tokenAudience]: v.audience.join(','),
    [ENV.tokenJwksUri]: v.jwksUri,
    [ENV.tokenScopePrefix]: v.scopePrefix,
  };
}
