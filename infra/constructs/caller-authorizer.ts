/**
 * The Lambda REQUEST authorizer in front of every non-public route: it verifies the caller's bearer token
 * (aws-jwt-verify, against the stage's Cognito pool or another OIDC issuer), looks the caller up in the
 * registry (unknown or suspended callers are refused) and returns the caller's identity as context, and the
 * caller's usage key (`usageIdentifierKey`) that selects its usage plan.
 *
 * The authorizer answers for the whole API stage (its policy names `<api>/<stage>/*`): which scope a route
 * needs and which organisations the caller may act for are checked by the functions, from the context it
 * returns. So API Gateway caches an answer per token (the Authorization header) for AUTHORIZER_CACHE_TTL, and a
 * suspension takes effect within that TTL plus the functions' registry cache (REGISTRY_CACHE_SECONDS). A
 * request without an Authorization header is refused with 401 by API Gateway without invoking the function.
 */
import { Duration } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type TokenVerification, tokenVerificationEnvironment } from './caller-auth.js';
import { GatewayFunction, type GatewayFunctionProps } from './gateway-function.js';
import { grantTableData } from './grants.js';

/** How long API Gateway reuses an authorizer answer for the same token and route. */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(60);

/** The function's entry, relative to the repository root. */
export const AUTHORIZER_ENTRY = 'functions/authorizer/handler.ts';

/** What an authorizer answer is cached on. */
export const AUTHORIZER_IDENTITY_SOURCES = [IdentitySource.header('Authorization')];

export interface CallerAuthorizerProps
  extends Omit<GatewayFunctionProps, 'entry' | 'description' | 'timeout'> {
  readonly tokenVerification: TokenVerification;
  readonly registryTable: ITableV2;
  /** The registry table's key. */
  readonly key: IKey;
}

export class CallerAuthorizer extends Construct {
  public readonly handler: GatewayFunction;
  public readonly authorizer: RequestAuthorizer;

  constructor(scope: Construct, id: string, props: CallerAuthorizerProps) {
    super(scope, id);
    this.handler = new GatewayFunction(this, 'Handler', {
      ...props,
      entry: AUTHORIZER_ENTRY,
      description: 'Verifies caller bearer tokens and checks the caller in the registry (API authorizer)',
      // API Gateway waits at most 30 s for an authorizer; a token check takes milliseconds once the JWKS is cached.
      timeout: Duration.seconds(10),
      environment: { ...props.environment, ...tokenVerificationEnvironment(props.tokenVerification) },
    });
    grantTableData(this.handler.role, props.registryTable, props.key, 'read');

    this.authorizer = new RequestAuthorizer(this, 'Authorizer', {
      authorizerName: props.functionName,
      handler: this.handler.function,
      identitySources: AUTHORIZER_IDENTITY_SOURCES,
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });
  }
}
