/**
 * Mutating LRS calls whose answer was lost. A timeout, a connection reset or a 5xx after the request went
 * out leaves the change possibly made at the LRS; sending it again could make it twice (a second
 * registration is refused as a duplicate, WSRC0021, and the new ULN is never reported). So the gateway
 * finds out what happened before answering or sending again:
 *
 * - registerLearner: the demographic search (register-learner.ts).
 * - updateLearner: the learner is read again (learnerByULN) and its version compared: one more than the
 *   version sent, with the submitted details, is our update (WSRC0006); the version sent means it did not
 *   happen (sent again); anything else cannot be told apart from someone else's change: UNKNOWN_OUTCOME.
 * - The LRS offers no way to check the others (batch submits of registrations that register, achievement
 *   batches, subset-field updates): their answer is UNKNOWN_OUTCOME, with what to do, never a guess.
 *   Verification batches and CHK registration batches change nothing at the LRS: they are simply retried.
 */
import { LrsUnavailableError } from '../domain/errors.js';
import type { Outcome } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';
import { UNKNOWN_OUTCOME } from '../lrs/contract/outcome-catalogue.js';
import { outcomeFor, toOutcome } from '../lrs/contract/outcomes.js';
import type { OperationRequest, OperationResponse } from '../lrs/contract/schemas.js';

export const UPDATED = 'WSRC0006';

/** Reasons of a failure that may come after the LRS received (and processed) the request. */
const AMBIGUOUS_REASONS: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION', 'HTTP_ERROR']);

export const isAmbiguous = (e: unknown): boolean =>
  e instanceof LrsUnavailableError && AMBIGUOUS_REASONS.has(e.reason);

/** A mutating call the LRS gives no way to check afterwards. */
export const uncheckable = (op: OperationId, request: unknown): boolean => {
  if (op === 'submitAchievementBatch' || op === 'updateLearnerSubsetFields') return true;
  // A CHK batch only searches; FUL (the default) registers the learners it does not find.
  if (op === 'submitBatchRegistration') return (request as { jobType?: string }).jobType !== 'CHK';
  return false;
};

export const unknownOutcome = (): { outcome: Outcome; result: { responseCode: string } } => ({
  outcome: toOutcome(outcomeFor(UNKNOWN_OUTCOME)),
  result: { responseCode: UNKNOWN_OUTCOME },
});

type FindCall = (
  op: 'findLearnerByUln',
  request: OperationRequest<'findLearnerByUln'>,
) => Promise<{ outcome: Outcome; response: OperationResponse<'findLearnerByUln'> }>;

const same = (a: string | undefined, b: string | undefined) =>
  (a ?? '').replace(/\s+/g, '').toUpperCase() === (b ?? '').replace(/\s+/g, '').toUpperCase();

/** What the LRS holds now tells whether an update whose answer was lost took effect. */
export const reconcileUpdate = async (
  request: OperationRequest<'updateLearner'>,
  call: FindCall,
): Promise<'applied' | 'not-applied' | 'unknown'> => {
  const l = request.learner;
  const found = await call('findLearnerByUln', {
    findType: 'FUL',
    uln: l.uln,
    familyName: l.familyName,
    givenName: l.givenName,
  });
  const current = found.response.learners.find((x) => x.uln === l.uln) ?? found.response.learners[0];
  if (!current || current.versionNumber === undefined) return 'unknown';
  if (current.versionNumber === l.versionNumber) return 'not-applied';
  const fields = ['givenName', 'familyName', 'dateOfBirth', 'gender', 'lastKnownPostCode'] as const;
  if (current.versionNumber === l.versionNumber + 1 && fields.every((f) => same(current[f], l[f]))) {
    return 'applied';
  }
  return 'unknown';
};

export const updatedOutcome = (): { outcome: Outcome; result: { responseCode: string } } => ({
  outcome: toOutcome(outcomeFor(UPDATED)),
  result: { responseCode: UPDATED },
});
