import { describe, expect, it } from 'vitest';
import { SIMULATOR_ORGANISATIONS } from '../../simulator/seed.js';
import { RECORDED_EXACT, UKPRN_ORG, useSimulator } from '../support/simulator.js';
import {
  at,
  bodyOf,
  findByDemographics,
  findByUln,
  learnerEnvelope,
  legacyCreds,
  NS,
  type Org,
  plrRequest,
  registerLearner,
} from '../support/simulator-client.js';

const org = UKPRN_ORG;
const good = RECORDED_EXACT;

const { learnerService, r9 } = useSimulator({}, { resetBeforeEach: false });

const fault = async (body: string) => {
  const res = await learnerService(body);
  const f = bodyOf(res.body);
  const ex = f.children.find((c) => c.local === 'detail')?.children[0];
  return {
    status: res.status,
    code: at(ex, 'ErrorCode'),
    details: at(ex, 'FurtherDetails'),
    description: at(ex, 'Description'),
  };
};

describe('WSEC0001: one request per facet kind, with a Xerces-style FurtherDetails', () => {
  it('pattern (the recorded message for an empty UserName)', async () => {
    const f = await fault(findByDemographics({ ...org, userName: '' }, good));
    expect(f).toMatchObject({ status: 500, code: 'WSEC0001' });
    expect(f.details).toBe(
      "cvc-pattern-valid: Value '' is not facet-valid with respect to pattern '[\\s]*[\\S][\\s\\S]*' for type 'MIAPNameNonEmpty'.",
    );
  });
  it.each([
    ['date pattern (30 February)', { ...good, dateOfBirth: '2001-02-30' }, "for type 'MIAPDate'"],
    [
      'gender pattern',
      { ...good, gender: '3' },
      "Value '3' is not facet-valid with respect to pattern '0|1|2|9' for type 'MIAPGender'.",
    ],
    ['postcode pattern', { ...good, postcode: 'NOT A PC' }, "for type 'MIAPPostCode'"],
    [
      'maxLength',
      { ...good, familyName: 'A'.repeat(36) },
      "with length = '36' is not facet-valid with respect to maxLength '35' for type 'MIAPNameNonEmpty'.",
    ],
  ])('%s', async (_name, demographics, expected) => {
    const f = await fault(findByDemographics(org, demographics));
    expect(f.code).toBe('WSEC0001');
    expect(f.details).toContain(expected);
  });
  it('minLength (a 15-character password)', async () => {
    const f = await fault(findByDemographics({ ...org, password: 'x'.repeat(15) }, good));
    expect(f.details).toBe(
      "cvc-minLength-valid: Value 'xxxxxxxxxxxxxxx' with length = '15' is not facet-valid with respect to minLength '16' for type 'MIAPOrgPassword'.",
    );
  });
  it('ULN pattern (leading zero) and email pattern', async () => {
    expect((await fault(findByUln(org, '0123456789', 'A', 'B'))).details).toContain(
      "pattern '[1-9][0-9]{9}' for type 'MIAPULN'",
    );
    const f = await fault(
      registerLearner(org, {
        givenName: 'A',
        familyName: 'B',
        postcode: 'CV1 1AA',
        dateOfBirth: '2000-01-01',
        gender: '1',
        emailAddress: 'not-an-email',
      }),
    );
    expect(f.details).toContain("for type 'MIAPEmail'");
  });
  it('minInclusive / maxInclusive / integer datatype (LearnerRecordCount)', async () => {
    const batch = (count: string) =>
      learnerEnvelope(
        NS.batchmsg,
        'SubmitBatch',
        `${legacyCreds(org)}<JobType>FUL</JobType><LearnerRecordCount>${count}</LearnerRecordCount><Learner><GivenName>A</GivenName><FamilyName>B</FamilyName></Learner>`,
      );
    expect((await fault(batch('0'))).details).toBe(
      "cvc-minInclusive-valid: Value '0' is not facet-valid with respect to minInclusive '1' for type 'MIAPLearnerRecordCount'.",
    );
    expect((await fault(batch('201'))).details).toContain("maxInclusive '200'");
    expect((await fault(batch('ten'))).details).toBe(
      "cvc-datatype-valid.1.2.1: 'ten' is not a valid value for 'integer'.",
    );
  });
});

