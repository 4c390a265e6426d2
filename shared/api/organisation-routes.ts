/** GET /v1/organisations/{organisationId}/status in the OpenAPI document (see shared/handlers/organisation-status.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { ORGANISATION_STATUS_PATH } from '../config/scopes.js';
import type { CommonSchemas } from './common.js';

export const registerOrganisationRoutes = (registry: OpenAPIRegistry, common: CommonSchemas): void => {
  const status = registry.register(
    'OrganisationStatus',
    z
      .object({
        organisationId: z.string().describe('UKPRN or organisation reference'),
        configured: z.boolean().describe('Whether the gateway holds LRS credentials for the organisation'),
        status: z
          .enum(['active', 'suspended'])
          .optional()
          .describe('Suspended: calls for it are refused (403)'),
        certificate: z
          .object({
            subject: z.string().optional().describe('Subject of the LRS client certificate'),
            notAfter: z.string().optional().describe('When the certificate stops being valid (ISO 8601)'),
            daysToExpiry: z.number().int().optional().describe('Whole days left (negative once expired)'),
          })
          .optional(),
        lrs: z
          .object({
            lastSuccessAt: z
              .string()
              .optional()
              .describe('The last time the LRS answered with its credentials'),
            lastFailureAt: z.string().optional(),
            lastFailureCode: z
              .string()
              .optional()
              .describe('LRS code (WSEC0005…) or reason (TLS_CLIENT_CERTIFICATE_REJECTED, CONNECTION…)'),
          })
          .describe('Noted at most once a minute per organisation'),
      })
      .describe("An organisation's set-up and its last LRS results"),
  );
  registry.registerPath({
    method: 'get',
    path: ORGANISATION_STATUS_PATH,
    operationId: 'getOrganisationStatus',
    summary: 'Is the organisation configured, whose certificate and how long left, what the LRS last said',
    description:
      'For an operator (scope admin) about any organisation, or for a caller granted the organisation. ' +
      'An organisation the gateway does not hold is `configured: false`.',
    tags: ['Organisations'],
    security: [{ CallerToken: [] }],
    request: {
      params: z.object({
        organisationId: z
          .string()
          .regex(ORGANISATION_ID_PATTERN)
          .describe('UKPRN (8) or organisation reference (6)'),
      }),
    },
    responses: {
      '200': { description: 'The status', content: { 'application/json': { schema: status } } },
      '400': {
        description: 'Malformed organisation id',
        content: { 'application/json': { schema: common.errorBody } },
      },
    },
  });
};
