import { describe, expect, it } from 'vitest';
import { isValidUln } from '../../simulator/index.js';
import { SIMULATOR_ORGANISATIONS, verifiableLearners } from '../../simulator/seed.js';
import { RECORDED_EXACT, UKPRN_ORG, useSimulator } from '../support/simulator.js';
import {
  all,
  at,
  bodyOf,
  findByDemographics,
  learnerEnvelope,
  legacyCreds,
  NS,
  type Org,
  type RegisterFields,
  registerLearner,
  updateLearner,
  xmlEscape,
} from '../support/simulator-client.js';

const org = UKPRN_ORG;
const second = SIMULATOR_ORGANISATIONS[1];
const otherOrg: Org = {
  ukprn: second?.ukprn as string,
  password: second?.orgPassword as string,
  userName: 'u2',
};

const { sim, learnerService } = useSimulator({ batchDurationMs: 60_000 });
const post = (body: string) => learnerService(body);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const newPerson: RegisterFields = {
  givenName: 'Zebulon',
  familyName: 'Quartermaine',
  dateOfBirth: '2008-02-29',
  gender: '1',
  postcode: 'OX1 2JD',
};
const search = (o: Org, p: RegisterFields) =>
  post(
    findByDemographics(o, {
      familyName: p.familyName,
      givenName: p.givenName,
      dateOfBirth: p.dateOfBirth,
      gender: p.gender,
      postcode: p.postcode,
    }),
  );

/** A batch of one seeded learner that verifies exactly (ULN and names as the seed holds them). */
const oneVerifiableLearner = () => {
  const l = verifiableLearners(1)[0];
  return [
    {
      uln: l?.uln as string,
      familyName: l?.familyName as string,
      givenName: l?.givenName as string,
      mis: 'x',
    },
  ];
};

describe('registerSingleLearner', () => {
  it('registers after a no-match search by the same organisation: WSRC0005 and a new check-digit-valid ULN', async () => {
    expect(at(bodyOf((await search(org, newPerson)).body), 'ResponseCode')).toBe('WSRC0001');
    const reg = bodyOf((await post(registerLearner(org, newPerson))).body);
    expect(at(reg, 'ResponseCode')).toBe('WSRC0005');
    const uln = at(reg, 'ULN') as string;
    expect(isValidUln(uln)).toBe(true);
    expect(sim.registeredUlns()).toEqual([uln]);
    const again = bodyOf((await search(org, newPerson)).body);
    expect([at(again, 'ResponseCode'), at(all(again, 'Learner')[0], 'ULN')]).toEqual(['WSRC0004', uln]);
  });
  it('refuses (WSRC0021) without a search, after another organisation searched, and after the window', async () => {
    expect(at(bodyOf((await post(registerLearner(org, newPerson))).body), 'ResponseCode')).toBe('WSRC0021');
    await search(otherOrg, newPerson);
    expect(at(bodyOf((await post(registerLearner(org, newPerson))).body), 'ResponseCode')).toBe('WSRC0021');
    sim.setTiming({ registerSearchWindowMs: 50 });
    await search(org, newPerson);
    await wait(100);
    expect(at(bodyOf((await post(registerLearner(org, newPerson))).body), 'ResponseCode')).toBe('WSRC0021');
    expect(sim.registeredUlns()).toEqual([]);
  });
  it('refuses a duplicate of an existing learner (WSRC0021) even after a search', async () => {
    const dup = { ...RECORDED_EXACT, postcode: 'CV4 9EE' };
    await search(org, dup);
    expect(at(bodyOf((await post(registerLearner(org, dup))).body), 'ResponseCode')).toBe('WSRC0021');
  });
});

