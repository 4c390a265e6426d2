/**
 * The jobs function (API Gateway proxy events):
 * - POST /v1/jobs: submit a bulk job, JSON `{ operation, items, options? }` or CSV (`text/csv`, columns =
 *   the request's fields, `?operation=…` and batch options in the query string) → 202 with the job id;
 * - GET /v1/jobs/{jobId}: progress (counts by status, by outcome and by error);
 * - GET /v1/jobs/{jobId}/results: per-learner results, a page at a time (`cursor`, `limit`, `status`),
 *   as JSON, JSON lines (`format=jsonl`) or CSV (`format=csv`); the next page's cursor is in the body
 *   (JSON) or the `X-Next-Cursor` header.
 * Callers (scope `jobs`) may only submit for organisations the registry grants them, checked before the
 * body is read, and see only their own jobs (or, with a readAll grant, the organisation's); anyone
 * else's job does not exist for them (404).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbJobsStore } from '../adapters/dynamodb-jobs-store.js';
import { DynamoDbResultsStore } from '../adapters/dynamodb-results-store.js';
import { authenticate, authorizeOrganisation, mayRead } from '../app/access.js';
import { createRegistryReader } from '../app/dependencies.js';
import { readCallHeaders, readOrganisationHeader } from '../app/http-input.js';
import { json, UnsupportedMediaTypeError } from '../app/http-response.js';
import { httpChain } from '../app/operation-handler.js';
import { loadRuntimeConfig } from '../config/runtime.js';
import { SCOPES } from '../config/scopes.js';
import { ConfigurationError, NotFoundError, ValidationError } from '../domain/errors.js';
import { OPERATION_IDS, type OperationId } from '../lrs/operations.js';
import { requestSchemas, toFieldIssues, validateRequest } from '../lrs/schemas.js';
import { type AppLog, appLog, logger } from '../observability/logger.js';
import type { JobItemStatus, JobRecord, JobsStore } from '../ports/jobs-store.js';
import type { RegistryReader } from '../ports/registry.js';
import type { ResultsStore } from '../ports/results-store.js';
import { CsvError, csvToItems, elementOf, toCsv } from './csv.js';
import { JOB_ID_PATTERN } from './ids.js';
import { isLrsBatchOperation, LRS_BATCH_OPERATIONS } from './lrs-batch.js';
import { inParallel } from './parallel.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, readJob, readResults, resultsCsvColumns } from './read-job.js';
import {
  jobSubmissionSchema,
  LISTED_INVALID_ITEMS,
  type SubmitDependencies,
  submitJob,
} from './submit-job.js';

export const JOBS_PATH = '/v1/jobs';

export interface JobsDependencies extends SubmitDependencies {
  readonly results: Pick<ResultsStore, 'get'>;
  readonly registry: RegistryReader;
  readonly log: AppLog;
}

const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  for (const [k, v] of Object.entries(event.headers ?? {}))
    if (k.toLowerCase() === name) return v ?? undefined;
  return undefined;
};

const bodyText = (event: APIGatewayProxyEvent): string =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');

/** The submission, from a JSON body or a CSV body plus query parameters. */
export const readSubmission = (event: APIGatewayProxyEvent) => {
  const type = (header(event, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  let input: unknown;
  if (type === 'application/json') {
    try {
      input = JSON.parse(bodyText(event));
    } catch {
      throw new ValidationError([
        { field: 'body', rule: 'json', message: 'body must be a well-formed JSON document (rule: json)' },
      ]);
    }
  } else if (type === 'text/csv') {
    const query = event.queryStringParameters ?? {};
    const { operation, ...options } = query;
    if (!operation || !(OPERATION_IDS as readonly string[]).includes(operation)) {
      throw new ValidationError([
        {
          field: 'query.operation',
          rule: 'enum',
          message:
            'query.operation must name the LRS operation of a CSV job, e.g. verifyLearner (rule: enum)',
        },
      ]);
    }
    const op = operation as OperationId;
    const itemSchema = isLrsBatchOperation(op)
      ? elementOf(requestSchemas[op], LRS_BATCH_OPERATIONS[op].itemsField)
      : requestSchemas[op];
    let items: Record<string, unknown>[];
    try {
      items = csvToItems(bodyText(event), itemSchema ?? requestSchemas[op]);
    } catch (e) {
      if (e instanceof CsvError) throw new ValidationError(e.issues);
      throw e;
    }
    input = {
      operation: op,
      items,
      ...(Object.keys(options).length > 0 ? { options } : {}),
    };
  } else {
    throw new UnsupportedMediaTypeError();
  }
  const parsed = jobSubmissionSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error, input));
  return parsed.data;
};

