/**
 * The LRS's own batch operations as bulk jobs: which operation polls a submitted batch, how many
 * learners one batch may hold, how a job's items become batch requests, and how a finished batch output
 * becomes one result per learner. Pure functions.
 */
import type { Outcome, OutcomeInfo } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';
import type { OperationResponse } from '../lrs/contract/responses.js';
import type { FailureInfo } from '../ports/results-store.js';

export type LrsBatchOperation = 'submitBatchRegistration' | 'submitVerifyBatch' | 'submitAchievementBatch';

interface LrsBatchDef {
  /** The operation that reads the batch's output, polled until the batch finishes. */
  readonly output: OperationId;
  /** The request field holding the learners (or achievements). */
  readonly itemsField: 'learners' | 'achievements';
  /** Batch-level request fields a job may set once for all its batches. */
  readonly options: readonly string[];
  /** Most items the LRS takes in one batch. */
  readonly maxPerBatch: number;
}

/** LRS limit of learners per batch (LearnerRecordCount 1-200). */
export const LRS_BATCH_LIMIT = 200;

export const LRS_BATCH_OPERATIONS: Readonly<Record<LrsBatchOperation, LrsBatchDef>> = {
  submitBatchRegistration: {
    output: 'getBatchRegistrationOutput',
    itemsField: 'learners',
    options: ['jobType'],
    maxPerBatch: LRS_BATCH_LIMIT,
  },
  submitVerifyBatch: {
    output: 'getVerifyBatchOutput',
    itemsField: 'learners',
    options: ['orgEmail'],
    maxPerBatch: LRS_BATCH_LIMIT,
  },
  submitAchievementBatch: {
    output: 'getAchievementBatch',
    itemsField: 'achievements',
    options: ['emailAddress', 'submissionType'],
    // The schema takes more, but nothing says the LRS does: keep to the one limit we know.
    maxPerBatch: LRS_BATCH_LIMIT,
  },
};

export const isLrsBatchOperation = (op: string): op is LrsBatchOperation => op in LRS_BATCH_OPERATIONS;

/** The operations a queue also accepts besides its own: a submit queue carries the polls of its output. */
export const followUpOperations = (queueOp: OperationId): readonly OperationId[] =>
  isLrsBatchOperation(queueOp) ? [LRS_BATCH_OPERATIONS[queueOp].output] : [];

/** The submit operation whose batches `outputOp` polls. */
export const submitOperationOf = (outputOp: OperationId): LrsBatchOperation | undefined =>
  (Object.keys(LRS_BATCH_OPERATIONS) as LrsBatchOperation[]).find(
    (k) => LRS_BATCH_OPERATIONS[k].output === outputOp,
  );

/** Splits item positions into batches of at most `size` (450 → 200 + 200 + 50). */
export const splitIntoBatches = <T>(items: readonly T[], size: number = LRS_BATCH_LIMIT): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** The request of one batch: the job's options plus its items. */
export const batchRequest = (
  op: LrsBatchOperation,
  options: Readonly<Record<string, unknown>> | undefined,
  items: readonly unknown[],
): Record<string, unknown> => ({ ...(options ?? {}), [LRS_BATCH_OPERATIONS[op].itemsField]: items });

/** The poll request for a submitted batch, from the submit's result; undefined if it has no job id. */
export const pollRequest = (
  op: LrsBatchOperation,
  submitResult: unknown,
): { jobId: string | number } | undefined => {
  const jobId = (submitResult as { jobId?: unknown } | undefined)?.jobId;
  if (op === 'submitAchievementBatch') {
    return typeof jobId === 'number' && jobId > 0 ? { jobId } : undefined;
  }
  return typeof jobId === 'string' && /^[1-9][0-9]{0,17}$/.test(jobId) ? { jobId } : undefined;
};

export interface LearnerResult {
  readonly status: 'COMPLETED' | 'FAILED';
  readonly outcome?: Outcome | OutcomeInfo;
  readonly error?: FailureInfo;
  readonly result?: unknown;
}

const missingRow = (): LearnerResult => ({
  status: 'FAILED',
  error: {
    code: 'LRS_REJECTED',
    message: 'The LRS batch output has no row for this learner',
    retryable: false,
  },
});

/**
 * One result per learner of a finished batch (`count` learners, in the order they were sent; the LRS
 * answers in that order). `outcome` is the output's own outcome (e.g. WSRC0009, WSRC0010).
 */
