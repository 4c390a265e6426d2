/**
 * Stands in for the REST API (API Gateway v1, Lambda proxy integration): matches the method and resource,
 * builds a v1 `APIGatewayProxyEvent`, runs the Lambda authorizer on every non-public route
 * (authorizer-stand-in.ts: no or bad token → 401, unregistered caller → 403), calls the function
 * in-process and writes back its statusCode/headers/body. As deployed: a POSTed JSON body that is not an object → 400 BAD_REQUEST_BODY, function
 * error → 502, function over 29 s → 504, over-size body → 413. Unlike API Gateway (which answers 403
 * MISSING_AUTHENTICATION_TOKEN), an unknown path gets 404 and a known path with another method 405, to
 * make local mistakes obvious.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PLATFORM_ROUTES } from '../infra/config/routes.js';
import { operationEntry, PLATFORM_FUNCTIONS } from '../shared/config/resources.js';
import { ORGANISATION_ROUTES } from '../shared/config/scopes.js';
import { docUrlFor, ERROR_CODES, type ErrorCode } from '../shared/domain/error-codes.js';
import { kebab, OPERATION_LIST } from '../shared/lrs/contract/operations.js';
import { restApiEvent } from './api-event.js';
import { type AuthorizerHandler, runAuthorizer } from './authorizer-stand-in.js';
import { closeServer, listenLocal } from './emulators.js';
import { type AsyncHandler, handlerLoader, lambdaContext } from './lambda.js';

export type ProxyHandler = AsyncHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** API Gateway resource path, e.g. `/v1/jobs/{jobId}/results`. */
  readonly resource: string;
  /** The function name (for the Lambda context and logs). */
  readonly functionName: string;
  readonly handler: () => Promise<ProxyHandler>;
}

export interface ApiServerOptions {
  readonly routes: readonly ApiRoute[];
  /** The Lambda authorizer run before every route but the public ones. */
  readonly authorizer: () => Promise<AuthorizerHandler>;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly portHint?: string;
  readonly region: string;
  /** The API Gateway stage name in requestContext.stage. Default 'local'. */
  readonly stage?: string;
  /** Largest accepted request body. Default 6 MiB (the Lambda synchronous payload limit). */
  readonly maxBodyBytes?: number;
  /** API Gateway's integration timeout. Default 29 s. */
  readonly integrationTimeoutMs?: number;
  /** One line per request: method, resource, status, duration, request id (never bodies). */
  readonly log?: (line: string) => void;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;
const API_ID = 'local000api';

/**
 * Every LRS operation route and the platform routes (the same tables the CDK app reads:
 * shared/lrs/contract/operations.ts and infra/config/routes.ts), each bound to its function entry, loaded lazily.
 */
export const gatewayRoutes = (): ApiRoute[] => {
  const platformLoaders = new Map<string, () => Promise<ProxyHandler>>();
  const platformHandler = (fn: keyof typeof PLATFORM_FUNCTIONS): (() => Promise<ProxyHandler>) => {
    let loader = platformLoaders.get(fn);
    if (!loader) {
      loader = handlerLoader<APIGatewayProxyEvent, APIGatewayProxyResult>(PLATFORM_FUNCTIONS[fn].entry);
      platformLoaders.set(fn, loader);
    }
    return loader;
  };
  return [
    ...OPERATION_LIST.map(
      (op): ApiRoute => ({
        method: op.route.method,
        resource: op.route.path,
        functionName: kebab(op.id),
        handler: handlerLoader<APIGatewayProxyEvent, APIGatewayProxyResult>(operationEntry(op.id)),
      }),
    ),
    ...[
      ...PLATFORM_ROUTES,
      ...ORGANISATION_ROUTES.filter(
        (o) => !PLATFORM_ROUTES.some((p) => p.method === o.method && p.path === o.path),
      ),
    ].map(
      (r): ApiRoute => ({
        method: r.method,
        resource: r.path,
        functionName: r.function,
        handler: platformHandler(r.function),
      }),
    ),
  ];
};

interface CompiledRoute extends ApiRoute {
  readonly pattern: RegExp;
  readonly params: readonly string[];
}

const compile = (route: ApiRoute): CompiledRoute => {
  const params: string[] = [];
  const source = route.resource
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), params };
};

