/** Registering the LRS way: search first, register only on no match, otherwise show what differs. */
import { describe, expect, it } from 'vitest';
import {
  differencesFrom,
  findRequestFor,
  type LrsCall,
  registerTheLrsWay,
} from '../../../shared/app/register-learner.js';
import { LrsUnavailableError } from '../../../shared/domain/errors.js';
import type { Outcome } from '../../../shared/domain/outcome.js';
import type { Learner } from '../../../shared/lrs/contract/responses.js';
import type { OperationRequest } from '../../../shared/lrs/contract/schemas.js';

const request: OperationRequest<'registerLearner'> = {
  learner: {
    givenName: 'Ada',
    familyName: 'Lovelace',
    dateOfBirth: '2008-12-10',
    gender: '2',
    lastKnownPostCode: 'CV4 9EE',
    verificationType: '1',
    abilityToShare: '1',
    previousFamilyName: 'Byron',
  },
};

const outcome = (code: string): Outcome => ({
  code,
  name: code,
  description: code,
  class: 'match-result',
  final: true,
});

const learner = (overrides: Partial<Learner>): Learner => ({
  uln: '1000000043',
  masterSubstituted: false,
  givenName: 'Ada',
  familyName: 'Lovelace',
  dateOfBirth: '2008-12-10',
  gender: '2',
  lastKnownPostCode: 'CV49EE',
  previousFamilyName: 'Byron',
  linkedUlns: [],
  ...overrides,
});

const recorder = (answers: Record<string, { code: string; response: unknown }>) => {
  const calls: string[] = [];
  const call = (async (op: string) => {
    calls.push(op);
    const a = answers[op];
    if (!a) throw new Error(`unexpected ${op}`);
    return { outcome: outcome(a.code), response: a.response, durationMs: 10 };
  }) as unknown as LrsCall;
  return { calls, call };
};

describe('registerTheLrsWay', () => {
  it('searches with the five demographics (and the optional fields given) before anything else', () => {
    expect(findRequestFor(request)).toEqual({
      findType: 'FUL',
      givenName: 'Ada',
      familyName: 'Lovelace',
      dateOfBirth: '2008-12-10',
      gender: '2',
      lastKnownPostCode: 'CV4 9EE',
      previousFamilyName: 'Byron',
    });
  });

  it('registers when the search finds no match and returns the new ULN', async () => {
    const { calls, call } = recorder({
      findLearnerByDemographics: { code: 'WSRC0001', response: { responseCode: 'WSRC0001', learners: [] } },
      registerLearner: { code: 'WSRC0005', response: { responseCode: 'WSRC0005', uln: '1000000000' } },
    });
    const done = await registerTheLrsWay(request, call);
    expect(calls).toEqual(['findLearnerByDemographics', 'registerLearner']);
    expect(done.outcome.code).toBe('WSRC0005');
    expect(done.durationMs).toBe(20);
    expect(done.result).toEqual({
      registered: true,
      uln: '1000000000',
      searchResponseCode: 'WSRC0001',
      registerResponseCode: 'WSRC0005',
      matches: [],
    });
  });

  it('does not register when the search finds possible matches, and says what differs', async () => {
    const possible = [learner({ gender: '9', lastKnownPostCode: 'LU4 9QX' }), learner({ uln: '1000000051' })];
    const { calls, call } = recorder({
      findLearnerByDemographics: {
        code: 'WSRC0003',
        response: { responseCode: 'WSRC0003', learners: possible },
      },
    });
    const done = await registerTheLrsWay(request, call);
    expect(calls).toEqual(['findLearnerByDemographics']);
    expect(done.outcome.code).toBe('WSRC0003');
    expect(done.result.registered).toBe(false);
    expect(done.result.matches.map((m) => m.differences)).toEqual([['gender', 'lastKnownPostCode'], []]);
  });

  it('treats the preferred given name and postcode spacing as the same', () => {
    const search = findRequestFor(request);
    expect(differencesFrom(search, learner({ givenName: 'Augusta', preferredGivenName: 'ada' }))).toEqual([]);
    expect(differencesFrom(search, learner({ givenName: 'Augusta', familyName: 'King' }))).toEqual([
      'givenName',
      'familyName',
    ]);
  });

  it('reports a refused registration (WSRC0021) as not registered', async () => {
    const { call } = recorder({
      findLearnerByDemographics: { code: 'WSRC0001', response: { responseCode: 'WSRC0001', learners: [] } },
      registerLearner: { code: 'WSRC0021', response: { responseCode: 'WSRC0021' } },
    });
    const done = await registerTheLrsWay(request, call);
    expect(done.outcome.code).toBe('WSRC0021');
    expect(done.result).toMatchObject({ registered: false, registerResponseCode: 'WSRC0021' });
  });
});

