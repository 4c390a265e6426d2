/** Pure parts of bulk jobs: request ids, LRS batch splitting and results, item validation, CSV. */
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../shared/api/openapi.js';
import { cellText, csvToItems, parseCsv, resultColumns, toCsv } from '../../../shared/jobs/csv.js';
import {
  batchRequestId,
  itemRequestId,
  jobIdForKey,
  parseJobRequestId,
  pollRequestId,
} from '../../../shared/jobs/ids.js';
import {
  followUpOperations,
  learnerResults,
  pollRequest,
  splitIntoBatches,
} from '../../../shared/jobs/lrs-batch.js';
import { itemResultSchema, resultsCsvColumns } from '../../../shared/jobs/read-job.js';
import { jobSubmissionSchema, validateItems } from '../../../shared/jobs/submit-job.js';
import { toFieldIssues } from '../../../shared/lrs/contract/field-issues.js';
import { outcomeFor, toOutcome } from '../../../shared/lrs/contract/outcomes.js';
import { requestSchemas, validateRequest } from '../../../shared/lrs/contract/schemas.js';

const job = 'job-0123456789abcdef0123456789abcdef';

describe('request ids of a job', () => {
  it('round-trip item, batch and poll ids, and ignore anything else', () => {
    expect(parseJobRequestId(job, itemRequestId(job, 42))).toEqual({ kind: 'item', index: 42 });
    expect(parseJobRequestId(job, batchRequestId(job, 2))).toEqual({ kind: 'submit', batch: 2 });
    expect(parseJobRequestId(job, pollRequestId(job, 2, 7))).toEqual({ kind: 'poll', batch: 2, poll: 7 });
    expect(parseJobRequestId(job, 'job-other:1')).toBeUndefined();
    expect(parseJobRequestId(job, `${job}:01`)).toBeUndefined();
  });

  it('derive one job id per organisation and Idempotency-Key', () => {
    expect(jobIdForKey('TEST0001', 'k-1', 'c1')).toBe(jobIdForKey('TEST0001', 'k-1', 'c1'));
    expect(jobIdForKey('TEST0001', 'k-1', 'c1')).not.toBe(jobIdForKey('TEST0002', 'k-1', 'c1'));
    expect(jobIdForKey('TEST0001', 'k-1', 'c1')).not.toBe(jobIdForKey('TEST0001', 'k-1', 'c2'));
  });
});

describe('LRS batches', () => {
  it('split 450 learners into 200 + 200 + 50', () => {
    expect(splitIntoBatches(Array.from({ length: 450 }, (_, i) => i)).map((b) => b.length)).toEqual([
      200, 200, 50,
    ]);
  });

  it('poll the output operation on the submit queue, with the LRS job id', () => {
    expect(followUpOperations('submitVerifyBatch')).toEqual(['getVerifyBatchOutput']);
    expect(followUpOperations('verifyLearner')).toEqual([]);
    expect(pollRequest('submitBatchRegistration', { responseCode: 'WSRC0007', jobId: '700001' })).toEqual({
      jobId: '700001',
    });
    expect(pollRequest('submitBatchRegistration', { responseCode: 'WSRC0017', jobId: '0' })).toBeUndefined();
    expect(pollRequest('submitAchievementBatch', { responseCode: 'OK', jobId: 50001 })).toEqual({
      jobId: 50001,
    });
  });

  it('give each learner its row of the output, in order, and fail learners without one', () => {
    const results = learnerResults(
      'getVerifyBatchOutput',
      {
        responseCode: 'WSRC0009',
        verifiedLearners: [{ responseCode: 'WSVRC001', uln: '1', failureFlags: [] }],
      },
      toOutcome(outcomeFor('WSRC0009')),
      2,
      outcomeFor,
    );
    expect(results[0]).toMatchObject({
      status: 'COMPLETED',
      outcome: { code: 'WSVRC001' },
      result: { uln: '1' },
    });
    expect(results[1]).toMatchObject({ status: 'FAILED', error: { code: 'LRS_REJECTED' } });
  });

  it('fail every learner of a failed batch with its code', () => {
    const results = learnerResults(
      'getBatchRegistrationOutput',
      { responseCode: 'WSRC0010', learners: [] },
      toOutcome(outcomeFor('WSRC0010')),
      3,
      outcomeFor,
    );
    expect(results.map((r) => r.error?.lrsCode)).toEqual(['WSRC0010', 'WSRC0010', 'WSRC0010']);
  });
});

