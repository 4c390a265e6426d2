/**
 * What the benchmark sends: one valid request per LRS operation (built from the simulator's seeded
 * learners), API Gateway REST proxy (v1) events as the deployed API delivers them, and SQS messages in the
 * queue path's format.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { authorizerContext, restApiEvent } from '../local/api-event.js';
import { ALL_SCOPES } from '../shared/config/scopes.js';
import { OPERATIONS, type OperationId } from '../shared/lrs/contract/operations.js';
import { notableLearner } from '../simulator/seed.js';

/** The seeded organisation every benchmark request acts for (see simulator/README.md). */
export const BENCH_ORGANISATION = 'TEST0001';

const compact = (postcode: string) => postcode.replace(/\s+/g, '');

/** One valid request per operation, as a caller would send it. */
export const sampleRequests = (): Record<OperationId, unknown> => {
  const exact = notableLearner('exact');
  const plr = notableLearner('plrExact');
  const possible = notableLearner('possibleOne');
  const name = { givenName: exact.givenName, familyName: exact.familyName };
  return {
    findLearnerByUln: { findType: 'FUL', uln: exact.uln, ...name },
    findLearnerByDemographics: {
      findType: 'FUL',
      ...name,
      dateOfBirth: exact.dateOfBirth,
      gender: exact.gender,
      lastKnownPostCode: compact(exact.postcode),
    },
    verifyLearner: { uln: exact.uln, ...name, dateOfBirth: exact.dateOfBirth, gender: exact.gender },
    registerLearner: {
      learner: {
        ...name,
        dateOfBirth: exact.dateOfBirth,
        gender: exact.gender,
        lastKnownPostCode: exact.postcode,
        verificationType: '1',
        abilityToShare: '1',
      },
    },
    updateLearner: {
      learner: {
        uln: possible.uln,
        versionNumber: 1,
        givenName: possible.givenName,
        familyName: possible.familyName,
        lastKnownPostCode: possible.postcode,
        dateOfBirth: possible.dateOfBirth,
        gender: possible.gender,
        verificationType: '0',
        abilityToShare: '1',
      },
    },
    submitBatchRegistration: { learners: [{ givenName: 'Min', familyName: 'Imal' }] },
    getBatchRegistrationOutput: { jobId: '1' },
    submitVerifyBatch: { learners: [{ uln: exact.uln, ...name }] },
    getVerifyBatchOutput: { jobId: '1' },
    retrieveUlns: { ulns: [exact.uln] },
    getLearningEvents: {
      uln: plr.uln,
      givenName: plr.givenName,
      familyName: plr.familyName,
      getType: 'FULL',
    },
    getLearnerByUln: { uln: exact.uln, ...name },
    updateLearnerSubsetFields: { uln: exact.uln, versionNumber: 1 },
    viewAudit: { uln: exact.uln, ...name },
    getOrganisation: { organisationRef: 'TST001' },
    submitAchievementBatch: {
      achievements: [
        {
          achievementAwardDate: '2024-07-01',
          action: 0,
          actionDate: '2024-07-01',
          familyName: exact.familyName,
          givenName: exact.givenName,
          providerUkprn: '10030488',
          uln: exact.uln,
          unitOrQualificationReferenceNumber: 'K/501/5773',
        },
      ],
    },
    getAchievementBatch: { jobId: 1 },
  };
};

/** An API Gateway REST proxy event for an operation call by the local caller `apiKeyId` (its caller id). */
export const operationEvent = (op: OperationId, body: unknown, apiKeyId: string): APIGatewayProxyEvent => {
  const def = OPERATIONS[op];
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-LRS-Organisation': BENCH_ORGANISATION,
    ...(def.mutating ? { 'Idempotency-Key': `bench-${randomUUID()}` } : {}),
  };
  return proxyEvent('POST', def.route.path, headers, JSON.stringify(body), apiKeyId, null);
};

/** GET /v1/requests/{requestId}, the requests function's main route. */
export const readRequestEvent = (requestId: string, apiKeyId: string): APIGatewayProxyEvent =>
  proxyEvent(
    'GET',
    `/v1/requests/${requestId}`,
    {},
    null,
    apiKeyId,
    { requestId },
    '/v1/requests/{requestId}',
  );

const proxyEvent = (
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body: string | null,
  apiKeyId: string,
  pathParameters: Record<string, string> | null,
  resource = path,
): APIGatewayProxyEvent =>
  restApiEvent({
    method,
    path,
    resource,
    headers,
    body,
    pathParameters,
    apiId: 'bench',
    stage: 'bench',
    requestPath: `/bench${path}`,
    resourceId: 'bench',
    userAgent: 'lrs-gateway-bench',
    // What the Lambda authorizer hands on for the local caller (every scope).
    authorizer: authorizerContext(apiKeyId, ALL_SCOPES),
  });

/** An SQS message body of the queue path (shared/queue/queue-worker.ts). */
export const queueMessage = (op: OperationId, request: unknown): string =>
  JSON.stringify({
    requestId: `bench-${randomUUID()}`,
    operation: op,
    organisationId: BENCH_ORGANISATION,
    request,
  });
