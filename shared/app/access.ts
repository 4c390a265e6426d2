/**
 * Who is calling, and what they may do. The caller is the one the API's Lambda authorizer verified
 * (shared/auth/authorizer.ts): `requestContext.authorizer.callerId` and `.scopes`. Each call is then
 * checked against the registry (through a short cache) BEFORE its body is validated:
 *   1. an identity from the authorizer, else 401;
 *   2. the caller registered and active, else 403;
 *   3. the route's scope (shared/config/scopes.ts) among the token's scopes the caller is allowed, else 403;
 *   4. for an organisation: a grant of it to the caller, else 403; the organisation registered and active,
 *      else 403.
 * API keys never identify anyone (they only feed usage plans).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ALL_SCOPES, type RouteScope, type Scope } from '../config/scopes.js';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors.js';
import type { OrganisationRecord, RegistryReader } from '../ports/registry.js';

export interface CallerContext {
  readonly callerId: string;
  /** Scopes the token carries and the caller is allowed (the authorizer's intersection). */
  readonly scopes: readonly Scope[];
}

export interface CallAccess extends CallerContext {
  readonly organisationId: string;
  /** The grant lets the caller read the organisation's whole history (not only its own requests). */
  readonly readAll: boolean;
  readonly organisation: OrganisationRecord;
}

export const NO_IDENTITY_MESSAGE =
  'The request carries no verified caller: send Authorization: Bearer <access token>';

/** The caller the authorizer verified, or undefined (no authorizer context). */
export const callerContext = (
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
): CallerContext | undefined => {
  const a = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const callerId = a?.callerId;
  if (typeof callerId !== 'string' || callerId === '') return undefined;
  const scopes = (typeof a?.scopes === 'string' ? a.scopes.split(' ') : []).filter((s): s is Scope =>
    (ALL_SCOPES as readonly string[]).includes(s),
  );
  return { callerId, scopes };
};

/** The caller's id, for logs of refused calls (undefined without an authorizer context). */
export const callerIdentity = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined =>
  callerContext(event)?.callerId;

const hasScope = (caller: CallerContext, route: Pick<RouteScope, 'scope' | 'orScope'>): boolean =>
  route.scope === 'public' ||
  caller.scopes.includes(route.scope) ||
  (route.orScope !== undefined && caller.scopes.includes(route.orScope));

/** Steps 1-3: a verified, registered, active caller holding the route's scope. */
export const authenticate = async (
  registry: Pick<RegistryReader, 'getCaller'>,
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  route: Pick<RouteScope, 'scope' | 'orScope'>,
): Promise<CallerContext> => {
  const caller = callerContext(event);
  if (!caller) throw new UnauthenticatedError(NO_IDENTITY_MESSAGE);
  const record = await registry.getCaller(caller.callerId);
  if (record?.status !== 'active') {
    throw new ForbiddenError('The caller is not registered with the gateway, or is suspended');
  }
  // The registry may have narrowed the caller's scopes since the authorizer's answer was cached.
  const current = { ...caller, scopes: caller.scopes.filter((s) => record.scopes.includes(s)) };
  if (!hasScope(current, route)) {
    const needed = route.orScope ? `${route.scope} or ${route.orScope}` : route.scope;
    throw new ForbiddenError(`This route needs the scope ${needed}, which the token does not carry`);
  }
  return current;
};

/** Step 4: the caller may act for the organisation, which is registered and active. */
export const authorizeOrganisation = async (
  registry: Pick<RegistryReader, 'getGrant' | 'getOrganisation'>,
  caller: CallerContext,
  organisationId: string,
): Promise<CallAccess> => {
  const grant = await registry.getGrant(caller.callerId, organisationId);
  if (!grant) throw new ForbiddenError('The caller may not act for this organisation');
  const organisation = await registry.getOrganisation(organisationId);
  if (!organisation) {
    throw new ForbiddenError('The organisation is not configured in the gateway (no LRS credentials)');
  }
  if (organisation.status !== 'active') throw new ForbiddenError('The organisation is suspended');
  return { ...caller, organisationId, readAll: grant.readAll, organisation };
};

/**
 * Whether a caller may read a stored request or job: a grant of its organisation, and either its own or
 * a grant with readAll. Anything else reads as absent (404), so ids cannot be probed.
 */
export const mayRead = async (
  registry: Pick<RegistryReader, 'getGrant'>,
  caller: CallerContext,
  stored: { readonly organisationId: string; readonly caller: string },
): Promise<boolean> => {
  const grant = await registry.getGrant(caller.callerId, stored.organisationId);
  return grant !== undefined && (grant.readAll || stored.caller === caller.callerId);
};

/** The access an HTTP event was granted by the chain's access step (see httpChain). */
const granted = new WeakMap<object, unknown>();
export const rememberAccess = (event: object, access: unknown): void => {
  granted.set(event, access);
};
export const accessOf = <T>(event: object): T | undefined => granted.get(event) as T | undefined;
