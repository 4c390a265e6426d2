/**
 * Route groups beyond the operations and /v1/requests (e.g. the bulk jobs API) add themselves to the
 * OpenAPI document here: write `registerXRoutes(registry, common)` next to the feature, then list it.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { CommonSchemas } from './common.js';
import { registerJobsRoutes } from './jobs-routes.js';
import { registerOrganisationRoutes } from './organisation-routes.js';

export type RouteRegistrar = (registry: OpenAPIRegistry, common: CommonSchemas) => void;

export const EXTRA_ROUTES: readonly RouteRegistrar[] = [registerJobsRoutes, registerOrganisationRoutes];
