/** Achievement batch results per achievement: rejected rows FAILED with their LRS code, failed batches never successful. */
import { describe, expect, it } from 'vitest';
import { achievementErrorRows, learnerResults } from '../../../shared/jobs/lrs-batch.js';
import { outcomeFor, toOutcome } from '../../../shared/lrs/contract/outcomes.js';

const done = toOutcome(outcomeFor('WSRC0009'));
const results = (out: Record<string, unknown>, count: number) =>
  learnerResults('getAchievementBatch', { responseCode: 'WSRC0009', ...out }, done, count, outcomeFor);

describe('achievement batch results', () => {
  it('fails the rows the error file names, with their error type as the LRS code, and completes the others', () => {
    const r = results(
      {
        status: 'Successful',
        learnerDataErrors: 1,
        businessRuleErrors: 1,
        achievementBatchErrorFile:
          'Row,ULN,ErrorType,Message\n2,1026893096,LearnerDataError,ULN and learner details do not match\n3,1026893096,BusinessRuleError,Action 1 is not allowed, already exists',
      },
      4,
    );
    expect(r.map((x) => x.status)).toEqual(['COMPLETED', 'FAILED', 'FAILED', 'COMPLETED']);
    expect(r[0]?.outcome).toMatchObject({ code: 'WSRC0009', name: 'BATCH_SUCCESSFUL' });
    expect(r[1]).toMatchObject({
      outcome: { code: 'LearnerDataError', name: 'ACHIEVEMENT_LEARNER_DATA_ERROR' },
      error: { code: 'LRS_REJECTED', lrsCode: 'LearnerDataError', retryable: false },
    });
    expect(r[2]?.error).toMatchObject({
      lrsCode: 'BusinessRuleError',
      detail: 'Action 1 is not allowed, already exists',
    });
  });

  it('never gives the items of a failed batch a successful outcome', () => {
    const r = results({ status: 'Failed', rejectionReason: 'No records processed' }, 2);
    for (const x of r) {
      expect(x.status).toBe('FAILED');
      expect(x.outcome).toMatchObject({ code: 'WSRC0010', name: 'BATCH_FAILED', class: 'business-refusal' });
      expect(x.error?.lrsCode).toBe('WSRC0010');
    }
  });

  it('fails the rows it cannot tell apart when the LRS counts more rejections than its file names', () => {
    const r = results({ status: 'Successful', fieldDataErrors: 2, achievementBatchErrorFile: 'garbled' }, 2);
    expect(r.map((x) => x.status)).toEqual(['FAILED', 'FAILED']);
    expect(r[0]?.error?.message).toMatch(/without saying which/);
  });

  it('reads the error file leniently and ignores rows it cannot parse', () => {
    expect([
      ...achievementErrorRows('Row,ULN,ErrorType,Message\r\n1,,FieldDataError,bad\r\nnot a row').entries(),
    ]).toEqual([[1, { type: 'FieldDataError', message: 'bad' }]]);
    expect(achievementErrorRows(undefined).size).toBe(0);
  });
});
