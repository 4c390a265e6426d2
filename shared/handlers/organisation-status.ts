/**
 * GET /v1/organisations/{organisationId}/status: is the organisation configured, is it active, whose is
 * its client certificate and how many days are left on it, and what the LRS last said (success, failure
 * code and time). For an operator (scope admin) about any organisation, or for a caller granted it.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { authenticate } from '../app/access.js';
import { daysRemaining } from '../app/certificate-expiry.js';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { type RouteScope, SCOPES } from '../config/scopes.js';
import { ForbiddenError } from '../domain/errors.js';
import { readPathParameter } from '../http/http-input.js';
import { json } from '../http/http-response.js';
import type { AppLog } from '../observability/logger.js';
import type { RegistryReader } from '../ports/registry.js';

export interface OrganisationStatusView {
  readonly organisationId: string;
  readonly configured: boolean;
  readonly status?: 'active' | 'suspended';
  readonly certificate?: {
    readonly subject?: string;
    readonly notAfter?: string;
    readonly daysToExpiry?: number;
  };
  readonly lrs: {
    readonly lastSuccessAt?: string;
    readonly lastFailureAt?: string;
    readonly lastFailureCode?: string;
  };
}

export const organisationStatus = async (
  deps: { readonly registry: RegistryReader; readonly log: AppLog; readonly now?: () => Date },
  event: APIGatewayProxyEvent,
  route: Pick<RouteScope, 'scope' | 'orScope'>,
): Promise<APIGatewayProxyResult> => {
  const caller = await authenticate(deps.registry, event, route);
  const organisationId = readPathParameter(
    event,
    'organisationId',
    ORGANISATION_ID_PATTERN,
    'a UKPRN (8 letters/digits) or an organisation reference (6)',
  );
  if (
    !caller.scopes.includes(SCOPES.admin) &&
    !(await deps.registry.getGrant(caller.callerId, organisationId))
  ) {
    throw new ForbiddenError('The caller may not act for this organisation');
  }
  const [organisation, lrs] = await Promise.all([
    deps.registry.getOrganisation(organisationId),
    deps.registry.getLrsStatus(organisationId),
  ]);
  const now = (deps.now ?? (() => new Date()))();
  const notAfter = organisation?.certificateNotAfter;
  const view: OrganisationStatusView = {
    organisationId,
    configured: organisation !== undefined,
    ...(organisation ? { status: organisation.status } : {}),
    ...(organisation && (organisation.certificateSubject || notAfter)
      ? {
          certificate: {
            ...(organisation.certificateSubject ? { subject: organisation.certificateSubject } : {}),
            ...(notAfter ? { notAfter, daysToExpiry: daysRemaining(new Date(notAfter), now) } : {}),
          },
        }
      : {}),
    lrs: { ...(lrs ?? {}) },
  };
  deps.log.info('Organisation status read', {
    organisationId,
    caller: caller.callerId,
    status: organisation?.status ?? 'unconfigured',
    httpStatus: 200,
  });
  return json(200, view);
};
