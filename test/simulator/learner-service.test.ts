import { describe, expect, it } from 'vitest';
import { notableLearner } from '../../simulator/index.js';
import { UKPRN_ORG, useSimulator } from '../support/simulator.js';
import {
  all,
  at,
  bodyOf,
  findByDemographics,
  findByUln,
  retrieveUlns,
  verifyLearner,
} from '../support/simulator-client.js';

const org = UKPRN_ORG;
const { learnerService } = useSimulator();
const post = (body: string, soapAction?: string) =>
  learnerService(body, soapAction === undefined ? {} : { soapAction });
/** The demographics of one search, in the order the LRS lists them. */
const demographics = (
  familyName: string,
  givenName: string,
  dateOfBirth: string,
  gender: string,
  postcode: string,
) => ({
  familyName,
  givenName,
  dateOfBirth,
  gender,
  postcode,
});
/** The body of the simulator's answer to a learnerByDemographics search. */
const demographicsAnswer = async (
  familyName: string,
  givenName: string,
  dateOfBirth: string,
  gender: string,
  postcode: string,
  findType?: string,
) =>
  bodyOf(
    (
      await post(
        findByDemographics(org, demographics(familyName, givenName, dateOfBirth, gender, postcode), findType),
      )
    ).body,
  );

describe('learnerByDemographics', () => {
  it('finds the recorded exact-match learner although the postcode is sent without its space', async () => {
    const res = await post(
      findByDemographics(org, demographics('Testname', 'Sample', '1976-08-16', '2', 'CV49EE')),
    );
    expect(res.status).toBe(200);
    const body = bodyOf(res.body);
    expect(at(body, 'ResponseCode')).toBe('WSRC0004');
    expect(all(body, 'Learner').map((l) => at(l, 'ULN'))).toEqual(['1026893096']);
    expect(at(body, 'LastKnownPostCode')).toBe('CV49EE');
  });

  it('substitutes the master for a linked learner (WSRC0022, MasterSubstituted Y, LinkedULNs)', async () => {
    const res = await post(
      findByDemographics(org, demographics('Test', 'Sample', '1985-03-27', '1', 'AB125EQ')),
    );
    const body = bodyOf(res.body);
    expect(at(body, 'ResponseCode')).toBe('WSRC0022');
    const learner = all(body, 'Learner')[0];
    expect(at(learner, 'ULN')).toBe('6936002314');
    expect(at(learner, 'MasterSubstituted')).toBe('Y');
    expect(at(learner, 'LinkedULNs', 'ULN')).toBe('4444599390');
  });

  it('returns possible matches (WSRC0003) with one and with two learners', async () => {
    const one = await demographicsAnswer('Evans', 'Abbie', '1994-02-06', '2', 'LU49QZ');
    expect(at(one, 'ResponseCode')).toBe('WSRC0003');
    expect(all(one, 'Learner').map((l) => at(l, 'ULN'))).toEqual(['7667649978']);
    const two = await demographicsAnswer('Tester', 'Sample', '1995-06-28', '2', 'ZZ12ZZ');
    expect(at(two, 'ResponseCode')).toBe('WSRC0003');
    expect(
      all(two, 'Learner')
        .map((l) => at(l, 'ULN'))
        .sort(),
    ).toEqual(['1964986809', '8383558804']);
  });

  it('answers too many matches (WSRC0002) without Learner elements, and no match (WSRC0001)', async () => {
    const many = await demographicsAnswer('Everybody', 'Everybody', '2000-01-01', '2', 'CV49EE');
    expect(at(many, 'ResponseCode')).toBe('WSRC0002');
    expect(all(many, 'Learner')).toHaveLength(0);
    const none = await demographicsAnswer('Nobody', 'Nobody', '2000-01-01', '2', 'CV49EE');
    expect(at(none, 'ResponseCode')).toBe('WSRC0001');
  });

  it('returns the code but no Learner elements for FindType CHK', async () => {
    const res = await demographicsAnswer('Testname', 'Sample', '1976-08-16', '2', 'CV4 9EE', 'CHK');
    expect(at(res, 'ResponseCode')).toBe('WSRC0004');
    expect(all(res, 'Learner')).toHaveLength(0);
  });
});

