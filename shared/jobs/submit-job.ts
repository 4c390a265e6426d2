/**
 * Accepting a bulk job: validate every item, store the job and its items, and fan the valid ones out
 * through the operation's queue (the event source's maximum concurrency then bounds the LRS calls).
 *
 * Bad items do not reject the job: each is recorded as a FAILED item with its index, field and rule, is
 * never sent, and is listed in the answer; the job runs the rest. Only a job with no valid item at all, or
 * with a malformed envelope (unknown operation, not 1-10,000 items, bad options), is refused with 400.
 *
 * LRS batch operations (submitBatchRegistration, submitVerifyBatch, submitAchievementBatch) take the
 * learners as items and go to the LRS in batches of at most 200 (450 → 200 + 200 + 50); each batch is
 * polled until it finishes (shared/jobs/job-hooks.ts) and each learner's row is stored on its item.
 *
 * A job submitted with an Idempotency-Key gets an id derived from it: the same submission again returns
 * the same job and re-queues its still-pending work (safe: request ids are fixed, the results store keeps
 * each to one LRS call).
 *
 * All or nothing for the caller: an outbox entry (fan-out due), then the items with their validated
 * requests, then the job record are written; the job record is the commit point. Once it is stored the
 * answer is 202 even when the queue fails half-way: the outbox sweeper re-queues the job's pending work
 * (resumeFanOut) until every message is on its queue. When storing fails the answer is an error and
 * nothing is visible: items without their job record are never read and expire with their TTL.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from '../app/canonical-json.js';
import { ConflictError, type FieldIssue, ValidationError } from '../domain/errors.js';
import { maxText } from '../lrs/contract/fields.js';
import { OPERATION_IDS, OPERATIONS, type OperationId } from '../lrs/contract/operations.js';
import { type OperationRequest, requestSchemas } from '../lrs/contract/schemas.js';
import type { AppLog } from '../observability/logger.js';
import type { CallbackSecrets } from '../ports/callback-secrets.js';
import type { JobBatch, JobItem, JobRecord, JobsStore } from '../ports/jobs-store.js';
import { type CallbackSettings, DEFAULT_CALLBACK_SETTINGS } from './callback-settings.js';
import { callbackUrlIssues } from './callbacks.js';
import { batchRequestId, itemRequestId, jobIdForKey, newJobId } from './ids.js';
import { batchRequest, isLrsBatchOperation, LRS_BATCH_OPERATIONS, splitIntoBatches } from './lrs-batch.js';

/** Most items one job may hold. */
export const MAX_JOB_ITEMS = 10_000;
/** How many invalid items the answer lists (all are stored). */
export const LISTED_INVALID_ITEMS = 100;
/** Longest misIdentifier: the LRS's own MIS identifier facet (MIAPMISIdentifier, maxLength 128). */
export const MIS_IDENTIFIER_MAX_LENGTH = 128;

/**
 * `misIdentifier` on an item of any operation: the caller's own key for the learner, echoed on the
 * item's result (JSON and CSV). The LRS batch operations send it to the LRS as their MISIdentifier; for
 * every other operation it stays with the gateway. The same rule as the LRS field either way.
 */
export const misIdentifierSchema = maxText(
  MIS_IDENTIFIER_MAX_LENGTH,
  "The caller's own key for the learner, echoed in the item's result (the LRS MIS identifier rule)",
);

/** Every batch option name of any LRS batch operation. */
const KNOWN_JOB_OPTIONS: ReadonlySet<string> = new Set(
  Object.values(LRS_BATCH_OPERATIONS).flatMap((d) => d.options),
);

export const jobSubmissionSchema = z
  .object({
    operation: z.enum(OPERATION_IDS).describe('The LRS operation to run for every item'),
    items: z
      .array(z.unknown())
      .min(1)
      .max(MAX_JOB_ITEMS)
      .describe(
        "1-10,000 requests, each the operation's JSON request (for LRS batch operations: one learner)",
      ),
    options: z
      .record(z.string(), z.unknown())
      // Only known names: a caller-chosen name is never echoed, stored or logged.
      .refine((o) => Object.keys(o).every((k) => KNOWN_JOB_OPTIONS.has(k)), {
        message: `may only name the batch options ${[...KNOWN_JOB_OPTIONS].join(', ')}`,
        params: { rule: 'knownOptions' },
      })
      .optional()
      .describe(
        'LRS batch operations only: the batch-level fields (jobType, orgEmail, emailAddress, submissionType)',
      ),
    callbackUrl: z
      .string()
      .optional()
      .describe('https URL POSTed (signed) when the job completes, is cancelled or gets dead-lettered items'),
  })
  .strict();

