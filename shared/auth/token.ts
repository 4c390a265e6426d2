/**
 * Caller tokens: OAuth 2.0 client-credentials JWT access tokens (RFC 6749 §4.4, RFC 6750 bearer), verified
 * with aws-jwt-verify. One module for the Lambda authorizer in AWS and the local runtime's API stand-in:
 * - Cognito (default): `CognitoJwtVerifier`, `tokenUse: 'access'`, the stage's user pool (optionally
 *   only the listed app client ids; otherwise the registry decides which clients are callers);
 * - any OIDC issuer (Microsoft Entra ID, the local issuer): `JwtVerifier` with issuer, audience and JWKS URI.
 * The JWKS is fetched once and cached (refetched for an unknown key id, at most every few seconds).
 * Scopes come from `scope` (space-separated, Cognito / RFC 8693), `scp` (Entra delegated) or `roles`
 * (Entra application roles); only those starting with the configured prefix count, compared without it.
 * Errors never carry the token or its claims.
 */
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import * as z from 'zod';
import { DEFAULT_TOKEN_SCOPE_PREFIX, ENV } from '../config/names.js';
import { commaList } from '../config/runtime.js';
import { ALL_SCOPES, type OidcTokenIssuer, type Scope } from '../config/scopes.js';
import { ConfigurationError, UnauthenticatedError } from '../domain/errors.js';

export type TokenIssuerConfig =
  | {
      readonly kind: 'cognito';
      readonly userPoolId: string;
      readonly clientIds?: readonly string[];
      readonly scopePrefix: string;
    }
  | OidcTokenIssuer;

/** Who a verified token speaks for. */
export interface TokenIdentity {
  /** The client the token was issued to (Cognito `client_id`, Entra `azp`/`appid`), else `sub`. */
  readonly callerId: string;
  /** The gateway scopes the token carries (prefix removed; unknown ones dropped). */
  readonly scopes: readonly Scope[];
}

/** Longest Authorization header value accepted (a JWT is far shorter; longer is refused unparsed). */
export const MAX_AUTHORIZATION_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CALLER_ID = /^[A-Za-z0-9._:@/+=-]{1,256}$/;

export const NO_TOKEN_MESSAGE =
  'The request carries no bearer token: send Authorization: Bearer <access token> (OAuth 2.0 client credentials)';
export const BAD_TOKEN_MESSAGE =
  'The bearer token is not valid: not signed by the configured issuer, for another audience, or malformed';
export const EXPIRED_TOKEN_MESSAGE = 'The bearer token has expired: get a new one from the token endpoint';

/** The token of an `Authorization: Bearer <token>` header value; throws UnauthenticatedError otherwise. */
export const bearerToken = (authorization: string | undefined | null): string => {
  if (authorization === undefined || authorization === null || authorization.trim() === '') {
    throw new UnauthenticatedError(NO_TOKEN_MESSAGE);
  }
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) throw new UnauthenticatedError(BAD_TOKEN_MESSAGE);
  const token = BEARER.exec(authorization)?.[1];
  if (!token) {
    throw new UnauthenticatedError(
      'The Authorization header must be "Bearer <access token>" (RFC 6750); API keys do not identify a caller',
    );
  }
  if (!JWT_SHAPE.test(token)) throw new UnauthenticatedError(BAD_TOKEN_MESSAGE);
  return token;
};

/** The gateway scopes among a token's claims. */
export const scopesOf = (payload: JwtPayload, prefix: string): Scope[] => {
  const names: string[] = [];
  for (const claim of ['scope', 'scp'] as const) {
    const value = payload[claim];
    if (typeof value === 'string') names.push(...value.split(' '));
    else if (Array.isArray(value)) names.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  const roles = payload.roles;
  if (Array.isArray(roles)) names.push(...roles.filter((v): v is string => typeof v === 'string'));
  const found = new Set<Scope>();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const bare = name.slice(prefix.length);
    if ((ALL_SCOPES as readonly string[]).includes(bare)) found.add(bare as Scope);
  }
  return [...found];
};

const callerIdOf = (payload: JwtPayload): string => {
  for (const claim of ['client_id', 'azp', 'appid', 'sub'] as const) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') {
      if (!CALLER_ID.test(value)) break;
      return value;
    }
  }
  throw new UnauthenticatedError(BAD_TOKEN_MESSAGE);
};

