import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import { OPERATION_IDS } from '../../../shared/lrs/contract/operations.js';
import { requestSchemas, validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { SAMPLES } from '../../support/lrs-samples.js';

const issuesOf = (op: Parameters<typeof validateRequest>[0], input: unknown) => {
  try {
    validateRequest(op, input);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
};

const demographics = SAMPLES.findLearnerByDemographics[1];

describe('request validation', () => {
  it.each(OPERATION_IDS.flatMap((op) => SAMPLES[op].map((s, i) => ({ op, s, i }))))(
    '$op sample $i is valid',
    ({ op, s }) => {
      expect(() => validateRequest(op, s)).not.toThrow();
    },
  );

  it('every operation has a schema', () => {
    for (const op of OPERATION_IDS) expect(requestSchemas[op]).toBeDefined();
  });

  it('lists every bad field with its rule, and never echoes the value', () => {
    const secretName = 'Zebedee-Quux';
    const issues = issuesOf('findLearnerByDemographics', {
      givenName: '   ',
      familyName: `${secretName}${'x'.repeat(40)}`,
      dateOfBirth: '2001-02-29',
      gender: '3',
      lastKnownPostCode: 'NOT A POSTCODE',
      emailAddress: 'not-an-email',
    });
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.rule]));
    expect(byField).toMatchObject({
      givenName: 'nonBlank',
      familyName: 'maxLength',
      dateOfBirth: 'calendarDate',
      gender: 'enum',
      lastKnownPostCode: 'pattern',
      emailAddress: 'pattern',
    });
    for (const i of issues) {
      expect(i.message).toContain(i.field);
      expect(i.message).toContain(i.rule);
      expect(i.message).not.toContain(secretName);
      expect(i.message).not.toContain('NOT A POSTCODE');
    }
  });

  it('names missing fields as required', () => {
    const issues = issuesOf('findLearnerByUln', { givenName: 'A' });
    expect(issues.map((i) => [i.field, i.rule])).toEqual(
      expect.arrayContaining([
        ['uln', 'required'],
        ['familyName', 'required'],
      ]),
    );
  });

  it('rejects a ULN with a bad check digit and the ILR temporary ULN', () => {
    expect(issuesOf('verifyLearner', { ...SAMPLES.verifyLearner[1], uln: '1234567890' })).toEqual([
      expect.objectContaining({ field: 'uln', rule: 'ulnCheckDigit' }),
    ]);
    const ilr = issuesOf('verifyLearner', { ...SAMPLES.verifyLearner[1], uln: '9999999999' });
    expect(ilr).toEqual([expect.objectContaining({ field: 'uln', rule: 'ulnCheckDigit' })]);
    expect(ilr[0]?.message).toMatch(/temporary ULN/);
    expect(issuesOf('verifyLearner', { ...SAMPLES.verifyLearner[1], uln: '0123456789' })).toEqual([
      expect.objectContaining({ field: 'uln', rule: 'pattern' }),
    ]);
  });

  it.each([
    ['1799-12-31', 'dateRange'],
    ['2100-01-01', 'dateRange'],
    ['2023-02-29', 'calendarDate'],
    ['2023-04-31', 'calendarDate'],
    ['2023-13-01', 'calendarDate'],
    ['23-01-01', 'pattern'],
    ['2023-1-01', 'pattern'],
  ])('date %s breaks %s', (dateOfBirth, rule) => {
    expect(issuesOf('findLearnerByDemographics', { ...demographics, dateOfBirth })).toEqual([
      expect.objectContaining({ field: 'dateOfBirth', rule }),
    ]);
  });

  it.each(['2024-02-29', '2000-02-29', '1800-01-01', '2099-12-31'])('date %s is accepted', (dateOfBirth) => {
    expect(() =>
      validateRequest('findLearnerByDemographics', { ...demographics, dateOfBirth }),
    ).not.toThrow();
  });

  it.each(['CV4 9EE', 'CV49EE', 'sw1a1aa', 'BFPO 1234', 'CV4 9EE  ', 'EC1A 1BB'])(
    'postcode %j is accepted',
    (lastKnownPostCode) => {
      expect(() =>
        validateRequest('findLearnerByDemographics', { ...demographics, lastKnownPostCode }),
      ).not.toThrow();
    },
  );

  it.each(['CV4 9EI', '12345', 'CV4 9EEE', 'TOOLONGPOST'])('postcode %j is refused', (lastKnownPostCode) => {
    expect(issuesOf('findLearnerByDemographics', { ...demographics, lastKnownPostCode })[0]?.field).toBe(
      'lastKnownPostCode',
    );
  });

  it('a LearnerService job id is a 64-bit number kept as text: every digit kept, beyond xs:long refused naming the rule', () => {
    expect(validateRequest('getBatchRegistrationOutput', { jobId: '9223372036854775807' }).jobId).toBe(
      '9223372036854775807',
    );
    expect(validateRequest('getVerifyBatchOutput', { jobId: '9007199254740993' }).jobId).toBe(
      '9007199254740993',
    );
    expect(issuesOf('getBatchRegistrationOutput', { jobId: '9223372036854775808' })).toEqual([
      expect.objectContaining({ field: 'jobId', rule: 'max' }),
    ]);
  });

  it('rejects unknown fields instead of dropping them, naming each (a typo must not go unnoticed)', () => {
    const issues = issuesOf('findLearnerByDemographics', { ...demographics, previousFamilyname: 'Smith' });
    expect(issues).toEqual([
      expect.objectContaining({
        field: '(request)',
        rule: 'unknownField',
        message: expect.stringContaining('previousFamilyname'),
      }),
    ]);
    const nested = issuesOf('registerLearner', {
      learner: { ...SAMPLES.registerLearner[0].learner, middleName: 'X' },
    });
    expect(nested.map((i) => [i.field, i.rule])).toEqual([['learner', 'unknownField']]);
  });

  it('names fields inside arrays with their index', () => {
    const issues = issuesOf('submitVerifyBatch', {
      learners: [
        SAMPLES.submitVerifyBatch[1].learners[0],
        { uln: '1234567890', familyName: 'A', givenName: '' },
      ],
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['learners[1].givenName', 'learners[1].uln']);
  });

  it('batches hold 1-200 learners', () => {
    const one = { givenName: 'A', familyName: 'B' };
    expect(issuesOf('submitBatchRegistration', { learners: [] })).toEqual([
      expect.objectContaining({ field: 'learners', rule: 'minItems' }),
    ]);
    expect(issuesOf('submitBatchRegistration', { learners: Array(201).fill(one) })).toEqual([
      expect.objectContaining({ field: 'learners', rule: 'maxItems' }),
    ]);
    expect(() =>
      validateRequest('submitBatchRegistration', { learners: Array(200).fill(one) }),
    ).not.toThrow();
  });

  it('verificationType and abilityToShare take only the MIAP codes', () => {
    const learner = { ...SAMPLES.registerLearner[1].learner, verificationType: '8', abilityToShare: '3' };
    expect(issuesOf('registerLearner', { learner }).map((i) => [i.field, i.rule])).toEqual([
      ['learner.verificationType', 'enum'],
      ['learner.abilityToShare', 'enum'],
    ]);
  });

  it('getOrganisation needs a UKPRN or an organisation reference', () => {
    expect(issuesOf('getOrganisation', {})).toEqual([
      expect.objectContaining({ field: 'ukprn', rule: 'required' }),
    ]);
  });

  it('refuses characters XML cannot carry', () => {
    expect(issuesOf('verifyLearner', { ...SAMPLES.verifyLearner[1], familyName: 'A\u0000B' })).toEqual([
      expect.objectContaining({ field: 'familyName', rule: 'xmlChar' }),
    ]);
  });

  it('applies the documented defaults', () => {
    expect(validateRequest('findLearnerByUln', SAMPLES.findLearnerByUln[1]).findType).toBe('FUL');
    const plr = validateRequest('getLearningEvents', SAMPLES.getLearningEvents[1]);
    expect([plr.userType, plr.language, plr.getType]).toEqual(['ORG', 'ENG', 'FULL']);
  });

  it('rejects a non-object request', () => {
    expect(issuesOf('viewAudit', 'nope')[0]).toMatchObject({ rule: 'type' });
  });
});

