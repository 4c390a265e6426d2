/**
 * The scopes a caller's token carries, and the one table of which scope each API route needs.
 * Dependency-free (apart from the operation table): the CDK app reads it to wire the authorizer on
 * every route except the public ones, the functions read it to check the scope of each call.
 *
 * Tokens name scopes with a prefix (Cognito: `<resource server identifier>/<scope>`, e.g.
 * `lrs-gateway/lrs.read`); the gateway compares the part after the configured TOKEN_SCOPE_PREFIX.
 */
import { OPERATION_LIST } from '../lrs/contract/operations.js';

/**
 * An OIDC issuer other than Cognito (e.g. Microsoft Entra ID) whose tokens the authorizer accepts.
 * The deployment passes these settings to the authorizer, which verifies each token against them.
 */
export interface OidcTokenIssuer {
  readonly kind: 'oidc';
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUri: string;
  readonly scopePrefix: string;
}

export const SCOPES = {
  /** LRS look-ups that change nothing, reading stored requests. */
  read: 'lrs.read',
  /** LRS operations that change the LRS (register, update, batch submits). */
  write: 'lrs.write',
  /** Bulk jobs: submit and read them. */
  jobs: 'jobs',
  /** Operators: the status of any organisation, anyone's stored requests of a granted organisation. */
  admin: 'admin',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];
export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);

/** `public`: no token needed (no authorizer on the route). */
export type RouteAccess = Scope | 'public';

export interface RouteScope {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path, e.g. `/v1/jobs/{jobId}`. */
  readonly path: string;
  readonly scope: RouteAccess;
  /** Also enough, besides `scope` (e.g. `admin` for an organisation's status). */
  readonly orScope?: Scope;
}

export const ORGANISATION_STATUS_PATH = '/v1/organisations/{organisationId}/status';

/** Every route of the API and the scope it needs. */
export const ROUTE_SCOPES: readonly RouteScope[] = [
  ...OPERATION_LIST.map(
    (op): RouteScope => ({
      method: op.route.method,
      path: op.route.path,
      scope: op.mutating ? SCOPES.write : SCOPES.read,
    }),
  ),
  { method: 'GET', path: '/v1/requests/{requestId}', scope: SCOPES.read },
  { method: 'GET', path: '/v1/openapi.json', scope: 'public' },
  { method: 'GET', path: '/v1/docs', scope: 'public' },
  { method: 'GET', path: '/v1/docs/errors', scope: 'public' },
  { method: 'POST', path: '/v1/jobs', scope: SCOPES.jobs },
  { method: 'GET', path: '/v1/jobs/{jobId}', scope: SCOPES.jobs },
  { method: 'GET', path: '/v1/jobs/{jobId}/results', scope: SCOPES.jobs },
  { method: 'GET', path: '/v1/jobs', scope: SCOPES.jobs },
  { method: 'POST', path: '/v1/jobs/{jobId}/cancel', scope: SCOPES.jobs },
  // A caller granted the organisation may read its status; an operator (admin) may read any.
  { method: 'GET', path: ORGANISATION_STATUS_PATH, scope: SCOPES.read, orScope: SCOPES.admin },
];

/** Routes of the organisation registry, served by the `requests` function (the CDK app routes them too). */
export const ORGANISATION_ROUTES = [
  { method: 'GET', path: ORGANISATION_STATUS_PATH, function: 'requests' },
] as const;

/** The scope entry of a route; undefined for a route the table does not know (refused). */
export const routeScope = (method: string, path: string): RouteScope | undefined =>
  ROUTE_SCOPES.find((r) => r.method === method.toUpperCase() && r.path === path);

/** The routes reachable without a token. */
export const PUBLIC_ROUTES: readonly RouteScope[] = ROUTE_SCOPES.filter((r) => r.scope === 'public');