describe('updateSingleLearner', () => {
  const exact = { ...RECORDED_EXACT, postcode: 'CV4 9EE', verificationType: '1', abilityToShare: '1' };
  const code = async (f: RegisterFields, uln: string, v: number) =>
    at(bodyOf((await post(updateLearner(org, f, uln, v))).body), 'ResponseCode');
  it('WSRC0006 on success (full replacement, version bumps), WSRC0013 for a stale version, WSRC0020 when nothing changes', async () => {
    const changed = { ...exact, postcode: 'CV1 1AA' };
    expect(await code(changed, '1026893096', 1)).toBe('WSRC0006');
    const after = sim.learner('1026893096');
    expect(after?.versionNumber).toBe(2);
    expect(after?.postcode).toBe('CV1 1AA');
    expect(after?.emailAddress).toBeUndefined();
    expect(await code({ ...changed, postcode: 'CV2 2BB' }, '1026893096', 1)).toBe('WSRC0013');
    expect(await code(changed, '1026893096', 2)).toBe('WSRC0020');
    expect(sim.learner('1026893096')?.versionNumber).toBe(2);
  });
  it('WSRC0014 on ability to share going back to 0, WSRC0019 on an unknown or linked ULN', async () => {
    expect(await code({ ...exact, abilityToShare: '0' }, '1026893096', 1)).toBe('WSRC0014');
    expect(await code(exact, '1000000043', 1)).toBe('WSRC0019');
    expect(await code(exact, '4444599390', 1)).toBe('WSRC0019');
  });
});

const batchLearner = (f: Partial<RegisterFields> & { uln?: string; mis?: string }) =>
  `<Learner>${f.uln !== undefined ? `<ULN>${f.uln}</ULN>` : ''}${f.mis ? `<MISIdentifier>${f.mis}</MISIdentifier>` : ''}<GivenName>${xmlEscape(f.givenName ?? '')}</GivenName><FamilyName>${xmlEscape(f.familyName ?? '')}</FamilyName>${f.postcode ? `<LastKnownPostCode>${f.postcode}</LastKnownPostCode>` : ''}${f.dateOfBirth ? `<DateOfBirth>${f.dateOfBirth}</DateOfBirth>` : ''}${f.gender ? `<Gender>${f.gender}</Gender>` : ''}</Learner>`;

const submitBatch = (o: Org, jobType: string, count: number, learners: string[]) =>
  learnerEnvelope(
    NS.batchmsg,
    'SubmitBatch',
    `${legacyCreds(o)}<JobType>${jobType}</JobType><LearnerRecordCount>${count}</LearnerRecordCount>${learners.join('')}`,
    'bat',
  );
const batchOutput = (o: Org, id: string) =>
  learnerEnvelope(NS.batchmsg, 'GetSubmitBatchOutput', `${legacyCreds(o)}<JobID>${id}</JobID>`, 'bat');

