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
 * each to one LRS call), which also recovers a submission whose fan-out was cut short.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from '../app/process-request.js';
import { ConflictError, type FieldIssue, ValidationError } from '../domain/errors.js';
import { OPERATION_IDS, OPERATIONS, type OperationId } from '../lrs/operations.js';
import type { OperationRequest } from '../lrs/schemas.js';
import type { AppLog } from '../observability/logger.js';
import type { JobBatch, JobItem, JobRecord, JobsStore } from '../ports/jobs-store.js';
import { batchRequestId, itemRequestId, jobIdForKey, newJobId } from './ids.js';
import { batchRequest, isLrsBatchOperation, LRS_BATCH_OPERATIONS, splitIntoBatches } from './lrs-batch.js';

/** Most items one job may hold. */
export const MAX_JOB_ITEMS = 10_000;
/** How many invalid items the answer lists (all are stored). */
export const LISTED_INVALID_ITEMS = 100;

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
}

const misIdentifierOf = (item: unknown): string | undefined => {
  const v = (item as { misIdentifier?: unknown } | null)?.misIdentifier;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
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
  items.forEach((item, index) => {
    try {
      valid.set(index, deps.validate(op, item));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      invalid.push({ index, issues: e.issues.map((i) => itemIssue(index, i, '')) });
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

export const submitJob = async (deps: SubmitDependencies, input: SubmitInput): Promise<SubmitOutput> => {
  const now = (deps.now ?? (() => new Date()))();
  const { submission, organisationId, caller } = input;
  const op = submission.operation;
  const hash = submissionHash(submission, input.userName);
  const { valid, invalid } = validateItems(deps, submission);
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

  const stored = await deps.jobs.createJob(job, items, batches);
  if (!stored.created && stored.job.requestHash !== hash) {
    throw new ConflictError('This Idempotency-Key was already used for a different job');
  }

  // What still has to go to the queue: everything for a new job; what is still pending for a repeat.
  let pendingItems = validIndexes;
  let pendingBatches = batchIndexes.map((_, b) => b);
  if (!stored.created) {
    if (kind === 'requests') {
      const pending: number[] = [];
      let afterIndex: number | undefined;
      for (;;) {
        const page = await deps.jobs.listItems(jobId, {
          limit: 1000,
          status: 'PENDING',
          ...(afterIndex !== undefined ? { afterIndex } : {}),
        });
        pending.push(...page.items.map((i) => i.index));
        if (!page.more || page.lastIndex === undefined) break;
        afterIndex = page.lastIndex;
      }
      pendingItems = pending;
    } else {
      const states = await Promise.all(pendingBatches.map((b) => deps.jobs.getBatch(jobId, b)));
      pendingBatches = pendingBatches.filter((_, i) => states[i]?.status === 'SUBMITTING');
    }
  }

  const envelope = {
    organisationId,
    caller,
    ...(input.userName ? { userName: input.userName } : {}),
    jobId,
  };
  const bodies =
    kind === 'requests'
      ? pendingItems.map((index) =>
          JSON.stringify({
            requestId: itemRequestId(jobId, index),
            operation: op,
            ...envelope,
            request: valid.get(index),
          }),
        )
      : pendingBatches.map((b) =>
          JSON.stringify({
            requestId: batchRequestId(jobId, b),
            operation: op,
            ...envelope,
            request: batchRequest(
              op as Parameters<typeof batchRequest>[0],
              submission.options,
              (batchIndexes[b] ?? []).map((i) => valid.get(i)),
            ),
          }),
        );
  await deps.send(op, bodies);
  await deps.jobs.markQueued(jobId, (deps.now ?? (() => new Date()))());
  deps.log.info(stored.created ? 'Job accepted and queued' : 'Job submitted again; pending work re-queued', {
    jobId,
    operation: op,
    organisationId,
    caller,
    status: stored.job.status,
    invalidFields: invalid.slice(0, 20).flatMap((i) => i.issues.map((x) => x.field)),
  });
  return { job: stored.job, created: stored.created, invalidItems: invalid, queued: bodies.length };
};
