/** Reconciling an update whose answer was lost: re-read and compare the version and the details. */
import { describe, expect, it } from 'vitest';
import { isAmbiguous, reconcileUpdate, uncheckable } from '../../../shared/app/reconcile.js';
import { LrsRejectedError, LrsUnavailableError } from '../../../shared/domain/errors.js';
import type { OperationRequest } from '../../../shared/lrs/contract/schemas.js';

const update: OperationRequest<'updateLearner'> = {
  learner: {
    uln: '1026893096',
    versionNumber: 3,
    givenName: 'Sample',
    familyName: 'Testname',
    dateOfBirth: '1976-08-16',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
    verificationType: '1',
    abilityToShare: '1',
  },
};

const reading = (learner: Record<string, unknown> | undefined) =>
  (async () => ({
    outcome: {
      code: learner ? 'WSRC0004' : 'WSRC0001',
      name: '',
      description: '',
      class: 'match-result',
      final: true,
    },
    response: { responseCode: 'WSRC0004', learners: learner ? [learner] : [] },
  })) as unknown as Parameters<typeof reconcileUpdate>[1];

describe('reconcileUpdate', () => {
  const now = {
    uln: '1026893096',
    givenName: 'Sample',
    familyName: 'Testname',
    dateOfBirth: '1976-08-16',
    gender: '2',
    lastKnownPostCode: 'CV49EE',
    linkedUlns: [],
  };
  it('one version up with the submitted details: our update happened', async () => {
    expect(await reconcileUpdate(update, reading({ ...now, versionNumber: 4 }))).toBe('applied');
  });
  it('the version sent: it did not happen (safe to send again)', async () => {
    expect(await reconcileUpdate(update, reading({ ...now, versionNumber: 3 }))).toBe('not-applied');
  });
  it('anything else cannot be told apart from another change: unknown', async () => {
    expect(await reconcileUpdate(update, reading({ ...now, versionNumber: 5 }))).toBe('unknown');
    expect(await reconcileUpdate(update, reading({ ...now, versionNumber: 4, gender: '1' }))).toBe('unknown');
    expect(await reconcileUpdate(update, reading(undefined))).toBe('unknown');
  });
});

describe('which failures and operations', () => {
  it('a timeout, reset or 5xx may come after the LRS processed the request; a fault or refusal may not', () => {
    expect(isAmbiguous(new LrsUnavailableError('TIMEOUT', 't', 30))).toBe(true);
    expect(isAmbiguous(new LrsUnavailableError('CONNECTION', 'c', 30))).toBe(true);
    expect(isAmbiguous(new LrsUnavailableError('HTTP_ERROR', 'h', 30))).toBe(true);
    expect(isAmbiguous(new LrsUnavailableError('MAINTENANCE', 'm', 30))).toBe(false);
    expect(isAmbiguous(new LrsUnavailableError('OUT_OF_HOURS', 'o', 30))).toBe(false);
    expect(isAmbiguous(new LrsRejectedError('WSEC0001', 'r'))).toBe(false);
  });
  it('the LRS gives no way to check achievement batches, registering batches or subset updates', () => {
    expect(uncheckable('submitAchievementBatch', {})).toBe(true);
    expect(uncheckable('updateLearnerSubsetFields', {})).toBe(true);
    expect(uncheckable('submitBatchRegistration', { jobType: 'FUL' })).toBe(true);
    expect(uncheckable('submitBatchRegistration', { jobType: 'CHK' })).toBe(false);
    expect(uncheckable('submitVerifyBatch', {})).toBe(false);
  });
});
