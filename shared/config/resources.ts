/**
 * Resource definitions shared by the CDK app and the local runtime, so that local queues and tables
 * behave like the deployed ones. Dependency-free: infra/ imports it at synth time.
 */
import { kebab, type OperationId } from '../lrs/contract/operations.js';

/** Lambda timeout of an operation function. The LRS client timeout stays well inside it. */
export const FUNCTION_TIMEOUT_SECONDS = 30;
/** SQS visibility timeout: AWS advises at least 6x the function timeout for SQS event sources. */
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = FUNCTION_TIMEOUT_SECONDS * 6;
/** Receives before a message is parked in its dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** Dead-letter queues keep messages for the SQS maximum: 14 days. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** Records per SQS event delivered to an operation function. */
export const QUEUE_BATCH_SIZE = 10;
/** LRS client timeout. */
export const LRS_TIMEOUT_MS = 20_000;

export const operationQueueName = (stage: string, id: OperationId): string =>
  `lrs-gateway-${stage}-${kebab(id)}`;
export const operationDlqName = (stage: string, id: OperationId): string =>
  `${operationQueueName(stage, id)}-dlq`;
export const tableName = (stage: string): string => `lrs-gateway-${stage}-data`;

/** Function entry of an operation, relative to the repository root. */
export const operationEntry = (id: OperationId): string => `functions/${kebab(id)}/handler.ts`;

/** Functions that are not one LRS operation: request/job reads, bulk jobs, certificate expiry check. */
export const PLATFORM_FUNCTIONS = {
  requests: { entry: 'functions/requests/handler.ts' },
  jobs: { entry: 'functions/jobs/handler.ts' },
  certificateExpiry: { entry: 'functions/certificate-expiry/handler.ts' },
  jobCallbacks: { entry: 'functions/job-callbacks/handler.ts' },
} as const;

/** The queue of job callback deliveries (one message per attempt) and its DLQ. */
export const callbackQueueName = (stage: string): string => `lrs-gateway-${stage}-job-callbacks`;
export const callbackDlqName = (stage: string): string => `${callbackQueueName(stage)}-dlq`;
/** Secrets Manager prefix of the callers' callback signing secrets. */
export const callbackSecretPrefix = (stage: string): string => `lrs-gateway/${stage}/callback/`;