export type JobSubmission = z.output<typeof jobSubmissionSchema>;

export interface SubmitDependencies {
  readonly jobs: JobsStore;
  /** Send message bodies to an operation's queue (all or throw). */
  readonly send: (op: OperationId, bodies: readonly string[]) => Promise<void>;
  readonly validate: <K extends OperationId>(op: K, input: unknown) => OperationRequest<K>;
  readonly dataTtlDays: number;
  readonly log: AppLog;
  readonly now?: () => Date;
  /** Callback URL rules and the outbox grace; default DEFAULT_CALLBACK_SETTINGS. */
  readonly callbackSettings?: Pick<CallbackSettings, 'allowLoopbackHttp' | 'outboxGraceSeconds'>;
  /** When given, a job may name a callbackUrl only if its caller has a signing secret. */
  readonly callbackSecrets?: CallbackSecrets;
}

export interface SubmitInput {
  readonly submission: JobSubmission;
  readonly organisationId: string;
  readonly caller: string;
  readonly userName?: string;
  readonly idempotencyKey?: string;
}

export interface InvalidItem {
  readonly index: number;
  readonly issues: readonly FieldIssue[];
}

export interface SubmitOutput {
  readonly job: JobRecord;
  /** False when the answer is the job an earlier submission with the same Idempotency-Key created. */
  readonly created: boolean;
  readonly invalidItems: readonly InvalidItem[];
  /** Messages sent to the operation's queue by this call. */
  readonly queued: number;
  /** The queue failed part-way: the outbox sweeper sends the rest (the job is stored either way). */
  readonly fanOutPending: boolean;
}

const misIdentifierOf = (item: unknown): string | undefined => {
  const v = (item as { misIdentifier?: unknown } | null)?.misIdentifier;
  return typeof v === 'string' && v.length > 0 && misIdentifierSchema.safeParse(v).success ? v : undefined;
};

/** True when the operation's own request (or batch item) has a misIdentifier field the LRS receives. */
const sendsMisIdentifier = (op: OperationId): boolean => {
  if (isLrsBatchOperation(op)) return true;
  const shape = (requestSchemas[op] as unknown as { shape?: Record<string, unknown> }).shape;
  return shape?.misIdentifier !== undefined;
};

/** The item without the gateway's own misIdentifier, and that field's issues. */
const splitMisIdentifier = (item: unknown, index: number): { request: unknown; issues: FieldIssue[] } => {
  if (!item || typeof item !== 'object' || Array.isArray(item) || !('misIdentifier' in item)) {
    return { request: item, issues: [] };
  }
  const { misIdentifier, ...request } = item as Record<string, unknown>;
  const parsed = misIdentifierSchema.safeParse(misIdentifier);
  if (parsed.success) return { request, issues: [] };
  const field = `items[${index}].misIdentifier`;
  const rule = typeof misIdentifier === 'string' ? 'maxLength' : 'type';
  return {
    request,
    issues: [
      {
        field,
        rule,
        message: `${field} must be text of at most ${MIS_IDENTIFIER_MAX_LENGTH} characters without control characters (rule: ${rule})`,
      },
    ],
  };
};

const itemIssue = (index: number, i: FieldIssue, innerPrefix: string): FieldIssue => {
  const rest = i.field.startsWith(innerPrefix) ? i.field.slice(innerPrefix.length) : i.field;
  const field =
    rest === '' || rest === '(request)' ? `items[${index}]` : `items[${index}].${rest.replace(/^\./, '')}`;
  const text = i.message.startsWith(i.field) ? i.message.slice(i.field.length) : ` ${i.message}`;
  return { field, rule: i.rule, message: `${field}${text}` };
};