describe('batch registration', () => {
  it('WSRC0007 then WSRC0008 while running, then WSRC0009 with per-learner ReturnCodes and counts', async () => {
    const sub = bodyOf(
      (
        await post(
          submitBatch(org, 'FUL', 5, [
            batchLearner({ mis: 'A1', ...newPerson }),
            batchLearner({
              mis: 'A2',
              givenName: 'Sample',
              familyName: 'Testname',
              dateOfBirth: '1976-08-16',
              gender: '2',
              postcode: 'CV49EE',
            }),
            batchLearner({ mis: 'A3', uln: '4444599390', givenName: 'Sample', familyName: 'Test' }),
            batchLearner({
              mis: 'A4',
              givenName: 'Abbie',
              familyName: 'Evans',
              dateOfBirth: '1994-02-06',
              gender: '2',
              postcode: 'LU49QZ',
            }),
            batchLearner({ mis: 'A5', givenName: 'Nodob', familyName: 'Person' }),
          ]),
        )
      ).body,
    );
    expect(at(sub, 'ResponseCode')).toBe('WSRC0007');
    const id = at(sub, 'JobID') as string;
    const running = bodyOf((await post(batchOutput(org, id))).body);
    expect(at(running, 'ResponseCode')).toBe('WSRC0008');
    sim.finishJobs();
    const done = bodyOf((await post(batchOutput(org, id))).body);
    expect(at(done, 'ResponseCode')).toBe('WSRC0009');
    const rows = all(done, 'Learner').map((l) => [at(l, 'MISIdentifier'), at(l, 'ReturnCode')]);
    expect(rows).toEqual([
      ['A1', 'WSRC0005'],
      ['A2', 'WSRC0004'],
      ['A3', 'WSRC0022'],
      ['A4', 'WSRC0003'],
      ['A5', 'WSRC0015'],
    ]);
    expect(
      [
        'NewLearnersCount',
        'ExistsUpdatedLearnersCount',
        'PossibleMatchLearnersCount',
        'LearnersNotFoundCount',
        'RejectedLearnersCount',
      ].map((k) => at(done, k)),
    ).toEqual(['1', '2', '1', '0', '1']);
    expect(at(done, 'JobStartedDateTime')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(at(all(done, 'Learner')[0], 'ULN')).toBe(sim.registeredUlns()[0]);
  });
  it('WSRC0017 when LearnerRecordCount does not match; WSRC0018 for an unknown job or another organisation', async () => {
    const bad = bodyOf((await post(submitBatch(org, 'CHK', 2, [batchLearner({ ...newPerson })]))).body);
    expect(at(bad, 'ResponseCode')).toBe('WSRC0017');
    expect(at(bodyOf((await post(batchOutput(org, '123'))).body), 'ResponseCode')).toBe('WSRC0018');
    const sub = bodyOf((await post(submitBatch(org, 'CHK', 1, [batchLearner({ ...newPerson })]))).body);
    expect(
      at(bodyOf((await post(batchOutput(otherOrg, at(sub, 'JobID') as string))).body), 'ResponseCode'),
    ).toBe('WSRC0018');
  });
});

const verifyBatch = (
  o: Org,
  count: number,
  ls: { uln: string; familyName: string; givenName: string; mis: string }[],
) =>
  learnerEnvelope(
    NS.vldmsg,
    'SubmitVerifyBatch',
    `${legacyCreds(o)}<LearnerRecordCount>${count}</LearnerRecordCount>${ls
      .map(
        (l) =>
          `<Learner><MISIdentifier>${l.mis}</MISIdentifier><ULN>${l.uln}</ULN><FamilyName>${xmlEscape(l.familyName)}</FamilyName><GivenName>${xmlEscape(l.givenName)}</GivenName></Learner>`,
      )
      .join('')}`,
    'vld',
  );
const verifyOutput = (o: Org, id: string) =>
  learnerEnvelope(NS.vldmsg, 'GetVerifyBatchOutput', `${legacyCreds(o)}<JobID>${id}</JobID>`, 'vld');

describe('batch verification', () => {
  it('verifies 1,000 distinct seeded learners in five batches of 200, every one WSVRC001', async () => {
    const learners = verifiableLearners(1000);
    expect(new Set(learners.map((l) => l.uln)).size).toBe(1000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const chunk = learners.slice(i * 200, i * 200 + 200).map((l) => ({ ...l, mis: l.uln }));
      const sub = bodyOf((await post(verifyBatch(org, 200, chunk))).body);
      expect(at(sub, 'ResponseCode')).toBe('WSRC0007');
      ids.push(at(sub, 'JobID') as string);
    }
    sim.finishJobs();
    const codes = new Map<string, number>();
    for (const id of ids) {
      const out = bodyOf((await post(verifyOutput(org, id))).body);
      expect(at(out, 'ResponseCode')).toBe('WSRC0009');
      for (const v of all(out, 'VerifiedLearner'))
        codes.set(at(v, 'ResponseCode') as string, (codes.get(at(v, 'ResponseCode') as string) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ WSVRC001: 1000 });
  });
  it('JobStatus Submitted, then Processing with JobStartedDateTime once started', async () => {
    sim.setTiming({ batchDurationMs: 2000 });
    const one = oneVerifiableLearner();
    const id = at(bodyOf((await post(verifyBatch(org, 1, one))).body), 'JobID') as string;
    const waiting = bodyOf((await post(verifyOutput(org, id))).body);
    expect([
      at(waiting, 'ResponseCode'),
      at(waiting, 'JobStatus'),
      at(waiting, 'JobStartedDateTime'),
    ]).toEqual(['WSRC0008', 'Submitted', undefined]);
    await wait(500);
    const running = bodyOf((await post(verifyOutput(org, id))).body);
    expect([at(running, 'ResponseCode'), at(running, 'JobStatus')]).toEqual(['WSRC0008', 'Processing']);
    expect(at(running, 'JobStartedDateTime')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
  it('WSRC0017 on a record count mismatch and WSRC0008 while running', async () => {
    const one = oneVerifiableLearner();
    expect(at(bodyOf((await post(verifyBatch(org, 3, one))).body), 'ResponseCode')).toBe('WSRC0017');
    const sub = bodyOf((await post(verifyBatch(org, 1, one))).body);
    expect(at(bodyOf((await post(verifyOutput(org, at(sub, 'JobID') as string))).body), 'ResponseCode')).toBe(
      'WSRC0008',
    );
  });
});