/** Fetches JWKS documents with the platform fetch (https in AWS; the local issuer serves http on loopback). */
export const jwksFetcher = (timeoutMs = 3000): Fetcher => ({
  fetch: async (uri: string) => {
    const res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (res.status !== 200) throw new Error(`JWKS fetch answered ${res.status}`);
    return res.arrayBuffer();
  },
});

export interface TokenVerifier {
  /** Verifies the token of an Authorization header value; throws UnauthenticatedError when it does not verify. */
  verify(authorization: string | undefined | null): Promise<TokenIdentity>;
}

export const createTokenVerifier = (config: TokenIssuerConfig): TokenVerifier => {
  const verifier =
    config.kind === 'cognito'
      ? CognitoJwtVerifier.create({
          userPoolId: config.userPoolId,
          tokenUse: 'access',
          clientId: config.clientIds && config.clientIds.length > 0 ? [...config.clientIds] : null,
        })
      : JwtVerifier.create(
          { issuer: config.issuer, audience: [...config.audience], jwksUri: config.jwksUri },
          { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher() }) },
        );
  return {
    verify: async (authorization) => {
      const token = bearerToken(authorization);
      let payload: JwtPayload;
      try {
        payload = (await verifier.verify(token)) as JwtPayload;
      } catch (e) {
        throw new UnauthenticatedError(
          e instanceof JwtExpiredError ? EXPIRED_TOKEN_MESSAGE : BAD_TOKEN_MESSAGE,
        );
      }
      return { callerId: callerIdOf(payload), scopes: scopesOf(payload, config.scopePrefix) };
    },
  };
};

const list = commaList.optional();

const tokenEnvSchema = z.object({
  [ENV.cognitoUserPoolId]: z
    .string()
    .regex(/^[a-z]{2}-[a-z]+-\d_[0-9A-Za-z]+$/, 'must be a Cognito user pool id, e.g. eu-west-2_AbC123')
    .optional(),
  [ENV.tokenClientIds]: list,
  [ENV.tokenIssuer]: z.url().optional(),
  [ENV.tokenAudience]: list,
  [ENV.tokenJwksUri]: z.url().optional(),
  [ENV.tokenScopePrefix]: z.string().max(256).optional(),
});

/** The token issuer from the environment (names in shared/config/names.ts); throws ConfigurationError. */
export const loadTokenIssuerConfig = (env: NodeJS.ProcessEnv = process.env): TokenIssuerConfig => {
  const input = Object.fromEntries(
    // An empty value is unset, except the scope prefix, where '' means "no prefix" (e.g. Entra app roles).
    Object.keys(tokenEnvSchema.shape).map((k) => [
      k,
      env[k] === '' && k !== ENV.tokenScopePrefix ? undefined : env[k],
    ]),
  );
  const parsed = tokenEnvSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ConfigurationError(`Invalid token configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const scopePrefix = e[ENV.tokenScopePrefix] ?? DEFAULT_TOKEN_SCOPE_PREFIX;
  const issuer = e[ENV.tokenIssuer];
  if (issuer) {
    const audience = e[ENV.tokenAudience] ?? [];
    const jwksUri = e[ENV.tokenJwksUri];
    if (audience.length === 0 || !jwksUri) {
      throw new ConfigurationError(
        `Invalid token configuration: with ${ENV.tokenIssuer}, set ${ENV.tokenAudience} (accepted audiences) and ${ENV.tokenJwksUri}`,
      );
    }
    return { kind: 'oidc', issuer, audience, jwksUri, scopePrefix };
  }
  const userPoolId = e[ENV.cognitoUserPoolId];
  if (!userPoolId) {
    throw new ConfigurationError(
      `Invalid token configuration: set ${ENV.cognitoUserPoolId} (Cognito) or ${ENV.tokenIssuer}, ${ENV.tokenAudience} and ${ENV.tokenJwksUri} (another OIDC issuer)`,
    );
  }
  const clientIds = e[ENV.tokenClientIds];
  return {
    kind: 'cognito',
    userPoolId,
    ...(clientIds && clientIds.length > 0 ? { clientIds } : {}),
    scopePrefix,
  };
};