/** Validates every item; returns the valid requests (by index) and the invalid items. */
export const validateItems = (
  deps: Pick<SubmitDependencies, 'validate'>,
  submission: JobSubmission,
): { valid: Map<number, unknown>; invalid: InvalidItem[] } => {
  const { operation: op, items, options } = submission;
  const valid = new Map<number, unknown>();
  const invalid: InvalidItem[] = [];
  if (isLrsBatchOperation(op)) {
    const def = LRS_BATCH_OPERATIONS[op];
    const unknownOptions = Object.keys(options ?? {}).filter((k) => !def.options.includes(k));
    if (unknownOptions.length > 0) {
      // The names are the caller's: never in the field, the message or a log line.
      throw new ValidationError([
        {
          field: 'options',
          rule: 'knownOptions',
          message: `options may only name the batch options of ${op}: ${def.options.join(', ')} (rule: knownOptions)`,
        },
      ]);
    }
    const prefix = `${def.itemsField}[0]`;
    items.forEach((item, index) => {
      try {
        const parsed = deps.validate(op, batchRequest(op, options, [item])) as Record<string, unknown>;
        valid.set(index, (parsed[def.itemsField] as unknown[])[0]);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const own = e.issues.filter((i) => i.field.startsWith(prefix));
        const others = e.issues.filter((i) => !i.field.startsWith(prefix));
        if (others.length > 0) {
          // A bad option fails every item alike: it is the job that is wrong.
          throw new ValidationError(
            others.map((i) => ({ ...i, field: `options.${i.field}`, message: `options.${i.message}` })),
          );
        }
        invalid.push({ index, issues: own.map((i) => itemIssue(index, i, prefix)) });
      }
    });
    return { valid, invalid };
  }
  if (options && Object.keys(options).length > 0) {
    throw new ValidationError([
      {
        field: 'options',
        rule: 'unknownField',
        message: `options is only for the LRS batch operations, not ${op} (rule: unknownField)`,
      },
    ]);
  }
  const ownMis = sendsMisIdentifier(op);
  items.forEach((item, index) => {
    const { request, issues } = ownMis ? { request: item, issues: [] } : splitMisIdentifier(item, index);
    try {
      const parsed = deps.validate(op, request);
      if (issues.length === 0) valid.set(index, parsed);
      else invalid.push({ index, issues });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      invalid.push({ index, issues: [...issues, ...e.issues.map((i) => itemIssue(index, i, ''))] });
    }
  });
  return { valid, invalid };
};

export const submissionHash = (submission: JobSubmission, userName: string | undefined): string =>
  createHash('sha256')
    .update(canonicalJson({ ...submission, userName: userName ?? null }))
    .digest('hex');

const invalidFailure = (issues: readonly FieldIssue[]) => ({
  code: 'VALIDATION_FAILED' as const,
  message: 'The item is invalid: see issues',
  retryable: false,
  issues,
});

/** The queue message of one item or LRS batch of a job. */
const messageBody = (job: JobRecord, requestId: string, request: unknown): string =>
  JSON.stringify({
    requestId,
    operation: job.operation,
    organisationId: job.organisationId,
    caller: job.caller,
    ...(job.userName ? { userName: job.userName } : {}),
    jobId: job.jobId,
    request,
  });

/** Messages of the given batches, built from the items' stored requests. */
const batchBodies = (
  job: JobRecord,
  batches: readonly { readonly batch: number; readonly indexes: readonly number[] }[],
  requestOf: (index: number) => unknown,
): string[] =>
  batches.map((b) =>
    messageBody(
      job,
      batchRequestId(job.jobId, b.batch),
      batchRequest(
        job.operation as Parameters<typeof batchRequest>[0],
        job.options,
        b.indexes.map(requestOf),
      ),
    ),
  );

export type FanOutDependencies = Pick<SubmitDependencies, 'jobs' | 'send' | 'log' | 'now'>;

/**
 * Re-queues whatever of the job may not be on its queue yet: every PENDING item (`requests`), every batch
 * still SUBMITTING (`lrs-batch`), from the requests stored on the items; then marks the job queued.
 * Sending twice is harmless: request ids are fixed and each is sent to the LRS at most once.
 */
