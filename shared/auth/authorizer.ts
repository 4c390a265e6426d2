/**
 * The API Gateway Lambda REQUEST authorizer: verifies the caller's bearer token (shared/auth/token.ts),
 * checks that the token's client is a registered, active caller, and answers API Gateway with
 * - 401 (throws `Unauthorized`) for no token or one that does not verify;
 * - a Deny policy (403) for a valid token of an unknown or suspended caller;
 * - an Allow policy on the whole API stage (safe under authorizer caching: every route checks its own
 *   scope and organisation grant in the function) with the context the functions read —
 *   `callerId` and `scopes` (space-separated, the token's scopes the caller is allowed) — and
 *   `usageIdentifierKey`, the caller's usage-plan API key (throttle and quota; never identity).
 * The token itself is never logged.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { isAppError } from '../domain/errors.js';
import type { AppLog } from '../observability/logger.js';
import type { RegistryReader } from '../ports/registry.js';
import type { TokenVerifier } from './token.js';

/** The context keys the authorizer hands to the functions (`event.requestContext.authorizer`). */
export const AUTHORIZER_CONTEXT = { callerId: 'callerId', scopes: 'scopes' } as const;

export interface AuthorizerDependencies {
  readonly verifier: TokenVerifier;
  readonly registry: Pick<RegistryReader, 'getCaller'>;
  readonly log: AppLog;
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/*` from the method ARN of the call. */
export const stageArn = (methodArn: string): string => {
  // arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path…>
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
};

const header = (headers: Record<string, string | undefined> | null | undefined, name: string) => {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
};

const policy = (
  _principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
): APIGatewayAuthorizerResult['policyDocument'] => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
});

export const createAuthorizer =
  (deps: AuthorizerDependencies) =>
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let identity: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      identity = await deps.verifier.verify(header(event.headers, 'authorization'));
    } catch (e) {
      deps.log.warn('Token refused', {
        errorCode: isAppError(e) ? e.code : 'UNAUTHENTICATED',
        errorName: e instanceof Error ? e.name : typeof e,
        httpStatus: 401,
      });
      // The one message API Gateway turns into 401 (gateway response UNAUTHORIZED).
      throw new Error('Unauthorized');
    }
    const resource = stageArn(event.methodArn);
    const caller = await deps.registry.getCaller(identity.callerId);
    if (caller?.status !== 'active') {
      deps.log.warn('Caller not registered or suspended', {
        caller: identity.callerId,
        status: caller?.status ?? 'unregistered',
        httpStatus: 403,
      });
      return { principalId: identity.callerId, policyDocument: policy(identity.callerId, 'Deny', resource) };
    }
    const scopes = identity.scopes.filter((s) => caller.scopes.includes(s));
    return {
      principalId: identity.callerId,
      policyDocument: policy(identity.callerId, 'Allow', resource),
      context: {
        [AUTHORIZER_CONTEXT.callerId]: identity.callerId,
        [AUTHORIZER_CONTEXT.scopes]: scopes.join(' '),
      },
      ...(caller.usagePlanKey ? { usageIdentifierKey: caller.usagePlanKey } : {}),
    };
  };