describe('WSEC0001: element order, presence, namespaces', () => {
  const byUln = (inner: string) => learnerEnvelope(NS.findmsg, 'FindLearnerByULN', inner, 'fin');
  const creds = legacyCreds(org);
  it('wrong order', async () => {
    const f = await fault(
      byUln(
        `<FindType>FUL</FindType>${creds}<ULN>1026893096</ULN><GivenName>Sample</GivenName><FamilyName>Testname</FamilyName>`,
      ),
    );
    expect(f.details).toBe(
      "cvc-complex-type.2.4.a: Invalid content was found starting with element 'GivenName'. One of '{FamilyName}' is expected.",
    );
  });
  it('missing mandatory element in the middle and at the end', async () => {
    expect(
      (
        await fault(
          byUln(
            `<FindType>FUL</FindType>${creds}<FamilyName>Testname</FamilyName><GivenName>Sample</GivenName>`,
          ),
        )
      ).details,
    ).toBe(
      "cvc-complex-type.2.4.a: Invalid content was found starting with element 'FamilyName'. One of '{ULN}' is expected.",
    );
    expect(
      (
        await fault(
          byUln(`<FindType>FUL</FindType>${creds}<ULN>1026893096</ULN><FamilyName>Testname</FamilyName>`),
        )
      ).details,
    ).toBe(
      "cvc-complex-type.2.4.b: The content of element 'fin:FindLearnerByULN' is not complete. One of '{GivenName}' is expected.",
    );
  });
  it('unknown element, listing the optional elements that could come next', async () => {
    expect((await fault(byUln(`<FindType>FUL</FindType><Colour>red</Colour>`))).details).toBe(
      "cvc-complex-type.2.4.a: Invalid content was found starting with element 'Colour'. One of '{OrganisationRef, UKPRN, OrgPassword}' is expected.",
    );
    expect(
      (
        await fault(
          byUln(
            `<FindType>FUL</FindType>${creds}<ULN>1026893096</ULN><FamilyName>T</FamilyName><GivenName>S</GivenName><Extra/>`,
          ),
        )
      ).details,
    ).toBe(
      "cvc-complex-type.2.4.d: Invalid content was found starting with element 'Extra'. No child element is expected at this point.",
    );
  });
  it('qualified child where an unqualified one is required', async () => {
    expect((await fault(byUln(`<fin:FindType>FUL</fin:FindType>${creds}`))).details).toBe(
      `cvc-complex-type.2.4.a: Invalid content was found starting with element '{"${NS.findmsg}":FindType}'. One of '{FindType}' is expected.`,
    );
  });
  it('xsi:nil on a non-nillable element, and allowed on a nillable one', async () => {
    const nil = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"';
    expect((await fault(byUln(`<FindType ${nil}/>`))).details).toContain('cvc-elt.3.1:');
    const ok = await learnerService(
      byUln(
        `<FindType>FUL</FindType><OrganisationRef ${nil}/>${creds}<ULN>1026893096</ULN><FamilyName>Testname</FamilyName><GivenName>Sample</GivenName>`,
      ),
    );
    expect(at(bodyOf(ok.body), 'ResponseCode')).toBe('WSRC0004');
  });
  it('an unknown request element is WSEC0002', async () => {
    const f = await fault(learnerEnvelope(NS.findmsg, 'FindLearnerByShoeSize', legacyCreds(org)));
    expect(f.code).toBe('WSEC0002');
  });
});

describe('credentials', () => {
  const limited = SIMULATOR_ORGANISATIONS.find((o) => o.access === 'find-only');
  /** The look-up-only organisation, as a client sends it. */
  const limitedOrg: Org = {
    ukprn: limited?.ukprn as string,
    password: limited?.orgPassword as string,
    userName: 'x',
  };
  it.each([
    ['WSEC0003', 'unknown UKPRN', { ...org, ukprn: 'NOPE0000' }],
    ['WSEC0003', 'neither UKPRN nor OrganisationRef', { password: org.password, userName: org.userName }],
    ['WSEC0003', 'UKPRN and OrganisationRef of different organisations', { ...org, orgRef: 'TST002' }],
    ['WSEC0005', 'wrong password', { ...org, password: 'WrongPassword000' }],
  ])('%s for %s (MIAPAPIException)', async (code, _why, o) => {
    const f = await fault(findByDemographics(o as Org, good));
    expect([f.status, f.code]).toEqual([500, code]);
  });
  it('WSEC0006 when a look-up-only organisation registers; the same organisation may find', async () => {
    const f = await fault(
      registerLearner(limitedOrg, {
        givenName: 'A',
        familyName: 'B',
        postcode: 'CV1 1AA',
        dateOfBirth: '2000-01-01',
        gender: '1',
      }),
    );
    expect(f.code).toBe('WSEC0006');
    const found = await learnerService(findByDemographics(limitedOrg, good));
    expect(at(bodyOf(found.body), 'ResponseCode')).toBe('WSRC0004');
  });
  it('R9 answers credential problems with a DomainFault (WSEC0005, WSEC0006)', async () => {
    const plr = { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' };
    const res = await r9(
      'GetLearnerLearningEvents',
      plrRequest({ ...org, password: 'WrongPassword000' }, plr),
    );
    expect(res.status).toBe(500);
    const df = bodyOf(res.body).children.find((c) => c.local === 'detail')?.children[0];
    expect([df?.local, df?.ns, at(df, 'ErrorCode')]).toEqual([
      'DomainFault',
      'http://api.lrs.qcf.gov.uk/faults',
      'WSEC0005',
    ]);
    expect(Buffer.from(at(df, 'ErrorDetail') ?? '', 'base64').toString()).toContain('password');
    const denied = await r9('GetLearnerLearningEvents', plrRequest(limitedOrg, plr));
    expect(at(bodyOf(denied.body), 'detail', 'DomainFault', 'ErrorCode')).toBe('WSEC0006');
  });
  it('R9 refuses a malformed wrapper (wrong parameter order) with a DeserializationFailed fault', async () => {
    const body = plrRequest(org, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }).replace(
      /<tem:userType>ORG<\/tem:userType>(<tem:vendorID>1<\/tem:vendorID>)/,
      '$1<tem:userType>ORG</tem:userType>',
    );
    const res = await r9('GetLearnerLearningEvents', body);
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'faultcode')).toBe('a:DeserializationFailed');
    expect(at(bodyOf(res.body), 'faultstring')).toContain('userType');
  });
});
