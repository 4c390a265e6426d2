/**
 * The jobs function (API Gateway proxy events):
 * - POST /v1/jobs: submit a bulk job, JSON `{ operation, items, options? }` or CSV (`text/csv`, columns =
 *   the request's fields, `?operation=…` and batch options in the query string) → 202 with the job id;
 * - GET /v1/jobs/{jobId}: progress (counts by status, by outcome and by error);
 * - GET /v1/jobs/{jobId}/results: per-learner results, a page at a time (`cursor`, `limit`, `status`),
 *   as JSON, JSON lines (`format=jsonl`) or CSV (`format=csv`); the next page's cursor is in the body
 *   (JSON) or the `X-Next-Cursor` header;
 * - GET /v1/jobs: an organisation's jobs, newest first (`organisation`, `status`, `createdAfter`, `limit`,
 *   `cursor`), from the jobs index;
 * - POST /v1/jobs/{jobId}/cancel: cancel the job (items not yet sent are cancelled, those in flight settle);
 * - the scheduled outbox sweep (an EventBridge event): resumes interrupted fan-outs, hands off callbacks.
 * Callers (scope `jobs`) may only submit for organisations the registry grants them, checked before the
 * body is read, and see (list, read, cancel) only their own jobs (or, with a readAll grant, the
 * organisation's); anyone else's job does not exist for them (404).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { authenticate, authorizeOrganisation, mayRead } from '../app/access.js';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { SCOPES } from '../config/scopes.js';
import { type FieldIssue, NotFoundError, ValidationError } from '../domain/errors.js';
import { readCallHeaders, readOrganisationHeader, readPathParameter } from '../http/http-input.js';
import { json, UnsupportedMediaTypeError } from '../http/http-response.js';
import { cancelJob } from '../jobs/cancel.js';
import { CsvError, csvToItems, elementOf, toCsv } from '../jobs/csv.js';
import { JOB_ID_PATTERN } from '../jobs/ids.js';
import { sweepOutbox } from '../jobs/job-events.js';
import { isLrsBatchOperation, LRS_BATCH_OPERATIONS } from '../jobs/lrs-batch.js';
import {
  DEFAULT_LIST_SIZE,
  DEFAULT_PAGE_SIZE,
  decodeListCursor,
  encodeListCursor,
  jobSummary,
  MAX_LIST_SIZE,
  MAX_PAGE_SIZE,
  readJob,
  readResults,
  resultsCsvColumns,
} from '../jobs/read-job.js';
import { jobSubmissionSchema, LISTED_INVALID_ITEMS, resumeFanOut, submitJob } from '../jobs/submit-job.js';
import { toFieldIssues } from '../lrs/contract/field-issues.js';
import { OPERATION_IDS, type OperationId } from '../lrs/contract/operations.js';
import { requestSchemas } from '../lrs/contract/schemas.js';
import { withInvocationLogs } from '../observability/logger.js';
import type { JobItemStatus, JobRecord, JobStatus } from '../ports/jobs-store.js';
import { createJobsDependencies, type JobsDependencies } from '../wiring/jobs-dependencies.js';
import { httpChain } from './operation-handler.js';

export const JOBS_PATH = '/v1/jobs';

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
      ...(out.job.callbackUrl ? { callbackUrl: out.job.callbackUrl } : {}),
      created: out.created,
      links: { self: location, results: `${location}/results` },
    },
    { Location: location },
  );
};

/** The job, if the caller may see it; anyone else gets NotFound (ids cannot be probed). */
const visibleJob = async (deps: JobsDependencies, event: APIGatewayProxyEvent): Promise<JobRecord> => {
  const caller = await authenticate(deps.registry, event, { scope: SCOPES.jobs });
  const jobId = readPathParameter(event, 'jobId', JOB_ID_PATTERN, 'a job id as returned by POST /v1/jobs');
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
  const view = await readJob(deps.jobs, job, (deps.now ?? (() => new Date()))(), deps.events.finishIfDone);
  return json(200, view);
};

const postCancel = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const job = await visibleJob(deps, event);
  const after = await cancelJob(deps, job);
  const view = await readJob(deps.jobs, after, (deps.now ?? (() => new Date()))(), deps.events.finishIfDone);
  return json(200, view);
};

/** `query.limit`: a whole number from 1 to `max` (default `fallback`); a bad one is noted in `issues`. */
const readLimit = (text: string | undefined, fallback: number, max: number, issues: FieldIssue[]): number => {
  const limit = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    issues.push({
      field: 'query.limit',
      rule: 'max',
      message: `query.limit must be a whole number from 1 to ${max} (rule: max)`,
    });
  }
  return limit;
};

const JOB_STATUSES: readonly JobStatus[] = ['RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED'];

