/**
 * The local runtime's OAuth 2.0 authorization server, standing in for the stage's Cognito user pool
 * domain: the client credentials grant (RFC 6749 §4.4) at `POST /oauth2/token`, its keys at
 * `GET /.well-known/jwks.json` and `GET /.well-known/openid-configuration`. Keys are made with jose at
 * start-up (RS256, in memory). Clients are the registry's callers with a local client secret (a salted
 * scrypt hash, `npm run admin -- caller add` or the local seed); the token carries the requested scopes
 * the caller is allowed (all of them when none are asked for), prefixed like Cognito's
 * (`lrs-gateway/lrs.read`), `client_id`, `sub`, `aud` and `token_use: access`.
 * Errors follow RFC 6749 §5.2 (`invalid_request`, `invalid_client` with 401 and WWW-Authenticate,
 * `unsupported_grant_type`, `invalid_scope`, `unauthorized_client`). Secrets are never logged.
 */
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { DEFAULT_TOKEN_SCOPE_PREFIX } from '../shared/config/names.js';
import { ALL_SCOPES, type Scope } from '../shared/config/scopes.js';
import type { Registry } from '../shared/ports/registry.js';
import { closeServer, listenLocal } from './emulators.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** `scrypt$<salt>$<hash>` (base64url): what the registry keeps of a local client secret. */
export const hashClientSecret = async (secret: string): Promise<string> => {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
};

export const verifyClientSecret = async (secret: string, stored: string): Promise<boolean> => {
  const [kind, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/** A new client secret: 32 random bytes, base64url. */
export const newClientSecret = (): string => randomBytes(32).toString('base64url');

export const LOCAL_AUDIENCE = 'lrs-gateway-local';
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface TokenIssuerOptions {
  readonly registry: Pick<Registry, 'getCaller' | 'getLocalClient'>;
  readonly port?: number;
  readonly portHint?: string;
  readonly scopePrefix?: string;
  readonly audience?: string;
  readonly lifetimeSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface TokenIssuer {
  readonly url: string;
  readonly port: number;
  /** The `iss` of its tokens. */
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly scopePrefix: string;
  /** Signs any claims with the issuer's key (for tests of expired or misdirected tokens). */
  sign(claims: JWTPayload, options?: { expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

const readForm = (req: IncomingMessage, limit = 16 * 1024): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () =>
      size > limit
        ? reject(new OAuthError(400, 'invalid_request', 'The request body is too large'))
        : resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
    );
    req.on('error', reject);
  });

/** HTTP Basic client authentication (RFC 6749 §2.3.1: both parts form-urlencoded). */
const basicClient = (header: string | undefined): { id: string; secret: string } | undefined => {
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      id: decodeURIComponent(text.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(text.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
};

const send = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...extra,
  });
  res.end(text);
};

export const startTokenIssuer = async (options: TokenIssuerOptions): Promise<TokenIssuer> => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = `local-${randomUUID()}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const prefix = options.scopePrefix ?? DEFAULT_TOKEN_SCOPE_PREFIX;
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const lifetime = options.lifetimeSeconds ?? TOKEN_LIFETIME_SECONDS;
  const log = options.log ?? (() => undefined);
  let base = '';

  const sign = (claims: JWTPayload, o: { expiresInSeconds?: number } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iat: now,
      exp: now + (o.expiresInSeconds ?? lifetime),
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey);
  };

  const token = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw new OAuthError(
        400,
        'invalid_request',
        'Send the parameters as application/x-www-form-urlencoded',
      );
    }
    const form = await readForm(req);
    for (const name of ['grant_type', 'client_id', 'client_secret', 'scope']) {
      if (form.getAll(name).length > 1) throw new OAuthError(400, 'invalid_request', `${name} is repeated`);
    }
    const grant = form.get('grant_type');
    if (!grant) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    if (grant !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', 'Only the client_credentials grant is supported');
    }
    const basic = basicClient(req.headers.authorization);
    if (req.headers.authorization && !basic) {
      throw new OAuthError(
        401,
        'invalid_client',
        'The Authorization header must be HTTP Basic client credentials',
      );
    }
    if (basic && (form.has('client_id') || form.has('client_secret'))) {
      throw new OAuthError(400, 'invalid_request', 'Use one client authentication method, not two');
    }
    const id = basic?.id ?? form.get('client_id') ?? '';
    const secret = basic?.secret ?? form.get('client_secret') ?? '';
    if (!id || !secret) throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    const stored = /^[A-Za-z0-9._:@/+=-]{1,256}$/.test(id)
      ? await options.registry.getLocalClient(id)
      : undefined;
    if (!stored || !(await verifyClientSecret(secret, stored))) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    }
    const caller = await options.registry.getCaller(id);
    if (caller?.status !== 'active') {
      throw new OAuthError(400, 'unauthorized_client', 'The client is suspended or no longer registered');
    }
    const requested = form.get('scope');
    let scopes: Scope[];
    if (requested === null || requested.trim() === '') {
      scopes = [...caller.scopes];
    } else {
      const names = requested.split(' ').filter(Boolean);
      const bare = names.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : undefined));
      if (bare.some((b) => b === undefined || !(ALL_SCOPES as readonly string[]).includes(b))) {
        throw new OAuthError(
          400,
          'invalid_scope',
          `Scopes are ${ALL_SCOPES.map((s) => prefix + s).join(', ')}`,
        );
      }
      scopes = (bare as Scope[]).filter((s) => caller.scopes.includes(s));
      if (scopes.length < bare.length) {
        throw new OAuthError(400, 'invalid_scope', 'The client may not use every requested scope');
      }
    }
    const scope = scopes.map((s) => prefix + s).join(' ');
    const accessToken = await sign({
      iss: base,
      sub: id,
      aud: audience,
      client_id: id,
      token_use: 'access',
      scope,
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && path === '/.well-known/jwks.json') {
      send(res, 200, { keys: [jwk] }, { 'cache-control': 'max-age=300' });
      return;
    }
    if (method === 'GET' && path === '/.well-known/openid-configuration') {
      send(res, 200, {
        issuer: base,
        token_endpoint: `${base}/oauth2/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ALL_SCOPES.map((s) => prefix + s),
      });
      return;
    }
    if (path !== '/oauth2/token') {
      req.resume();
      send(res, 404, { error: 'not_found' });
      return;
    }
    if (method !== 'POST') {
      req.resume();
      send(
        res,
        405,
        { error: 'invalid_request', error_description: 'POST the token request' },
        { allow: 'POST' },
      );
      return;
    }
    try {
      send(res, 200, await token(req));
      log('POST /oauth2/token → 200');
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      req.resume();
      send(
        res,
        e.status,
        { error: e.error, error_description: e.message },
        e.status === 401 ? { 'www-authenticate': 'Basic realm="lrs-gateway-local"' } : {},
      );
      log(`POST /oauth2/token → ${e.status} ${e.error}`);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  const port = await listenLocal(server, options.port ?? 0, 'the local token issuer', options.portHint);
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    issuer: base,
    audience,
    jwksUri: `${base}/.well-known/jwks.json`,
    tokenEndpoint: `${base}/oauth2/token`,
    scopePrefix: prefix,
    sign,
    close: () => closeServer(server),
  };
};
