/**
 * The one Powertools Logger of a function. Log request ids, operation names, organisation ids, LRS
 * codes and timings only: never a learner's name, date of birth, postcode or email, never a request or
 * result body, never a secret. `safeFields` is the allow-list every log call in shared/app goes through.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const SERVICE_NAME = 'lrs-gateway';

/** POWERTOOLS_SERVICE_NAME (set per function by the CDK app) wins; SERVICE_NAME is the fallback. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });

/** A function's entry point: each invocation logs with its Lambda context and none of the last one's keys. */
export const withInvocationLogs = <E, R>(handler: (event: E, context: Context) => Promise<R>) =>
  middy<E, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(handler);

/** The only keys shared/app puts in a log line. */
export interface LogFields {
  readonly requestId?: string;
  readonly operation?: string;
  readonly organisationId?: string;
  readonly caller?: string;
  readonly jobId?: string;
  readonly source?: string;
  readonly status?: string;
  readonly outcomeCode?: string;
  readonly outcomeClass?: string;
  readonly errorCode?: string;
  readonly lrsCode?: string;
  readonly reason?: string;
  readonly retryable?: boolean;
  readonly retryAfterSeconds?: number;
  readonly attempts?: number;
  readonly lrsDurationMs?: number;
  readonly totalDurationMs?: number;
  readonly httpStatus?: number;
  readonly messageId?: string;
  readonly replayed?: boolean;
  /** Names of the fields that failed validation (never their values). */
  readonly invalidFields?: readonly string[];
  readonly errorName?: string;
  /** Days left on an organisation's LRS client certificate (the daily certificate check). */
  readonly certificateDaysRemaining?: number;
  /** The type of a job callback event, e.g. job.completed. */
  readonly callbackEvent?: string;
  /** The SQS sender id (IAM principal id) of a queue message. */
  readonly senderId?: string;
  /** A scope a call needed (lrs.read, lrs.write, jobs, admin). */
  readonly scope?: string;
}

const ALLOWED = new Set<keyof LogFields>([
  'requestId',
  'operation',
  'organisationId',
  'caller',
  'jobId',
  'source',
  'status',
  'outcomeCode',
  'outcomeClass',
  'errorCode',
  'lrsCode',
  'reason',
  'retryable',
  'retryAfterSeconds',
  'attempts',
  'lrsDurationMs',
  'totalDurationMs',
  'httpStatus',
  'messageId',
  'replayed',
  'invalidFields',
  'errorName',
  'certificateDaysRemaining',
  'callbackEvent',
  'senderId',
  'scope',
]);

/** Drops anything that is not on the allow-list (a guard against a careless spread of a body). */
export const safeFields = (fields: LogFields): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(fields).filter(([k, v]) => v !== undefined && ALLOWED.has(k as keyof LogFields)),
  );

/** The logging surface the use cases depend on (Powertools in functions, a fake in unit tests). */
export interface AppLog {
  info(message: string, fields: LogFields): void;
  warn(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

export const appLog: AppLog = {
  info: (message, fields) => logger.info(message, safeFields(fields)),
  warn: (message, fields) => logger.warn(message, safeFields(fields)),
  error: (message, fields) => logger.error(message, safeFields(fields)),
};