const listJobs = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const allowed = await authenticate(deps.registry, event, { scope: SCOPES.jobs });
  const q = event.queryStringParameters ?? {};
  const issues: FieldIssue[] = [];
  const organisationId = q.organisation ?? header(event, 'x-lrs-organisation');
  if (!organisationId || !ORGANISATION_ID_PATTERN.test(organisationId)) {
    issues.push({
      field: 'query.organisation',
      rule: 'pattern',
      message:
        'query.organisation (or the X-LRS-Organisation header) must be a UKPRN (8 letters/digits) or an LRS organisation reference (6) (rule: pattern)',
    });
  }
  const status = q.status as JobStatus | undefined;
  if (status !== undefined && !JOB_STATUSES.includes(status)) {
    issues.push({
      field: 'query.status',
      rule: 'enum',
      message: `query.status must be one of ${JOB_STATUSES.join(', ')} (rule: enum)`,
    });
  }
  let createdAfter: string | undefined;
  if (q.createdAfter !== undefined) {
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(q.createdAfter)
      ? Date.parse(q.createdAfter)
      : Number.NaN;
    if (Number.isNaN(t)) {
      issues.push({
        field: 'query.createdAfter',
        rule: 'datetime',
        message:
          'query.createdAfter must be an ISO 8601 date and time with a zone, e.g. 2026-09-01T00:00:00Z (rule: datetime)',
      });
    } else createdAfter = new Date(t).toISOString();
  }
  const limit = readLimit(q.limit, DEFAULT_LIST_SIZE, MAX_LIST_SIZE, issues);
  let after: { createdAt: string; jobId: string } | undefined;
  try {
    if (q.cursor !== undefined) after = decodeListCursor(q.cursor);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !organisationId) throw new ValidationError(issues);
  const access = await authorizeOrganisation(deps.registry, allowed, organisationId);
  const caller = access.callerId;
  const page = await deps.jobs.listJobs({
    organisationId,
    // Without a readAll grant a caller sees only the jobs it submitted.
    ...(access.readAll ? {} : { caller }),
    limit,
    ...(status ? { status } : {}),
    ...(createdAfter ? { createdAfter } : {}),
    ...(after ? { after } : {}),
  });
  deps.log.info('Jobs listed', { organisationId, caller, httpStatus: 200 });
  return json(200, {
    organisationId,
    jobs: page.jobs.map(jobSummary),
    ...(page.next ? { nextCursor: encodeListCursor(page.next) } : {}),
  });
};

const STATUSES: readonly JobItemStatus[] = ['PENDING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const FORMATS = ['json', 'jsonl', 'csv'] as const;

const getResults = async (
  deps: JobsDependencies,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> => {
  const job = await visibleJob(deps, event);
  const q = event.queryStringParameters ?? {};
  const issues: FieldIssue[] = [];
  const limit = readLimit(q.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, issues);
  const status = q.status as JobItemStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) {
    issues.push({
      field: 'query.status',
      rule: 'enum',
      message: 'query.status must be PENDING, COMPLETED, FAILED or CANCELLED (rule: enum)',
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
  if (event.httpMethod === 'GET' && resource === JOBS_PATH) return listJobs(deps, event);
  if (event.httpMethod === 'POST' && resource === `${JOBS_PATH}/{jobId}/cancel`)
    return postCancel(deps, event);
  if (event.httpMethod === 'GET' && resource === `${JOBS_PATH}/{jobId}`) return getJob(deps, event);
  if (event.httpMethod === 'GET' && resource === `${JOBS_PATH}/{jobId}/results`)
    return getResults(deps, event);
  return Promise.reject(new NotFoundError('No such route'));
};

/** The EventBridge schedule that runs the outbox sweep. */
export const isScheduledEvent = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  (event as { source?: unknown }).source === 'aws.events' &&
  (event as { 'detail-type'?: unknown })['detail-type'] === 'Scheduled Event';

/** One outbox sweep with the jobs function's dependencies. */
export const sweep = (deps: JobsDependencies) =>
  sweepOutbox({
    jobs: deps.jobs,
    events: deps.events,
    resumeFanOut: (job) => resumeFanOut(deps, job).then(() => undefined),
    log: deps.log,
    ...(deps.now ? { now: deps.now } : {}),
  });

export const createJobsHandler = (
  deps?: JobsDependencies,
): ((event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>) => {
  const d: JobsDependencies = deps ?? createJobsDependencies();
  const http = httpChain(undefined, d, (event) => route(d, event), { parseJsonBody: false });
  return withInvocationLogs<APIGatewayProxyEvent, APIGatewayProxyResult>(async (event, context) => {
    if (isScheduledEvent(event)) {
      const out = await sweep(d);
      d.log.info('Outbox swept', { attempts: out.handled, status: out.failed > 0 ? 'PARTIAL' : 'OK' });
      return { statusCode: 200, body: JSON.stringify(out) };
    }
    return http(event, context);
  });
};