describe('achievement dates', () => {
  it.each([
    ['2024-02-30', 'calendarDate'],
    ['2024-01-01T24:00', 'calendarDate'],
    ['1700-01-01', 'dateRange'],
  ])('%s breaks %s', (achievementAwardDate, rule) => {
    const sample = SAMPLES.submitAchievementBatch[1];
    const achievements = [{ ...sample.achievements[0], achievementAwardDate }];
    expect(issuesOf('submitAchievementBatch', { achievements })).toEqual([
      expect.objectContaining({ field: 'achievements[0].achievementAwardDate', rule }),
    ]);
  });
});

describe('error messages name the field, the rule and the expected form', () => {
  it('a missing enum field is required, and says which values it takes', () => {
    const { gender: _, ...withoutGender } = demographics;
    const issues = issuesOf('findLearnerByDemographics', withoutGender);
    expect(issues).toEqual([
      {
        field: 'gender',
        rule: 'required',
        message: expect.stringMatching(/^gender is required: one of "0"/),
      },
    ]);
  });

  it('a present but wrong enum value is an enum rule', () => {
    const issues = issuesOf('findLearnerByDemographics', { ...demographics, gender: '7' });
    expect(issues.map((i) => [i.field, i.rule])).toEqual([['gender', 'enum']]);
  });

  it('a pattern rule states the expected format, never the value', () => {
    const issues = issuesOf('findLearnerByDemographics', { ...demographics, dateOfBirth: '03/02/2001' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: 'dateOfBirth', rule: 'pattern' });
    expect(issues[0]?.message).toContain('YYYY-MM-DD');
    expect(issues[0]?.message).not.toContain('03/02/2001');
    const uln = issuesOf('findLearnerByUln', { uln: '12x', familyName: 'A', givenName: 'B' });
    expect(uln[0]?.message).toContain('10 digits');
  });
});

describe('LearnerService job ids', () => {
  it('refuses text that is not digits with a pattern issue, never an error of the check itself', () => {
    for (const jobId of ['abc', '12a', '', '１２', '9'.repeat(20), ' 1']) {
      const issues = issuesOf('getBatchRegistrationOutput', { jobId });
      expect(
        issues.map((i) => i.field),
        jobId,
      ).toEqual(['jobId']);
    }
    expect(() => validateRequest('getBatchRegistrationOutput', { jobId: '9223372036854775808' })).toThrow(
      ValidationError,
    );
    expect(validateRequest('getBatchRegistrationOutput', { jobId: '9223372036854775807' })).toEqual({
      jobId: '9223372036854775807',
    });
  });
});
