/**
 * The bulk jobs routes in the OpenAPI document (listed in shared/api/extra-routes.ts).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { HEADERS, IDEMPOTENCY_KEY_PATTERN } from '../http/http-input.js';
import { EVENT_ID_HEADER, MAX_CALLBACK_URL_LENGTH, SIGNATURE_HEADER } from '../jobs/callbacks.js';
import { JOB_ID_PATTERN } from '../jobs/ids.js';
import { DEFAULT_LIST_SIZE, DEFAULT_PAGE_SIZE, MAX_LIST_SIZE, MAX_PAGE_SIZE } from '../jobs/read-job.js';
import { MAX_JOB_ITEMS, MIS_IDENTIFIER_MAX_LENGTH } from '../jobs/submit-job.js';
import { USER_NAME_PATTERN } from '../lrs/contract/fields.js';
import { OPERATION_IDS } from '../lrs/contract/operations.js';
import { type CommonSchemas, errorResponse, json } from './common.js';

const JOB_STATUS = ['RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED'] as const;
const ITEM_STATUS = ['PENDING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;

const API_KEY = [{ ApiKey: [] }];

export const registerJobsRoutes = (registry: OpenAPIRegistry, common: CommonSchemas): void => {
  const operation = z.enum(OPERATION_IDS);
  const submission = registry.register(
    'JobSubmission',
    z
      .object({
        operation: operation.describe('The LRS operation to run for every item'),
        items: z
          .array(z.object({}).loose())
          .min(1)
          .max(MAX_JOB_ITEMS)
          .describe(
            "1-10,000 items, each the operation's JSON request (see <Operation>Request). For the LRS batch " +
              'operations (submitBatchRegistration, submitVerifyBatch, submitAchievementBatch) each item is one ' +
              'learner (or achievement); the gateway sends them in batches of at most 200. Every item of every ' +
              `operation may carry \`misIdentifier\` (the caller's own key, up to ${MIS_IDENTIFIER_MAX_LENGTH} ` +
              'characters: the LRS MIS identifier rule), echoed on its result; the LRS batch operations also send ' +
              'it to the LRS.',
          ),
        options: z
          .object({})
          .loose()
          .optional()
          .describe(
            'LRS batch operations only: jobType (registration), orgEmail (verification), emailAddress and submissionType (achievements)',
          ),
        callbackUrl: z
          .string()
          .max(MAX_CALLBACK_URL_LENGTH)
          .optional()
          .describe(
            'https URL to a public host, POSTed (signed, see the jobCallback webhook) when the job completes, is ' +
              'cancelled or gets its first dead-lettered item; the caller needs a callback signing secret',
          ),
      })
      .describe('A bulk job'),
  );
  const invalidItem = z.object({
    index: z.number().int().describe('Position of the item in `items` (or data row in the CSV), from 0'),
    issues: z.array(common.fieldIssue).describe('Every invalid field, e.g. items[12].uln / ulnCheckDigit'),
  });
  const accepted = registry.register(
    'JobAccepted',
    z
      .object({
        jobId: z.string().regex(JOB_ID_PATTERN),
        kind: z.enum(['requests', 'lrs-batch']),
        operation,
        organisationId: z.string(),
        status: z.enum(JOB_STATUS),
        total: z.number().int(),
        accepted: z.number().int().describe('Items queued for the LRS'),
        invalid: z.number().int().describe('Items refused by validation: recorded FAILED, never sent'),
        invalidItems: z.array(invalidItem).describe('The first 100 invalid items'),
        batches: z.number().int().optional().describe('LRS batches (at most 200 learners each)'),
        callbackUrl: z.string().optional(),
        created: z
          .boolean()
          .describe('False when an earlier submission with this Idempotency-Key created the job'),
        links: z.object({ self: z.string(), results: z.string() }),
      })
      .describe('The job was accepted; follow it with GET /v1/jobs/{jobId}'),
  );
  const count = z.record(z.string(), z.number().int());
  const counts = z.object({
    pending: z.number().int(),
    completed: z.number().int().describe('The LRS answered (any outcome)'),
    failed: z.number().int().describe('No usable answer: invalid item, LRS refusal, gave up'),
    cancelled: z.number().int().describe('Stopped by a cancellation before they were sent to the LRS'),
    deadLettered: z
      .number()
      .int()
      .describe('Of the pending items: those in a dead-letter queue; redrive them to finish the job'),
  });
  const attempt = z.object({
    at: z.string().describe('When the attempt was made'),
    statusCode: z.number().int().optional().describe("The receiver's HTTP status"),
    error: z.string().optional().describe('Why there was no HTTP status (timeout, refused connection...)'),
    durationMs: z.number().int(),
    nextAttemptAt: z
      .string()
      .optional()
      .describe('When the next attempt is due (absent once delivered or given up)'),
  });
  const jobFields = z.object({
    jobId: z.string(),
    kind: z.enum(['requests', 'lrs-batch']),
    operation,
    organisationId: z.string(),
    status: z
      .enum(JOB_STATUS)
      .describe(
        'COMPLETED once no item is pending; CANCELLING after a cancel while items in flight settle, then CANCELLED',
      ),
    total: z.number().int(),
    counts,
    progress: z
      .object({
        percent: z.number().describe('Settled items as a share of all items, 0-100'),
        itemsPerMinute: z.number().optional().describe('The pace observed since the job was queued'),
        etaSeconds: z.number().int().optional().describe('At that pace, seconds until the last item settles'),
        estimatedCompletionAt: z.string().optional(),
      })
      .describe('Progress and an estimate of the time left, from the observed rate'),
    waiting: z
      .object({
        reason: z
          .string()
          .describe(
            'Most common reason: OUT_OF_HOURS, MAINTENANCE, TIMEOUT, CONNECTION, HTTP_ERROR, RATE_LIMITED…',
          ),
        since: z.string().describe('When the earliest waiting item started waiting'),
        nextAttemptAt: z.string().describe('The earliest next LRS attempt due'),
        items: z.number().int().describe('Pending items waiting for the LRS'),
      })
      .optional()
      .describe('Present while pending items wait for the LRS; they resume by themselves, nothing to do'),
    outcomes: count.describe('Settled items by LRS outcome code, e.g. { "WSVRC001": 990 }'),
    errors: count.describe('Failed items by error code, e.g. { "VALIDATION_FAILED": 3 }'),
    invalid: z.number().int(),
    batches: z.number().int().optional(),
    createdAt: z.string(),
    queuedAt: z
      .string()
      .optional()
      .describe('Every message of the job is on its queue (absent while an interrupted fan-out resumes)'),
    cancelRequestedAt: z.string().optional(),
    completedAt: z.string().optional().describe('When the job completed or was cancelled'),
    expiresAt: z.string().describe('When the job and its results are deleted (TTL)'),
    callback: z
      .object({
        url: z.string(),
        deliveries: z.array(
          z.object({
            eventId: z.string(),
            event: z.enum(['job.completed', 'job.cancelled', 'job.items_dead_lettered']),
            state: z.enum(['PENDING', 'DELIVERED', 'FAILED']),
            createdAt: z.string(),
            deliveredAt: z.string().optional(),
            attempts: z.array(attempt),
          }),
        ),
      })
      .optional()
      .describe('Jobs with a callbackUrl: each event and every delivery attempt'),
  });
  const jobView = registry.register('Job', jobFields.describe('Progress of a bulk job'));
  const resultItem = z.object({
    index: z.number().int(),
    status: z.enum(ITEM_STATUS),
    requestId: z
      .string()
      .optional()
      .describe('The gateway request of the item (GET /v1/requests/{requestId})'),
    misIdentifier: z.string().optional().describe("The item's misIdentifier, as submitted"),
    outcome: common.outcome.optional(),
    result: z
      .object({})
      .loose()
      .optional()
      .describe("The operation's typed result (or the learner's LRS batch row)"),
    error: common.failure.optional(),
    settledAt: z.string().optional(),
    deadLetteredAt: z.string().optional().describe('Pending items only: when its message went to the DLQ'),
  });
  const page = registry.register(
    'JobResultsPage',
    z
      .object({
        jobId: z.string(),
        operation,
        items: z.array(resultItem),
        nextCursor: z
          .string()
          .optional()
          .describe('Pass as `cursor` for the next page; absent on the last page'),
      })
      .describe('A page of per-learner results'),
  );
  const jobIdParam = z.object({ jobId: z.string().regex(JOB_ID_PATTERN).describe('The job id') });
  const notFound = errorResponse(common, 404, 'No such job (or not visible to this caller)');
  type Route = Omit<Parameters<OpenAPIRegistry['registerPath']>[0], 'tags' | 'security'>;
  /** A route of the jobs API: tagged Jobs, behind the caller's token. */
  const jobsRoute = (route: Route) => registry.registerPath({ ...route, tags: ['Jobs'], security: API_KEY });
  /** A route of one job: its id in the path, 400 for a malformed id and 404 for an unknown job. */
  const jobRoute = (route: Route) =>
    jobsRoute({
      ...route,
      request: { params: jobIdParam, ...route.request },
      responses: {
        '400': errorResponse(common, 400, 'Malformed job id'),
        '404': notFound,
        ...route.responses,
      },
    });

  jobsRoute({
    method: 'post',
    path: '/v1/jobs',
    operationId: 'submitJob',
    summary: 'Submit a bulk job of up to 10,000 learners for one operation',
    description:
      'Answers 202 at once; the items go through the operation queue at the LRS concurrency limit. Invalid items ' +
      'are recorded as FAILED with their index, field and rule and the rest run; a job with no valid item is a 400. ' +
      'Send JSON, or CSV (text/csv: a header row of field names, dotted for nested fields, one row per item; put ' +
      '`operation` and batch options in the query string). Jobs of operations that change the LRS need an ' +
      'Idempotency-Key; the same key and body again returns the same job and re-queues its pending work.',
    request: {
      headers: z.object({
        [HEADERS.organisation]: z
          .string()
          .regex(ORGANISATION_ID_PATTERN)
          .describe('The organisation to act for'),
        [HEADERS.userName]: z.string().regex(USER_NAME_PATTERN).optional(),
        [HEADERS.idempotencyKey]: z
          .string()
          .regex(IDEMPOTENCY_KEY_PATTERN)
          .optional()
          .describe('Required when the operation changes the LRS'),
      }),
      query: z.object({
        operation: operation.optional().describe('CSV bodies only: the operation'),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: submission },
          'text/csv': { schema: z.string().describe('Header row of field names, then one row per item') },
        },
      },
    },
    responses: {
      '202': {
        description: 'Accepted',
        headers: { Location: { description: 'The job', schema: { type: 'string' } } },
        ...json(accepted),
      },
      '400': errorResponse(common, 400, 'Invalid headers, envelope or options, or no valid item'),
      '403': errorResponse(common, 403, 'The caller may not act for the organisation'),
      '409': errorResponse(common, 409, 'The Idempotency-Key was used for another job', [
        'IDEMPOTENCY_KEY_REUSED',
      ]),
      '415': errorResponse(common, 415, 'The body is neither JSON nor CSV'),
    },
  });
  jobRoute({
    method: 'get',
    path: '/v1/jobs/{jobId}',
    operationId: 'getJob',
    summary: 'Progress of a bulk job: counts by status, by outcome and by error',
    responses: {
      '200': { description: 'The job', ...json(jobView) },
    },
  });
  jobRoute({
    method: 'get',
    path: '/v1/jobs/{jobId}/results',
    operationId: 'getJobResults',
    summary: 'Per-learner results of a bulk job, a page at a time (JSON, JSON lines or CSV)',
    description:
      'Items in index order. Follow `nextCursor` (JSON) or the X-Next-Cursor header (jsonl, csv) until it is ' +
      'absent. CSV columns: index, status, requestId, misIdentifier, outcome and error fields, then the ' +
      'result fields flattened with dots (lists joined with |).',
    request: {
      query: z.object({
        cursor: z.string().optional().describe('nextCursor of the previous page'),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .max(MAX_PAGE_SIZE)
          .optional()
          .describe(`Items per page (default ${DEFAULT_PAGE_SIZE})`),
        status: z.enum(ITEM_STATUS).optional().describe('Only items with this status'),
        format: z.enum(['json', 'jsonl', 'csv']).optional().describe('Default json'),
      }),
    },
    responses: {
      '200': {
        description: 'A page of results',
        headers: {
          'X-Next-Cursor': {
            description: 'jsonl/csv: the cursor of the next page',
            schema: { type: 'string' },
          },
        },
        content: {
          'application/json': { schema: page },
          'application/x-ndjson': { schema: z.string().describe('One result item (JSON) per line') },
          'text/csv': { schema: z.string().describe('Header row, then one row per item') },
        },
      },
      '400': errorResponse(common, 400, 'Invalid cursor, limit, status or format'),
    },
  });
  const summary = registry.register(
    'JobSummary',
    jobFields
      .pick({
        jobId: true,
        kind: true,
        operation: true,
        organisationId: true,
        status: true,
        total: true,
        invalid: true,
        createdAt: true,
        completedAt: true,
      })
      .extend({
        callbackUrl: z.string().optional(),
        links: z.object({ self: z.string(), results: z.string() }),
      })
      .describe('A job in a list (GET /v1/jobs/{jobId} has its counts)'),
  );
  jobsRoute({
    method: 'get',
    path: '/v1/jobs',
    operationId: 'listJobs',
    summary: "An organisation's jobs, newest first, a page at a time",
    description:
      'Filter by status and creation time; follow `nextCursor` (with the same filters) until it is absent. ' +
      'The organisation is the `organisation` query parameter or the X-LRS-Organisation header.',
    request: {
      query: z.object({
        organisation: z
          .string()
          .regex(ORGANISATION_ID_PATTERN)
          .optional()
          .describe('Default: X-LRS-Organisation'),
        status: z.enum(JOB_STATUS).optional(),
        createdAfter: z
          .string()
          .optional()
          .describe('ISO 8601 date and time with a zone: only jobs created after it'),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .max(MAX_LIST_SIZE)
          .optional()
          .describe(`Jobs per page (default ${DEFAULT_LIST_SIZE})`),
        cursor: z.string().optional().describe('nextCursor of the previous page'),
      }),
    },
    responses: {
      '200': {
        description: 'A page of jobs',
        ...json(
          registry.register(
            'JobList',
            z.object({
              organisationId: z.string(),
              jobs: z.array(summary),
              nextCursor: z.string().optional().describe('Absent on the last page'),
            }),
          ),
        ),
      },
      '400': errorResponse(common, 400, 'Invalid organisation, status, createdAfter, limit or cursor'),
      '403': errorResponse(common, 403, 'The caller may not act for the organisation'),
    },
  });
  jobRoute({
    method: 'post',
    path: '/v1/jobs/{jobId}/cancel',
    operationId: 'cancelJob',
    summary: 'Cancel a job: items not yet sent are cancelled, those in flight settle',
    description:
      'The job turns CANCELLING; each item still waiting for its turn (or for the LRS to be back) is settled ' +
      'CANCELLED without an LRS call, items already at the LRS settle as usual (a learner the LRS may have registered is never reported as ' +
      'cancelled). When the last item has settled the job is CANCELLED and its callback is sent. Cancelling a ' +
      'cancelled job answers the same; a COMPLETED job is a 409. Send `{}` or no body.',
    responses: {
      '200': { description: 'The job after the cancellation', ...json(jobView) },
      '409': errorResponse(common, 409, 'The job has completed already', ['JOB_FINISHED']),
    },
  });
  registry.registerWebhook({
    method: 'post',
    path: 'jobCallback',
    operationId: 'jobCallback',
    summary: "What the gateway POSTs to a job's callbackUrl",
    description:
      `Signed like Stripe's webhooks: header \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of ` +
      '"<t>.<raw body>" with your signing secret>`. Recompute the HMAC over the raw body, compare in constant ' +
      'time, and reject a timestamp more than 5 minutes away from your clock. Answer 2xx within 10 seconds; ' +
      'anything else (including a redirect, which is not followed) is retried with exponential backoff (30 s ' +
      'doubling, at most an hour apart) for 24 hours. An event may arrive twice: its id (also in the ' +
      `${EVENT_ID_HEADER} header) is the same both times. The body carries no learner data.`,
    tags: ['Jobs'],
    request: {
      headers: z.object({
        [SIGNATURE_HEADER]: z.string().describe('t=<unix seconds>,v1=<hex HMAC-SHA256>'),
        [EVENT_ID_HEADER]: z.string().describe('The event id, the same on every attempt'),
      }),
      body: {
        required: true,
        ...json(
          registry.register(
            'JobCallbackEvent',
            z.object({
              id: z.string().describe('Event id: one per job and event type'),
              type: z.enum(['job.completed', 'job.cancelled', 'job.items_dead_lettered']),
              createdAt: z.string(),
              data: z.object({
                jobId: z.string(),
                operation,
                organisationId: z.string(),
                status: z.enum(JOB_STATUS),
                total: z.number().int(),
                counts,
                outcomes: count,
                errors: count,
                completedAt: z.string().optional(),
                links: z.object({ self: z.string(), results: z.string() }),
              }),
            }),
          ),
        ),
      },
    },
    responses: { '200': { description: 'Received (any 2xx)' } },
  });
};