describe('learnerByULN', () => {
  it('WSRC0004 when ULN and names match, echoing the ULN', async () => {
    const body = bodyOf((await post(findByUln(org, '1026893096', 'Testname', 'Sample'))).body);
    expect(at(body, 'ResponseCode')).toBe('WSRC0004');
    expect(at(body, 'ULN')).toBe('1026893096');
    expect(at(all(body, 'Learner')[0], 'VersionNumber')).toBe('1');
  });
  it('WSRC0022 for a linked ULN, WSRC0003 for similar names, WSRC0001 for other names or an unknown ULN', async () => {
    expect(
      at(bodyOf((await post(findByUln(org, '4444599390', 'Test', 'Sample'))).body), 'ResponseCode'),
    ).toBe('WSRC0022');
    expect(
      at(bodyOf((await post(findByUln(org, '1026893096', 'Testnam', 'Sample'))).body), 'ResponseCode'),
    ).toBe('WSRC0003');
    expect(
      at(bodyOf((await post(findByUln(org, '1026893096', 'Zebedee', 'Quentin'))).body), 'ResponseCode'),
    ).toBe('WSRC0001');
    expect(at(bodyOf((await post(findByUln(org, '1000000043', 'Any', 'One'))).body), 'ResponseCode')).toBe(
      'WSRC0001',
    );
  });
  it('refuses a pattern-valid ULN with a wrong check digit with a WSEC0136 fault', async () => {
    const res = await post(findByUln(org, '1234567890', 'Testname', 'Sample'));
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'detail', 'MIAPAPIException', 'ErrorCode')).toBe('WSEC0136');
  });
});

describe('verifyLearner', () => {
  const action = 'http://tempuri.org/LearnerPortType/verifyLearner';
  const code = async (v: Parameters<typeof verifyLearner>[1]) => {
    const vl = bodyOf((await post(verifyLearner(org, v), action)).body).children[0];
    return {
      code: at(vl, 'ResponseCode'),
      flags: all(vl, 'FailureFlag').map((f) => f.text),
      uln: at(vl, 'ULN'),
    };
  };
  it('WSVRC001 exact, WSVRC002 linked', async () => {
    expect(
      await code({
        uln: '1026893096',
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
        gender: '2',
      }),
    ).toEqual({
      code: 'WSVRC001',
      flags: [],
      uln: '1026893096',
    });
    expect((await code({ uln: '4444599390', familyName: 'Test', givenName: 'Sample' })).code).toBe(
      'WSVRC002',
    );
  });
  it('WSVRC003 similar with flags, WSVRC004 similar linked', async () => {
    const similar = notableLearner('similar');
    expect(await code({ uln: similar.uln, familyName: similar.familyName, givenName: 'Jonathon' })).toEqual({
      code: 'WSVRC003',
      flags: ['VRF1'],
      uln: similar.uln,
    });
    expect((await code({ uln: '4444599390', familyName: 'Tset', givenName: 'Sample' })).code).toBe(
      'WSVRC004',
    );
  });
  it('WSVRC003 with VRF1 and VRF5 only when given and family names are swapped, and for a similar family name', async () => {
    const swap = notableLearner('swapCheck');
    expect(await code({ uln: swap.uln, familyName: swap.givenName, givenName: swap.familyName })).toEqual({
      code: 'WSVRC003',
      flags: ['VRF1', 'VRF5'],
      uln: swap.uln,
    });
    const similar = notableLearner('similar');
    expect(
      (await code({ uln: similar.uln, familyName: 'Simmilarson', givenName: similar.givenName })).code,
    ).toBe('WSVRC003');
  });
  it('WSVRC005 with DOB and gender flags, WSVRC006 unknown ULN', async () => {
    const r = await code({
      uln: '1026893096',
      familyName: 'Testname',
      givenName: 'Sample',
      dateOfBirth: '1976-08-17',
      gender: '1',
    });
    expect(r.code).toBe('WSVRC005');
    expect(r.flags).toEqual(['VRF7', 'VRF8']);
    expect(r.uln).toBeUndefined();
    expect((await code({ uln: '1000000043', familyName: 'A', givenName: 'B' })).code).toBe('WSVRC006');
  });
});

describe('retrieveULNs', () => {
  it('answers per ULN: current, linked (with MasterULN), unknown, invalid check digit', async () => {
    const res = await post(retrieveUlns(org, ['1026893096', '4444599390', '1000000043', '1234567890']));
    const items = all(bodyOf(res.body).children[0], 'VerifiedULN');
    expect(items.map((i) => [at(i, 'ULN'), at(i, 'ResponseCode'), at(i, 'MasterULN')])).toEqual([
      ['1026893096', 'WSRC0004', undefined],
      ['4444599390', 'WSRC0022', '6936002314'],
      ['1000000043', 'WSRC0001', undefined],
      ['1234567890', 'WSEC0136', undefined],
    ]);
  });
});
