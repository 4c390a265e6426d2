/** The remaining outcome codes: WSEC0136 on every transport, batch edge cases, achievement actions. */
import { describe, expect, it } from 'vitest';
import { notableLearner } from '../../simulator/index.js';
import { DEFAULT_ORG, useSimulator } from '../support/simulator.js';
import {
  all,
  at,
  bodyOf,
  externalEnvelope,
  findByDemographics,
  getAchievementJob,
  invokingUser,
  learnerByUlnR9,
  learnerEnvelope,
  legacyCreds,
  NS,
  plrRequest,
  registerLearner,
  submitAchievements,
  updateLearner,
  updateSubsetFields,
  verifyLearner,
} from '../support/simulator-client.js';

const org = DEFAULT_ORG;
const { sim, learnerService: ls, r9, external: ext } = useSimulator({ batchDurationMs: 60_000 });
const faultCode = (xml: string) =>
  at(bodyOf(xml), 'detail', 'MIAPAPIException', 'ErrorCode') ??
  at(bodyOf(xml), 'detail', 'DomainFault', 'ErrorCode');

describe('WSEC0136 (check digit) on each operation that takes a ULN', () => {
  const bad = '1234567890';
  it('LearnerService verifyLearner and updateSingleLearner: MIAPAPIException fault', async () => {
    const v = await ls(verifyLearner(org, { uln: bad, familyName: 'A', givenName: 'B' }));
    expect([v.status, faultCode(v.body)]).toEqual([500, 'WSEC0136']);
    const u = await ls(
      updateLearner(
        org,
        { givenName: 'A', familyName: 'B', postcode: 'CV1 1AA', dateOfBirth: '2000-01-01', gender: '1' },
        bad,
        1,
      ),
    );
    expect([u.status, faultCode(u.body)]).toEqual([500, 'WSEC0136']);
  });
  it('R9 LearnerByUln and UpdateLearnerSubsetFields: the code in a normal answer', async () => {
    const l = await r9('LearnerByUln', learnerByUlnR9(org, bad, 'A', 'B'));
    expect([l.status, at(bodyOf(l.body).children[0], 'ResponseCode')]).toEqual([200, 'WSEC0136']);
    const u = await r9(
      'UpdateLearnerSubsetFields',
      updateSubsetFields(org, { uln: bad, version: 1, email: 'a@example.org' }),
    );
    expect(bodyOf(u.body).children[0]?.text).toBe('WSEC0136');
  });
});

describe('register after a possible-match search', () => {
  it('is allowed (WSRC0005) when the search returned WSRC0003', async () => {
    const person = {
      familyName: 'Evans',
      givenName: 'Abbie',
      dateOfBirth: '1994-02-06',
      gender: '2',
      postcode: 'LU4 9QZ',
    };
    expect(at(bodyOf((await ls(findByDemographics(org, person))).body), 'ResponseCode')).toBe('WSRC0003');
    expect(at(bodyOf((await ls(registerLearner(org, person))).body), 'ResponseCode')).toBe('WSRC0005');
  });
});

const submitBatch = (jobType: string, learners: string[]) =>
  learnerEnvelope(
    NS.batchmsg,
    'SubmitBatch',
    `${legacyCreds(org)}<JobType>${jobType}</JobType><LearnerRecordCount>${learners.length}</LearnerRecordCount>${learners.join('')}`,
  );
const output = (id: string) =>
  learnerEnvelope(NS.batchmsg, 'GetSubmitBatchOutput', `${legacyCreds(org)}<JobID>${id}</JobID>`);

describe('batch registration edge cases', () => {
  it('CHK does not register (WSRC0001); bad check digit → WSEC0136; unknown ULN → WSRC0001; too many → WSRC0002', async () => {
    const sub = bodyOf(
      (
        await ls(
          submitBatch('CHK', [
            '<Learner><GivenName>Brand</GivenName><FamilyName>Newperson</FamilyName><LastKnownPostCode>CV1 1AA</LastKnownPostCode><DateOfBirth>2001-01-01</DateOfBirth><Gender>1</Gender></Learner>',
            '<Learner><ULN>1234567890</ULN><GivenName>A</GivenName><FamilyName>B</FamilyName></Learner>',
            '<Learner><ULN>1000000043</ULN><GivenName>A</GivenName><FamilyName>B</FamilyName></Learner>',
            '<Learner><GivenName>Everybody</GivenName><FamilyName>Everybody</FamilyName><LastKnownPostCode>CV4 9EE</LastKnownPostCode><DateOfBirth>2000-01-01</DateOfBirth><Gender>2</Gender></Learner>',
          ]),
        )
      ).body,
    );
    sim.finishJobs();
    const done = bodyOf((await ls(output(at(sub, 'JobID') as string))).body);
    expect(all(done, 'Learner').map((l) => at(l, 'ReturnCode'))).toEqual([
      'WSRC0001',
      'WSEC0136',
      'WSRC0001',
      'WSRC0002',
    ]);
    expect(sim.registeredUlns()).toEqual([]);
  });
  it('WSRC0010 (Failed) when every learner is rejected', async () => {
    const sub = bodyOf(
      (
        await ls(
          submitBatch('FUL', ['<Learner><GivenName>No</GivenName><FamilyName>Dob</FamilyName></Learner>']),
        )
      ).body,
    );
    sim.finishJobs();
    const done = bodyOf((await ls(output(at(sub, 'JobID') as string))).body);
    expect([at(done, 'ResponseCode'), at(done, 'JobStatus'), at(done, 'RejectedLearnersCount')]).toEqual([
      'WSRC0010',
      'Failed',
      '1',
    ]);
  });
  it('verification output: WSRC0018 for an unknown job, WSEC0136 per learner', async () => {
    const unknown = learnerEnvelope(NS.vldmsg, 'GetVerifyBatchOutput', `${legacyCreds(org)}<JobID>5</JobID>`);
    expect(at(bodyOf((await ls(unknown)).body), 'ResponseCode')).toBe('WSRC0018');
    const sub = bodyOf(
      (
        await ls(
          learnerEnvelope(
            NS.vldmsg,
            'SubmitVerifyBatch',
            `${legacyCreds(org)}<LearnerRecordCount>1</LearnerRecordCount><Learner><ULN>1234567890</ULN><FamilyName>A</FamilyName><GivenName>B</GivenName></Learner>`,
          ),
        )
      ).body,
    );
    sim.finishJobs();
    const out = bodyOf(
      (
        await ls(
          learnerEnvelope(
            NS.vldmsg,
            'GetVerifyBatchOutput',
            `${legacyCreds(org)}<JobID>${at(sub, 'JobID')}</JobID>`,
          ),
        )
      ).body,
    );
    expect(at(all(out, 'VerifiedLearner')[0], 'ResponseCode')).toBe('WSEC0136');
  });
});

