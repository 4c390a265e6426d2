// Generated from openapi.json by clients/typescript/generate.ts (`npm run openapi`): do not edit.

import type { paths } from './schema.js';

/** Every operation of the API: its method, route and whether it takes an Idempotency-Key. */
export const OPERATIONS = {
  findLearnerByUln: { method: 'POST', path: '/v1/learners/find-by-uln', idempotencyKey: 'optional' },
  findLearnerByDemographics: { method: 'POST', path: '/v1/learners/find-by-demographics', idempotencyKey: 'optional' },
  verifyLearner: { method: 'POST', path: '/v1/learners/verify', idempotencyKey: 'optional' },
  registerLearner: { method: 'POST', path: '/v1/learners/register', idempotencyKey: 'required' },
  updateLearner: { method: 'POST', path: '/v1/learners/update', idempotencyKey: 'required' },
  submitBatchRegistration: { method: 'POST', path: '/v1/batch-registrations/submit', idempotencyKey: 'required' },
  getBatchRegistrationOutput: { method: 'POST', path: '/v1/batch-registrations/output', idempotencyKey: 'optional' },
  submitVerifyBatch: { method: 'POST', path: '/v1/batch-verifications/submit', idempotencyKey: 'required' },
  getVerifyBatchOutput: { method: 'POST', path: '/v1/batch-verifications/output', idempotencyKey: 'optional' },
  retrieveUlns: { method: 'POST', path: '/v1/learners/retrieve-ulns', idempotencyKey: 'optional' },
  getLearningEvents: { method: 'POST', path: '/v1/learners/learning-events', idempotencyKey: 'optional' },
  getLearnerByUln: { method: 'POST', path: '/v1/learners/r9/by-uln', idempotencyKey: 'optional' },
  updateLearnerSubsetFields: { method: 'POST', path: '/v1/learners/r9/subset-fields', idempotencyKey: 'required' },
  viewAudit: { method: 'POST', path: '/v1/learners/r9/audit', idempotencyKey: 'optional' },
  getOrganisation: { method: 'POST', path: '/v1/organisations/lookup', idempotencyKey: 'optional' },
  submitAchievementBatch: { method: 'POST', path: '/v1/achievement-batches/submit', idempotencyKey: 'required' },
  getAchievementBatch: { method: 'POST', path: '/v1/achievement-batches/output', idempotencyKey: 'optional' },
  getRequest: { method: 'GET', path: '/v1/requests/{requestId}', idempotencyKey: 'none' },
  getOrganisationStatus: { method: 'GET', path: '/v1/organisations/{organisationId}/status', idempotencyKey: 'none' },
  getOpenApiDocument: { method: 'GET', path: '/v1/openapi.json', idempotencyKey: 'none' },
  getReference: { method: 'GET', path: '/v1/docs', idempotencyKey: 'none' },
  getErrorCatalogue: { method: 'GET', path: '/v1/docs/errors', idempotencyKey: 'none' },
  submitJob: { method: 'POST', path: '/v1/jobs', idempotencyKey: 'optional' },
  listJobs: { method: 'GET', path: '/v1/jobs', idempotencyKey: 'none' },
  getJob: { method: 'GET', path: '/v1/jobs/{jobId}', idempotencyKey: 'none' },
  getJobResults: { method: 'GET', path: '/v1/jobs/{jobId}/results', idempotencyKey: 'none' },
  cancelJob: { method: 'POST', path: '/v1/jobs/{jobId}/cancel', idempotencyKey: 'none' },
} as const satisfies Record<string, { method: string; path: keyof paths; idempotencyKey: string }>;

export type OperationId = keyof typeof OPERATIONS;

/** Every outcome name the gateway answers with (switch on `outcome.name`). */
export const OUTCOME_NAMES = ['NO_MATCH', 'TOO_MANY_MATCHES', 'POSSIBLE_MATCHES', 'EXACT_MATCH', 'REGISTERED', 'UPDATED', 'BATCH_SUBMITTED', 'BATCH_INCOMPLETE', 'BATCH_SUCCESSFUL', 'BATCH_FAILED', 'STALE_VERSION', 'INVALID_ABILITY_TO_SHARE_CHANGE', 'INSUFFICIENT_DATA', 'RECORD_COUNT_INCORRECT', 'UNKNOWN_JOB', 'ULN_NOT_FOUND_FOR_UPDATE', 'NO_CHANGES', 'NOT_REGISTERED', 'LINKED_LEARNER', 'REPORT_ULNS_NOT_FOUND', 'REPORT_NO_ULNS', 'INVALID_REQUEST', 'UNKNOWN_REQUEST', 'UNKNOWN_ORGANISATION', 'OUT_OF_HOURS', 'INCORRECT_PASSWORD', 'INSUFFICIENT_ACCESS', 'INVALID_ULN', 'NOT_SHARED', 'NOT_VERIFIED', 'VERIFIED', 'VERIFIED_LINKED', 'SIMILAR_MATCH', 'SIMILAR_LINKED_MATCH', 'DOES_NOT_MATCH', 'ULN_NOT_FOUND', 'GIVEN_NAME_VS_GIVEN_NAME', 'GIVEN_NAME_VS_FAMILY_NAME', 'GIVEN_NAME_VS_PREVIOUS_FAMILY_NAME', 'FAMILY_NAME_VS_GIVEN_NAME', 'FAMILY_NAME_VS_FAMILY_NAME', 'FAMILY_NAME_VS_PREVIOUS_FAMILY_NAME', 'DATE_OF_BIRTH_MISMATCH', 'GENDER_MISMATCH', 'COMPLETED', 'LRS_MAINTENANCE', 'LRS_TIMEOUT', 'LRS_CONNECTION', 'LRS_TLS', 'LRS_HTTP_ERROR', 'LRS_THROTTLED', 'JOB_IN_PROGRESS', 'ACHIEVEMENT_FIELD_DATA_ERROR', 'ACHIEVEMENT_LEARNER_DATA_ERROR', 'ACHIEVEMENT_BUSINESS_RULE_ERROR', 'UNKNOWN_OUTCOME', 'UNKNOWN_CODE'] as const;
export type OutcomeName = (typeof OUTCOME_NAMES)[number];

/** Every error code of the one error envelope (switch on `error.code`). */
export const ERROR_CODES = ['VALIDATION_FAILED', 'BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'UNAUTHENTICATED', 'INVALID_API_KEY', 'FORBIDDEN', 'NOT_FOUND', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED', 'IDEMPOTENCY_KEY_IN_USE', 'CANCELLED', 'JOB_FINISHED', 'IDEMPOTENCY_KEY_REUSED', 'REQUEST_REFUSED', 'REQUEST_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'LRS_REJECTED', 'RATE_LIMITED', 'INTERNAL', 'LRS_OPERATION_NOT_ALLOWED', 'LRS_ACCESS_REFUSED', 'LRS_BAD_EXCHANGE', 'BAD_GATEWAY', 'LRS_UNAVAILABLE', 'GATEWAY_TIMEOUT'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