const postJob = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  // Access first: no body is read for a caller that may not submit for the organisation.
  const allowed = await authenticate(deps.registry, event, { scope: SCOPES.jobs });
  const organisation = readOrganisationHeader(event.headers);
  if (!organisation.organisationId) throw new ValidationError(organisation.issues);
  const caller = (await authorizeOrganisation(deps.registry, allowed, organisation.organisationId)).callerId;
  const headers = readCallHeaders(event.headers, { idempotencyKeyRequired: false });
  const issues = [...headers.issues];
  let submission: ReturnType<typeof readSubmission> | undefined;
  try {
    submission = readSubmission(event);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !headers.value || !submission) throw new ValidationError(issues);
  const { organisationId, userName, idempotencyKey } = headers.value;
  const out = await submitJob(deps, {
    submission,
    organisationId,
    caller,
    ...(userName ? { userName } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  const location = `${JOBS_PATH}/${out.job.jobId}`;
  return json(
    202,
    {
      jobId: out.job.jobId,
      kind: out.job.kind,
      operation: out.job.operation,
      organisationId,
      status: out.job.status,
      total: out.job.total,
      accepted: out.job.total - out.job.invalid,
      invalid: out.job.invalid,
      invalidItems: out.invalidItems.slice(0, LISTED_INVALID_ITEMS),
      ...(out.job.batches !== undefined ? { batches: out.job.batches } : {}),
      created: out.created,
      links: { self: location, results: `${location}/results` },
    },
    { Location: location },
  );
};

/** The job, if the caller may see it; anyone else gets NotFound (ids cannot be probed). */
const visibleJob = async (deps: JobsDependencies, event: APIGatewayProxyEvent): Promise<JobRecord> => {
  const caller = await authenticate(deps.registry, event, { scope: SCOPES.jobs });
  const jobId = event.pathParameters?.jobId ?? '';
  if (!JOB_ID_PATTERN.test(jobId)) {
    throw new ValidationError([
      {
        field: 'path.jobId',
        rule: 'pattern',
        message: 'path.jobId must be a job id as returned by POST /v1/jobs (rule: pattern)',
      },
    ]);
  }
  const job = await deps.jobs.getJob(jobId);
  if (!job || !(await mayRead(deps.registry, caller, job))) {
    deps.log.info('Job not found for caller', { jobId, caller: caller.callerId, httpStatus: 404 });
    throw new NotFoundError('No job with this id');
  }
  return job;
};

const getJob = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const job = await visibleJob(deps, event);
  const view = await readJob(deps.jobs, job, (deps.now ?? (() => new Date()))());
  return json(200, view);
};

const STATUSES: readonly JobItemStatus[] = ['PENDING', 'COMPLETED', 'FAILED'];
const FORMATS = ['json', 'jsonl', 'csv'] as const;

const getResults = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const job = await visibleJob(deps, event);
  const q = event.queryStringParameters ?? {};
  const issues = [];
  const limit = q.limit === undefined ? DEFAULT_PAGE_SIZE : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    issues.push({
      field: 'query.limit',
      rule: 'max',
      message: `query.limit must be a whole number from 1 to ${MAX_PAGE_SIZE} (rule: max)`,
    });
  }
  const status = q.status as JobItemStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) {
    issues.push({
      field: 'query.status',
      rule: 'enum',
      message: 'query.status must be PENDING, COMPLETED or FAILED (rule: enum)',
    });
  }
  const format = (q.format ?? 'json') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    issues.push({
      field: 'query.format',
      rule: 'enum',
      message: 'query.format must be json, jsonl or csv (rule: enum)',
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const page = await readResults(deps, job, {
    limit,
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(status ? { status } : {}),
  });
  deps.log.info('Job results read', { jobId: job.jobId, operation: job.operation, httpStatus: 200 });
  if (format === 'json') return json(200, page);
  const next: Record<string, string> = page.nextCursor ? { 'X-Next-Cursor': page.nextCursor } : {};
  const file = `${job.jobId}-results`;
  const body =
    format === 'csv'
      ? toCsv(resultsCsvColumns(job.operation), page.items)
      : page.items.map((i) => JSON.stringify(i)).join('\n') + (page.items.length > 0 ? '\n' : '');
  return {
    statusCode: 200,
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...next,
    },
    body,
  };
};

const route = (deps: JobsDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const resource = event.resource ?? '';
  if (event.httpMethod === 'POST' && resource === JOBS_PATH) return postJob(deps, event);
  if (event.httpMethod === 'GET' && resource === `${JOBS_PATH}/{jobId}`) return getJob(deps, event);
  if (event.httpMethod === 'GET' && resource === `${JOBS_PATH}/{jobId}/results`)
    return getResults(deps, event);
  return Promise.reject(new NotFoundError('No such route'));
};

/** Sends message bodies to an operation's queue in batches of 10, retrying entries SQS did not take. */
export const queueSender =
  (sqs: SQSClient, queueUrls: Readonly<Partial<Record<OperationId, string>>>) =>
  async (op: OperationId, bodies: readonly string[]): Promise<void> => {
    const url = queueUrls[op];
    if (!url) throw new ConfigurationError(`The jobs function does not know the queue URL of ${op}`);
    const chunks: string[][] = [];
    for (let i = 0; i < bodies.length; i += 10) chunks.push(bodies.slice(i, i + 10));
    await inParallel(chunks, 16, async (chunk) => {
      let entries = chunk.map((body, i) => ({ Id: String(i), MessageBody: body }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
        if (entries.length > 0 && attempt >= 4) {
          throw new Error(`SQS did not take ${entries.length} message(s) for ${op}`);
        }
      }
    });
  };

export const createJobsHandler = (
  deps?: JobsDependencies,
): ((event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>) => {
  const d: JobsDependencies =
    deps ??
    (() => {
      const config = loadRuntimeConfig();
      const dynamo = new DynamoDBClient({});
      const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
      const jobs: JobsStore = new DynamoDbJobsStore({ tableName: config.tableName, client: dynamo });
      return {
        jobs,
        results: new DynamoDbResultsStore({ tableName: config.tableName, client: dynamo }),
        send: queueSender(sqs, config.operationQueueUrls),
        validate: validateRequest,
        registry: createRegistryReader(config, dynamo).reader,
        dataTtlDays: config.dataTtlDays,
        log: appLog,
      };
    })();
  const http = httpChain(undefined, d, (event) => route(d, event), { parseJsonBody: false });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event, context) => http(event, context));
};