/**
 * API Gateway's own error responses, in the one error envelope the deployed API's gateway responses give
 * them (infra/constructs/gateway-api.ts): `{"error":{"code","message","retryable","requestId","docUrl"}}`.
 */
const sendGatewayError = (
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  context: { requestId: string; baseUrl: string; responseType: string },
  extra: Record<string, string> = {},
): void => {
  const retryable = ERROR_CODES[code].retryable;
  sendJson(
    res,
    status,
    {
      error: {
        code,
        message,
        retryable,
        requestId: context.requestId,
        docUrl: docUrlFor(code, context.baseUrl),
        ...(retryable ? { retryAfterSeconds: 1 } : {}),
      },
    },
    context.requestId,
    { 'x-amzn-errortype': context.responseType, ...(retryable ? { 'retry-after': '1' } : {}), ...extra },
  );
};

/** The path's segments percent-decoded, or undefined when an escape is malformed (`%E0%A4%A`). */
const decodedPath = (pathname: string): string | undefined => {
  try {
    decodeURIComponent(pathname);
    return pathname;
  } catch {
    return undefined;
  }
};

/** The deployed request validator's JsonObject model: a POSTed application/json body must be a JSON object. */
const isJsonObjectBody = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
};

const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...extra,
  });
  res.end(text);
};

class BodyTooLarge extends Error {}

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });

/** Header maps as API Gateway v1 gives them: names as sent, last value wins / all values. */
const headerMaps = (
  req: IncomingMessage,
): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    const existing =
      Object.keys(multiValueHeaders).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    multiValueHeaders[existing] = [...(multiValueHeaders[existing] ?? []), value];
    headers[existing] = value;
  }
  return { headers, multiValueHeaders };
};

const queryMaps = (
  url: URL,
): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} => {
  const keys = [...new Set(url.searchParams.keys())];
  if (keys.length === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const multi = Object.fromEntries(keys.map((k) => [k, url.searchParams.getAll(k)]));
  const single = Object.fromEntries(keys.map((k) => [k, url.searchParams.getAll(k).at(-1) ?? '']));
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
};

const isProxyResult = (value: unknown): value is APIGatewayProxyResult =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as { statusCode?: unknown }).statusCode === 'number' &&
  ((value as { body?: unknown }).body === undefined ||
    typeof (value as { body?: unknown }).body === 'string');