export const learnerResults = (
  outputOp: OperationId,
  result: unknown,
  outcome: Outcome,
  count: number,
  outcomeFor: (code: string) => OutcomeInfo,
): LearnerResult[] => {
  const rowResults = (rows: readonly { code?: string; row: unknown }[]): LearnerResult[] =>
    Array.from({ length: count }, (_, i) => {
      const r = rows[i];
      if (!r) return missingRow();
      return { status: 'COMPLETED', outcome: outcomeFor(r.code ?? outcome.code), result: r.row };
    });
  if (outputOp === 'getBatchRegistrationOutput') {
    const out = result as OperationResponse<'getBatchRegistrationOutput'>;
    if ((out.learners ?? []).length === 0) return batchFailed(outcome, count);
    return rowResults(out.learners.map((row) => ({ code: row.returnCode, row })));
  }
  if (outputOp === 'getVerifyBatchOutput') {
    const out = result as OperationResponse<'getVerifyBatchOutput'>;
    if ((out.verifiedLearners ?? []).length === 0) return batchFailed(outcome, count);
    return rowResults(out.verifiedLearners.map((row) => ({ code: row.responseCode, row })));
  }
  return achievementResults(result as OperationResponse<'getAchievementBatch'>, count, outcomeFor);
};

/** The LRS's kinds of rejected achievement rows (the ErrorType column of AchievementBatchErrorFile). */
export const ACHIEVEMENT_ERROR_TYPES = ['FieldDataError', 'LearnerDataError', 'BusinessRuleError'] as const;

/**
 * The rejected rows of an achievement batch's error file (`Row,ULN,ErrorType,Message`, rows numbered
 * from 1 in the order sent): row number → error type and message. Lines that do not have that shape are
 * skipped (and then counted as unidentified rejections, see achievementResults).
 */
export const achievementErrorRows = (
  file: string | undefined,
): Map<number, { readonly type: string; readonly message: string }> => {
  const rows = new Map<number, { type: string; message: string }>();
  for (const line of (file ?? '').split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*,[^,]*,\s*([A-Za-z]+)\s*,(.*)$/.exec(line);
    if (!m) continue;
    rows.set(Number(m[1]), { type: m[2] as string, message: (m[3] as string).trim() });
  }
  return rows;
};

/**
 * One result per achievement: a row the LRS rejected is FAILED with its error type as the LRS code;
 * the others take the batch's status. A Failed batch fails every row (BATCH_FAILED, never the
 * WSRC0009 the poll answered with). When the LRS counts more rejections than its error file identifies,
 * the rows it does not name cannot be told apart: they are FAILED too, as unidentified, never reported
 * successful on a guess.
 */
const achievementResults = (
  out: OperationResponse<'getAchievementBatch'>,
  count: number,
  outcomeFor: (code: string) => OutcomeInfo,
): LearnerResult[] => {
  const summary = {
    status: out.status,
    numberOfRecords: out.numberOfRecords,
    rejectionReason: out.rejectionReason,
  };
  const errors = achievementErrorRows(out.achievementBatchErrorFile);
  const counted = (out.fieldDataErrors ?? 0) + (out.learnerDataErrors ?? 0) + (out.businessRuleErrors ?? 0);
  const identified = [...errors.keys()].filter((row) => row >= 1 && row <= count).length;
  const successful = out.status === 'Successful';
  const batchOutcome = outcomeFor(successful ? 'WSRC0009' : 'WSRC0010');
  return Array.from({ length: count }, (_, i): LearnerResult => {
    const rejected = errors.get(i + 1);
    if (rejected) {
      const outcome = outcomeFor(rejected.type);
      return {
        status: 'FAILED',
        outcome,
        result: { ...summary, row: i + 1, errorType: rejected.type },
        error: {
          code: 'LRS_REJECTED',
          lrsCode: rejected.type,
          message: `The LRS rejected this achievement (${outcome.name})`,
          retryable: false,
          ...(rejected.message ? { detail: rejected.message } : {}),
        },
      };
    }
    if (!successful || counted > identified) {
      return {
        status: 'FAILED',
        outcome: batchOutcome,
        result: { ...summary, row: i + 1 },
        error: {
          code: 'LRS_REJECTED',
          lrsCode: batchOutcome.code,
          message: successful
            ? 'The LRS rejected achievements of this batch without saying which: check this one'
            : `The LRS batch job failed (${out.status ?? 'no status'})`,
          retryable: false,
        },
      };
    }
    return { status: 'COMPLETED', outcome: batchOutcome, result: { ...summary, row: i + 1 } };
  });
};

const batchFailed = (outcome: Outcome, count: number): LearnerResult[] =>
  Array.from({ length: count }, () => ({
    status: 'FAILED' as const,
    outcome,
    error: {
      code: 'LRS_REJECTED' as const,
      lrsCode: outcome.code,
      message: `The LRS batch job did not give a result for this learner (${outcome.name})`,
      retryable: false,
    },
  }));