export const resumeFanOut = async (deps: FanOutDependencies, job: JobRecord): Promise<number> => {
  const requests = new Map<number, unknown>();
  const pending: number[] = [];
  let afterIndex: number | undefined;
  for (;;) {
    const page = await deps.jobs.listItems(job.jobId, {
      limit: 1000,
      ...(job.kind === 'requests' ? { status: 'PENDING' as const } : {}),
      ...(afterIndex !== undefined ? { afterIndex } : {}),
    });
    for (const item of page.items) {
      if (item.request === undefined) continue;
      requests.set(item.index, item.request);
      if (item.status === 'PENDING') pending.push(item.index);
    }
    if (!page.more || page.lastIndex === undefined) break;
    afterIndex = page.lastIndex;
  }
  let bodies: string[];
  if (job.kind === 'requests') {
    bodies = pending.map((index) => messageBody(job, itemRequestId(job.jobId, index), requests.get(index)));
  } else {
    const all = Array.from({ length: job.batches ?? 0 }, (_, b) => b);
    const states = await Promise.all(all.map((b) => deps.jobs.getBatch(job.jobId, b)));
    const submitting = states.filter((b): b is JobBatch => b?.status === 'SUBMITTING');
    bodies = batchBodies(job, submitting, (i) => requests.get(i));
  }
  await deps.send(job.operation, bodies);
  await deps.jobs.markQueued(job.jobId, (deps.now ?? (() => new Date()))());
  return bodies.length;
};

