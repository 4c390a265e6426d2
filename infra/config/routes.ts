/**
 * The API routes that are not one LRS operation (the operation routes come from the operation table). Which
 * scope each route needs, and the routes served without a token, are in shared/config/scopes.ts.
 */
import type { PLATFORM_FUNCTIONS } from '../../shared/config/resources.js';
import { ORGANISATION_STATUS_PATH } from '../../shared/config/scopes.js';

export interface PlatformRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly function: keyof typeof PLATFORM_FUNCTIONS;
}

export const PLATFORM_ROUTES: readonly PlatformRoute[] = [
  { method: 'GET', path: '/v1/requests/{requestId}', function: 'requests' },
  { method: 'GET', path: ORGANISATION_STATUS_PATH, function: 'requests' },
  { method: 'GET', path: '/v1/openapi.json', function: 'requests' },
  { method: 'GET', path: '/v1/docs', function: 'requests' },
  { method: 'GET', path: '/v1/docs/errors', function: 'requests' },
  { method: 'POST', path: '/v1/jobs', function: 'jobs' },
  { method: 'GET', path: '/v1/jobs/{jobId}', function: 'jobs' },
  { method: 'GET', path: '/v1/jobs/{jobId}/results', function: 'jobs' },
  { method: 'GET', path: '/v1/jobs', function: 'jobs' },
  { method: 'POST', path: '/v1/jobs/{jobId}/cancel', function: 'jobs' },
];