describe('a register whose answer was lost', () => {
  const reset = () => new LrsUnavailableError('CONNECTION', 'reset', 30);
  /** Answers each call in turn from a list (an Error is thrown). */
  const sequence = (answers: Array<{ code: string; response: unknown } | Error>) => {
    const calls: string[] = [];
    const call = (async (op: string) => {
      calls.push(op);
      const a = answers.shift();
      if (!a) throw new Error(`unexpected ${op}`);
      if (a instanceof Error) throw a;
      return { outcome: outcome(a.code), response: a.response, durationMs: 10 };
    }) as unknown as LrsCall;
    return { calls, call };
  };
  const none = { code: 'WSRC0001', response: { responseCode: 'WSRC0001', learners: [] } };
  const exactly = (l: Learner) => ({
    code: 'WSRC0004',
    response: { responseCode: 'WSRC0004', learners: [l] },
  });
  const options = { isAmbiguous: (e: unknown) => e instanceof LrsUnavailableError };

  it('searches at once, and an exact match on every submitted field is the registration, with its ULN', async () => {
    const { calls, call } = sequence([none, reset(), exactly(learner({ uln: '1000000043' }))]);
    const done = await registerTheLrsWay(request, call, options);
    expect(calls).toEqual(['findLearnerByDemographics', 'registerLearner', 'findLearnerByDemographics']);
    expect(done.outcome).toMatchObject({ code: 'WSRC0005', name: 'REGISTERED', class: 'success' });
    expect(done.result).toEqual({
      registered: true,
      uln: '1000000043',
      searchResponseCode: 'WSRC0001',
      registerResponseCode: 'WSRC0005',
      reconciled: true,
      matches: [],
    });
  });

  it('never sends the register again in the same attempt: still no match means it did not happen', async () => {
    const { calls, call } = sequence([none, reset(), none]);
    await expect(registerTheLrsWay(request, call, options)).rejects.toBeInstanceOf(LrsUnavailableError);
    expect(calls.filter((c) => c === 'registerLearner')).toHaveLength(1);
  });

  it('does not take a near match (a field differs) for the registration', async () => {
    const { call } = sequence([none, reset(), exactly(learner({ previousFamilyName: 'Other' }))]);
    await expect(registerTheLrsWay(request, call, options)).rejects.toBeInstanceOf(LrsUnavailableError);
  });

  it('on a later attempt: the search first, an exact match is the earlier registration, not an existing learner', async () => {
    const { calls, call } = sequence([exactly(learner({ uln: '1000000043' }))]);
    const done = await registerTheLrsWay(request, call, { ...options, unconfirmed: true });
    expect(calls).toEqual(['findLearnerByDemographics']);
    expect(done.result).toMatchObject({ registered: true, uln: '1000000043', reconciled: true });
    // Without the note, the same search answer is a learner who already existed: not registered by us.
    const before = await registerTheLrsWay(request, sequence([exactly(learner({}))]).call, options);
    expect(before.result.registered).toBe(false);
    expect(before.outcome.code).toBe('WSRC0004');
  });

  it('on a later attempt with no match: registers (the earlier one did not happen)', async () => {
    const { calls, call } = sequence([
      none,
      { code: 'WSRC0005', response: { responseCode: 'WSRC0005', uln: '1000000000' } },
    ]);
    const done = await registerTheLrsWay(request, call, { ...options, unconfirmed: true });
    expect(calls).toEqual(['findLearnerByDemographics', 'registerLearner']);
    expect(done.result).toMatchObject({ registered: true, uln: '1000000000' });
  });
});