export const submitJob = async (deps: SubmitDependencies, input: SubmitInput): Promise<SubmitOutput> => {
  const clock = deps.now ?? (() => new Date());
  const now = clock();
  const { submission, organisationId, caller } = input;
  const op = submission.operation;
  const hash = submissionHash(submission, input.userName);
  const callbackSettings = deps.callbackSettings ?? DEFAULT_CALLBACK_SETTINGS;
  const { valid, invalid } = validateItems(deps, submission);
  const jobIssues: FieldIssue[] = [];
  if (submission.callbackUrl !== undefined) {
    jobIssues.push(...callbackUrlIssues(submission.callbackUrl, callbackSettings));
    if (
      jobIssues.length === 0 &&
      deps.callbackSecrets &&
      !(await deps.callbackSecrets.signingSecret(caller))
    ) {
      jobIssues.push({
        field: 'callbackUrl',
        rule: 'signingSecret',
        message:
          'callbackUrl needs a callback signing secret for this caller; ask the gateway operator for one (rule: signingSecret)',
      });
    }
  }
  if (jobIssues.length > 0) throw new ValidationError(jobIssues);
  if (valid.size === 0) {
    throw new ValidationError(invalid.slice(0, LISTED_INVALID_ITEMS).flatMap((i) => i.issues));
  }
  if (OPERATIONS[op].mutating && !input.idempotencyKey) {
    throw new ValidationError([
      {
        field: 'headers.Idempotency-Key',
        rule: 'required',
        message: 'Idempotency-Key header is required for a job whose operation changes the LRS',
      },
    ]);
  }
  const jobId = input.idempotencyKey ? jobIdForKey(organisationId, input.idempotencyKey, caller) : newJobId();
  /** Runs a fan-out: true when it was cut short (the outbox sweeper resumes it), which is logged. */
  const cutShort = async (fanOut: () => Promise<void>, message: string): Promise<boolean> => {
    try {
      await fanOut();
      return false;
    } catch (e) {
      deps.log.warn(message, {
        jobId,
        operation: op,
        organisationId,
        errorName: e instanceof Error ? e.name : typeof e,
      });
      return true;
    }
  };
  const logSubmitted = (message: string, stored: JobRecord, fields: Record<string, unknown> = {}) =>
    deps.log.info(message, {
      jobId,
      operation: op,
      organisationId,
      caller,
      status: stored.status,
      ...fields,
    });
  const again = async (existing: JobRecord): Promise<SubmitOutput> => {
    if (existing.requestHash !== hash) {
      throw new ConflictError('This Idempotency-Key was already used for a different job');
    }
    let queued = 0;
    const fanOutPending = await cutShort(async () => {
      queued = await resumeFanOut(deps, existing);
    }, 'Re-queueing a repeated job failed; the outbox sweeper resumes it');
    if (fanOutPending)
      await deps.jobs.putOutbox({ jobId, task: { kind: 'fan-out' }, dueAt: now.toISOString(), attempts: 0 });
    logSubmitted('Job submitted again; pending work re-queued', existing);
    return { job: existing, created: false, invalidItems: invalid, queued, fanOutPending };
  };
  if (input.idempotencyKey) {
    const existing = await deps.jobs.getJob(jobId);
    if (existing) return again(existing);
  }

  const kind = isLrsBatchOperation(op) ? 'lrs-batch' : 'requests';
  const invalidIndexes = new Map(invalid.map((i) => [i.index, i.issues]));
  const validIndexes = [...valid.keys()];
  const batchIndexes =
    kind === 'lrs-batch' && isLrsBatchOperation(op)
      ? splitIntoBatches(validIndexes, LRS_BATCH_OPERATIONS[op].maxPerBatch)
      : [];
  const batchOf = new Map(batchIndexes.flatMap((indexes, b) => indexes.map((i) => [i, b] as const)));

  const job: JobRecord = {
    jobId,
    kind,
    operation: op,
    organisationId,
    caller,
    ...(input.userName ? { userName: input.userName } : {}),
    ...(submission.options ? { options: submission.options } : {}),
    requestHash: hash,
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    total: submission.items.length,
    invalid: invalid.length,
    ...(kind === 'lrs-batch' ? { batches: batchIndexes.length } : {}),
    status: 'RUNNING',
    ...(submission.callbackUrl ? { callbackUrl: submission.callbackUrl } : {}),
    openItems: valid.size,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + deps.dataTtlDays * 86_400,
  };
  const items: JobItem[] = submission.items.map((item, index) => {
    const issues = invalidIndexes.get(index);
    const mis = misIdentifierOf(item);
    const batch = batchOf.get(index);
    return {
      jobId,
      index,
      ...(kind === 'requests' && !issues ? { requestId: itemRequestId(jobId, index) } : {}),
      ...(mis ? { misIdentifier: mis } : {}),
      ...(batch !== undefined ? { batch } : {}),
      ...(issues ? {} : { request: valid.get(index) }),
      status: issues ? 'FAILED' : 'PENDING',
      ...(issues ? { error: invalidFailure(issues), settledAt: now.toISOString() } : {}),
    };
  });
  const batches: JobBatch[] = batchIndexes.map((indexes, batch) => ({
    jobId,
    batch,
    indexes,
    polls: 0,
    status: 'SUBMITTING',
  }));

  // The fan-out is owed from here on: should this call not finish it, the sweeper will.
  const grace = callbackSettings.outboxGraceSeconds;
  await deps.jobs.putOutbox({
    jobId,
    task: { kind: 'fan-out' },
    dueAt: new Date(now.getTime() + grace * 1000).toISOString(),
    attempts: 0,
  });
  const stored = await deps.jobs.createJob(job, items, batches);
  if (!stored.created) return again(stored.job);

  const bodies =
    kind === 'requests'
      ? validIndexes.map((index) => messageBody(job, itemRequestId(jobId, index), valid.get(index)))
      : batchBodies(
          job,
          batchIndexes.map((indexes, batch) => ({ batch, indexes })),
          (i) => valid.get(i),
        );
  // The job is stored: if the fan-out is cut short, the caller gets its id and the sweeper queues the rest.
  const fanOutPending = await cutShort(async () => {
    await deps.send(op, bodies);
    await deps.jobs.markQueued(jobId, clock());
  }, 'Job stored but its fan-out was cut short; the outbox sweeper resumes it');
  logSubmitted('Job accepted and queued', stored.job, {
    invalidFields: invalid.slice(0, 20).flatMap((i) => i.issues.map((x) => x.field)),
  });
  return {
    job: stored.job,
    created: true,
    invalidItems: invalid,
    queued: fanOutPending ? 0 : bodies.length,
    fanOutPending,
  };
};