export const startApiServer = async (options: ApiServerOptions): Promise<ApiServer> => {
  const routes = options.routes.map(compile);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 29_000;
  const stage = options.stage ?? 'local';
  const log = options.log ?? (() => undefined);
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const done = (status: number, resource: string): void =>
      log(`${method} ${resource} → ${status} in ${Date.now() - started} ms (requestId ${requestId})`);

    const baseUrl = `http://${req.headers.host && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host) ? req.headers.host : `127.0.0.1:${port}`}`;
    const gatewayError = (
      status: number,
      code: ErrorCode,
      message: string,
      responseType: string,
      resource: string,
      extra: Record<string, string> = {},
    ): void => {
      req.resume();
      sendGatewayError(res, status, code, message, { requestId, baseUrl, responseType }, extra);
      done(status, resource);
    };

    if (decodedPath(url.pathname) === undefined) {
      gatewayError(
        400,
        'VALIDATION_FAILED',
        'The path has a malformed percent-encoding',
        'BAD_REQUEST_PARAMETERS',
        '(malformed path)',
      );
      return;
    }
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    if (matching.length === 0) {
      gatewayError(
        404,
        'ROUTE_NOT_FOUND',
        'No route with this path',
        'MISSING_AUTHENTICATION_TOKEN',
        '(no route)',
      );
      return;
    }
    const route = matching.find((r) => r.method === method);
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.method))].join(', ');
      gatewayError(
        405,
        'METHOD_NOT_ALLOWED',
        `This path takes ${allow}`,
        'MISSING_AUTHENTICATION_TOKEN',
        matching[0]?.resource ?? '',
        { allow },
      );
      return;
    }

    // The authorizer runs first, as in API Gateway (before the request validator reads the body).
    const match = route.pattern.exec(url.pathname);
    const pathParameters =
      route.params.length === 0
        ? null
        : Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(match?.[i + 1] ?? '')]));
    const { headers, multiValueHeaders } = headerMaps(req);
    // API Gateway adds the X-Forwarded-* headers; the functions read the scheme from X-Forwarded-Proto.
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'x-forwarded-proto') {
        delete headers[name];
        delete multiValueHeaders[name];
      }
    }
    headers['X-Forwarded-Proto'] = 'http';
    multiValueHeaders['X-Forwarded-Proto'] = ['http'];
    const now = new Date();
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const event = restApiEvent({
      method,
      path: url.pathname,
      resource: route.resource,
      headers,
      multiValueHeaders,
      ...queryMaps(url),
      pathParameters,
      apiId: API_ID,
      stage,
      requestId,
      resourceId: 'local',
      protocol: `HTTP/${req.httpVersion}`,
      sourceIp,
      userAgent: req.headers['user-agent'] ?? null,
      requestContext: {
        domainName: `127.0.0.1:${port}`,
        domainPrefix: '127',
        extendedRequestId: requestId.replaceAll('-', '').slice(0, 16),
        requestTime: now.toUTCString(),
        requestTimeEpoch: now.getTime(),
      },
    });

    const authorized = await runAuthorizer(options.authorizer, event, options.region);
    if (!authorized.ok) {
      gatewayError(
        authorized.status,
        authorized.code,
        authorized.message,
        authorized.responseType,
        route.resource,
      );
      return;
    }
    event.requestContext.authorizer = authorized.authorizer;

    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        gatewayError(
          413,
          'REQUEST_TOO_LARGE',
          'The body is larger than 6 MiB',
          'REQUEST_TOO_LARGE',
          route.resource,
          {
            connection: 'close',
          },
        );
        return;
      }
      throw error;
    }

    // The deployed request validator checks POST bodies sent as application/json (or with no content type).
    const contentType = (req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (method === 'POST' && contentType === 'application/json' && !isJsonObjectBody(body.toString('utf8'))) {
      gatewayError(
        400,
        'BAD_REQUEST_BODY',
        'The body must be a JSON object',
        'BAD_REQUEST_BODY',
        route.resource,
      );
      return;
    }

    event.body = body.length > 0 ? body.toString('utf8') : null;

    let result: unknown;
    try {
      const handler = await route.handler();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = Symbol('timeout');
      const outcome = await Promise.race([
        handler(event, lambdaContext(route.functionName, options.region)),
        new Promise<typeof timedOut>((resolve) => {
          timer = setTimeout(() => resolve(timedOut), integrationTimeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (outcome === timedOut) {
        gatewayError(
          504,
          'GATEWAY_TIMEOUT',
          'The function did not answer in time',
          'INTEGRATION_TIMEOUT',
          route.resource,
        );
        return;
      }
      result = outcome;
    } catch (error) {
      log(
        `${method} ${route.resource}: function ${route.functionName} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'}`,
      );
      result = undefined;
    }
    if (!isProxyResult(result)) {
      gatewayError(
        502,
        'BAD_GATEWAY',
        'The function failed to answer',
        'INTEGRATION_FAILURE',
        route.resource,
      );
      return;
    }
    const outHeaders: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
    for (const [name, value] of Object.entries(result.multiValueHeaders ?? {})) {
      outHeaders[name.toLowerCase()] = value.map(String);
    }
    for (const [name, value] of Object.entries(result.headers ?? {})) {
      outHeaders[name.toLowerCase()] = String(value);
    }
    const payload = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64')
      : Buffer.from(result.body ?? '', 'utf8');
    if (!('content-type' in outHeaders)) outHeaders['content-type'] = 'application/json';
    outHeaders['content-length'] = String(payload.length);
    res.writeHead(result.statusCode, outHeaders);
    res.end(payload);
    done(result.statusCode, route.resource);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        const requestId = randomUUID();
        sendGatewayError(res, 500, 'INTERNAL', 'Internal error', {
          requestId,
          baseUrl: `http://127.0.0.1:${port}`,
          responseType: 'DEFAULT_5XX',
        });
      } else res.destroy();
    });
  });
  port = await listenLocal(server, options.port ?? 0, 'the local API', options.portHint);
  return { url: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
};