describe('GetLearnerLearningEvents parameters', () => {
  const plr = notableLearner('plrExact');
  it('accepts getType BRIEF; refuses an unknown getType or userType with a WSEC0001 DomainFault', async () => {
    expect(
      at(
        bodyOf((await r9('GetLearnerLearningEvents', plrRequest(org, { ...plr, getType: 'BRIEF' }))).body)
          .children[0],
        'ResponseCode',
      ),
    ).toBe('WSRC0004');
    const badType = await r9('GetLearnerLearningEvents', plrRequest(org, { ...plr, getType: 'EVERYTHING' }));
    expect([badType.status, faultCode(badType.body)]).toEqual([500, 'WSEC0001']);
    const badUser = await r9(
      'GetLearnerLearningEvents',
      plrRequest(org, plr).replace('<tem:userType>ORG', '<tem:userType>BOSS'),
    );
    expect(faultCode(badUser.body)).toBe('WSEC0001');
  });
  it('refuses a non-integer vendorID and a body that does not match the SOAPAction (DeserializationFailed)', async () => {
    const res = await r9('GetLearnerLearningEvents', plrRequest(org, { ...plr, vendorId: 'abc' }));
    expect([res.status, at(bodyOf(res.body), 'faultcode')]).toEqual([500, 'a:DeserializationFailed']);
    const mismatch = await r9('LearnerByUln', plrRequest(org, plr));
    expect(at(bodyOf(mismatch.body), 'faultcode')).toBe('a:DeserializationFailed');
  });
});

describe('achievement actions and errors', () => {
  const plr = notableLearner('plrExact');
  const run = async (achievements: Parameters<typeof submitAchievements>[1]) => {
    const sub = bodyOf((await ext('SubmitAchievementBatchJob', submitAchievements(org, achievements))).body)
      .children[0];
    sim.finishJobs();
    return bodyOf(
      (await ext('GetAchievementBatchJob', getAchievementJob(org, at(sub, 'JobId') as string))).body,
    ).children[0];
  };
  const who = { uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName };
  it('create (provisional), promote to final, withdraw; update of a missing one is a business rule error', async () => {
    const created = await run([{ ...who, action: 1, reference: '603/0000/1' }]);
    expect([at(created, 'AchievementsCreated'), at(created, 'SuccessfulProvisionalAchievements')]).toEqual([
      '1',
      '1',
    ]);
    const event = () => sim.learner(plr.uln)?.events.find((e) => e.subjectCode === '603/0000/1');
    expect(event()?.status).toBe('P');
    const promoted = await run([{ ...who, action: 5, reference: '603/0000/1' }]);
    expect(at(promoted, 'AchievementsPromotedToFinal')).toBe('1');
    expect(event()?.status).toBe('F');
    const withdrawn = await run([{ ...who, action: 3, reference: '603/0000/1' }]);
    expect(at(withdrawn, 'AchievementsWithdrawn')).toBe('1');
    expect(event()).toBeUndefined();
    const missing = await run([{ ...who, action: 2, reference: '603/0000/1' }]);
    expect([at(missing, 'BusinessRuleErrors'), at(missing, 'Status')]).toEqual(['1', 'Failed']);
    expect(at(missing, 'AchievementBatchErrorFile')).toContain('BusinessRuleError');
  });
  it('field data errors for a bad provider UKPRN; WSRC0015 for an empty batch', async () => {
    const bad = await run([{ ...who, providerUkprn: '123' }]);
    expect(at(bad, 'FieldDataErrors')).toBe('1');
    const empty = await ext(
      'SubmitAchievementBatchJob',
      externalEnvelope('SubmitAchievementBatchJob', `${invokingUser(org)}<svc:achievements/>`),
    );
    expect(at(bodyOf(empty.body).children[0], 'ResponseCode')).toBe('WSRC0015');
  });
});
