/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate the
 * requests (shared/lrs/contract/schemas.ts) and type the results (shared/lrs/contract/responses.ts), and from the
 * operation table (routes, summaries, which operations need an Idempotency-Key).
 *
 * `npm run openapi` writes it to openapi.json; the requests function serves it at GET /v1/openapi.json.
 * Other route groups (bulk jobs) plug in through shared/api/extra-routes.ts.
 */
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { routeScope } from '../config/scopes.js';
import { MAX_JSON_DEPTH } from '../http/http-input.js';
import { OPERATION_LIST } from '../lrs/contract/operations.js';
import {
  API_KEY_SCHEME,
  API_VERSION,
  COMMON_ERROR_STATUSES,
  type CommonSchemas,
  commonSchemas,
  errorResponses,
} from './common.js';
import { EXTRA_ROUTES } from './extra-routes.js';
import { registerOperation, registerRequestsRoutes } from './operation-routes.js';

// Once every schema module above is loaded: registry.register() names a schema through `.openapi()`,
// which this adds to zod's prototype. It only reads `ZodType`: handing it the whole namespace would make
// esbuild keep every zod locale in the bundle.
extendZodWithOpenApi({ ZodType: z.ZodType } as unknown as Parameters<typeof extendZodWithOpenApi>[0]);

type RouteConfig = Parameters<OpenAPIRegistry['registerPath']>[0];

/**
 * Every route, whichever module registers it, documents the errors any layer can answer with (the
 * gateway's own included) and the JSON depth limit of its body.
 */
class ApiRegistry extends OpenAPIRegistry {
  common?: CommonSchemas;
  override registerPath(route: RouteConfig): void {
    const common = this.common;
    if (!common) {
      super.registerPath(route);
      return;
    }
    const body = route.request?.body;
    const depthNote = `JSON bodies may nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep (rule maxDepth, 400 otherwise).`;
    const statuses =
      route.security && route.security.length === 0
        ? COMMON_ERROR_STATUSES.filter((s) => s !== 401 && s !== 403)
        : COMMON_ERROR_STATUSES;
    // The scope each route needs, from the one table (shared/config/scopes.ts).
    const scope = routeScope(route.method, route.path);
    const security =
      route.security && route.security.length > 0 && scope && scope.scope !== 'public'
        ? [
            { [API_KEY_SCHEME]: [scope.scope] },
            ...(scope.orScope ? [{ [API_KEY_SCHEME]: [scope.orScope] }] : []),
          ]
        : route.security;
    super.registerPath({
      ...route,
      ...(security ? { security } : {}),
      ...(body
        ? {
            request: {
              ...route.request,
              body: { ...body, description: [body.description, depthNote].filter(Boolean).join(' ') },
            },
          }
        : {}),
      responses: { ...errorResponses(common, statuses), ...route.responses },
    });
  }
}

/** Drops properties that have a default from `required`, at every depth of a request schema. */
const optionalDefaults = (schema: unknown): void => {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as { properties?: Record<string, { default?: unknown }>; required?: string[] };
  if (s.properties && Array.isArray(s.required)) {
    s.required = s.required.filter((k) => s.properties?.[k]?.default === undefined);
    if (s.required.length === 0) delete s.required;
  }
  for (const value of Object.values(schema)) optionalDefaults(value);
};

const generate = () => {
  const registry = new ApiRegistry();
  registry.registerComponent('securitySchemes', API_KEY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "An OAuth 2.0 access token of the client credentials grant (RFC 6749 §4.4) from the stage's token " +
      'endpoint (Cognito: https://<domain>/oauth2/token; locally the URL npm start prints). Each route lists ' +
      'the scope it needs (lrs.read, lrs.write, jobs, admin; in the token prefixed, e.g. lrs-gateway/lrs.read). ' +
      'The organisations a caller may act for are granted in the gateway registry. API keys never identify a caller.',
  });
  const common = commonSchemas(registry);
  registry.common = common;
  for (const op of OPERATION_LIST) registerOperation(registry, common, op);
  registerRequestsRoutes(registry, common);
  for (const register of EXTRA_ROUTES) register(registry, common);

  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'lrs-gateway',
      version: API_VERSION,
      description:
        'JSON over HTTP in front of the DfE Learning Records Service (LRS). Every 2xx answer to an operation ' +
        'carries one outcome model: `{ requestId, operation, status, outcome: { code, name, lrsCode?, ' +
        'description, class, final, retryAfterSeconds? }, result }`. Every non-2xx answer, from every layer, ' +
        'is one envelope: `{ error: { code, message, retryable, requestId, docUrl, issues? } }`; a retryable ' +
        'error carries Retry-After. The organisation is named by the X-LRS-Organisation header; operations ' +
        `that change the LRS need an Idempotency-Key. JSON bodies nest at most ${MAX_JSON_DEPTH} levels.`,
    },
    tags: [
      { name: 'LearnerService', description: 'LRS LearnerService operations' },
      { name: 'LearnerServiceR9', description: 'LRS LearnerServiceR9 operations' },
      { name: 'ExternalService', description: 'LRS ExternalService (awarding organisation) operations' },
      { name: 'Requests', description: 'Stored requests' },
      { name: 'Reference', description: 'This reference, the error and outcome catalogue (public)' },
    ],
  });
  // A request field with a default may be left out: it is not required of the caller.
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    if (name.endsWith('Request') || name === 'JobSubmission') optionalDefaults(schema);
  return doc;
};

let built: ReturnType<typeof generate> | undefined;

/** The document, generated once per process. */
export const buildOpenApiDocument = (): ReturnType<typeof generate> => {
  built ??= generate();
  return built;
};