describe('item validation', () => {
  const deps = { validate: validateRequest };

  it('names the index, field and rule of each bad item and keeps the good ones', () => {
    const { valid, invalid } = validateItems(deps, {
      operation: 'findLearnerByUln',
      items: [
        { uln: '9999999999', givenName: 'A', familyName: 'B' },
        { uln: '1234567890', givenName: 'A', familyName: 'B' },
      ],
    });
    expect([...valid.keys()]).toEqual([]);
    expect(invalid.map((i) => i.issues.map((x) => `${x.field}/${x.rule}`))).toEqual([
      ['items[0].uln/ulnCheckDigit'],
      ['items[1].uln/ulnCheckDigit'],
    ]);
  });

  it('validates a learner of an LRS batch in its batch, and refuses unknown options', () => {
    const { valid, invalid } = validateItems(deps, {
      operation: 'submitBatchRegistration',
      items: [{ givenName: 'Ann', familyName: 'Lee' }, { givenName: 'Ann' }],
      options: { jobType: 'CHK' },
    });
    expect([...valid.keys()]).toEqual([0]);
    expect(invalid[0]?.issues[0]).toMatchObject({ field: 'items[1].familyName', rule: 'required' });
    expect(() =>
      validateItems(deps, { operation: 'submitVerifyBatch', items: [{}], options: { jobType: 'FUL' } }),
    ).toThrow(/options may only name the batch options of submitVerifyBatch: orgEmail/);
  });

  it('accepts only known option names, and never repeats an unknown one (it may be personal data)', () => {
    const name = 'Jane Smith 1976-08-16';
    const parsed = jobSubmissionSchema.safeParse({
      operation: 'submitBatchRegistration',
      items: [{}],
      options: { jobType: 'FUL', [name]: 'x' },
    });
    expect(parsed.success).toBe(false);
    const issues = toFieldIssues(parsed.error as never, {});
    expect(issues).toEqual([
      { field: 'options', rule: 'knownOptions', message: expect.stringContaining('jobType, orgEmail') },
    ]);
    expect(JSON.stringify(issues)).not.toContain('Jane');
    for (const options of [{ jobType: 'FUL' }, { orgEmail: 'a@b.example' }, {}])
      expect(
        jobSubmissionSchema.safeParse({ operation: 'submitVerifyBatch', items: [{}], options }).success,
      ).toBe(true);
    let thrown: unknown;
    try {
      validateItems(deps, { operation: 'submitVerifyBatch', items: [{}], options: { jobType: 'FUL' } });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { issues: unknown[] }).issues).toEqual([
      expect.objectContaining({ field: 'options', rule: 'knownOptions' }),
    ]);
  });
});

describe('CSV', () => {
  it('parses quotes, doubled quotes, CRLF and a BOM, and skips blank lines', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n\n1,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ]);
  });

  it('builds nested requests from dotted headers and numbers where the schema wants them', () => {
    const items = csvToItems(
      'learner.givenName,learner.familyName,learner.versionNumber,learner.uln\r\nAnn,Lee,3,0123\r\n',
      requestSchemas.updateLearner,
    );
    expect(items).toEqual([
      { learner: { givenName: 'Ann', familyName: 'Lee', versionNumber: 3, uln: '0123' } },
    ]);
  });

  it('writes flattened result columns and defuses spreadsheet formulas', () => {
    expect(resultColumns(itemResultSchema('verifyLearner'))).toContain('result.verifiedLearner.failureFlags');
    expect(resultsCsvColumns('submitBatchRegistration')).toContain('result.returnCode');
    expect(toCsv(['a', 'b.c'], [{ a: '=SUM(A1)', b: { c: ['x', 'y'] } }, { a: 'O"Neil, A' }])).toBe(
      'a,b.c\r\n\'=SUM(A1),x|y\r\n"O""Neil, A",\r\n',
    );
  });

  it('defuses every cell a spreadsheet would run, by the OWASP rule (= + - @ tab CR), and keeps numbers', () => {
    for (const text of ['=1+1', '+1+1', '-1+1', '-A1', '@SUM(A1)', '\t=1', '\r=1', '-', '-2'])
      expect(cellText(text).replace(/^"/, ''), JSON.stringify(text)).toMatch(/^'/);
    expect(cellText(-5)).toBe('-5');
    expect(cellText(12)).toBe('12');
    for (const text of ['Smith', '1026893096', 'a=b', ' =1', "O'Neil"])
      expect(cellText(text)).not.toMatch(/^'/);
    // Inside a list too: the joined cell is what the spreadsheet sees.
    expect(cellText(['-1+2', 'x'])).toBe("'-1+2|x");
  });
});

describe('the OpenAPI document', () => {
  it('has the job submission, status and results routes', () => {
    const paths = buildOpenApiDocument().paths ?? {};
    expect(paths['/v1/jobs']?.post?.operationId).toBe('submitJob');
    expect(paths['/v1/jobs/{jobId}']?.get?.operationId).toBe('getJob');
    expect(paths['/v1/jobs/{jobId}/results']?.get?.operationId).toBe('getJobResults');
    expect(Object.keys(paths['/v1/jobs/{jobId}/results']?.get?.responses?.['200']?.content ?? {})).toEqual([
      'application/json',
      'application/x-ndjson',
      'text/csv',
    ]);
  });
});
