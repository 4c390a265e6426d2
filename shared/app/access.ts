/**
 * Who is calling and for which organisation they may act. The caller is the API Gateway API key id
 * (or the IAM principal ARN when the route uses IAM auth); CALLER_ACCESS lists the organisations each
 * caller may act for (`*` = any).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CallerAccess } from '../config/runtime.js';
import { ForbiddenError } from '../domain/errors.js';

export const callerIdentity = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined => {
  const identity = event.requestContext?.identity;
  const id = identity?.apiKeyId || identity?.userArn || undefined;
  return id ?? undefined;
};

export const mayActFor = (access: CallerAccess, caller: string, organisationId: string): boolean => {
  const allowed = access[caller];
  return allowed !== undefined && (allowed.includes('*') || allowed.includes(organisationId));
};

/** Throws ForbiddenError unless `caller` may act for `organisationId`. The message names neither. */
export const assertMayActFor = (
  access: CallerAccess,
  caller: string | undefined,
  organisationId: string,
): string => {
  if (!caller) throw new ForbiddenError('The request carries no caller identity (API key or IAM principal)');
  if (!mayActFor(access, caller, organisationId)) {
    throw new ForbiddenError('The caller may not act for this organisation');
  }
  return caller;
};
