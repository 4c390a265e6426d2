import { describe, expect, it } from 'vitest';
import type { OperationId } from '../../../shared/lrs/contract/operations.js';
import { outcomeFor } from '../../../shared/lrs/contract/outcomes.js';
import type { OperationResponse } from '../../../shared/lrs/contract/responses.js';
import { parseResponse } from '../../../shared/lrs/soap/parse.js';
import { readReference, recorded, referencePath } from '../../support/reference.js';

const ok = <K extends OperationId>(op: K, xml: string): OperationResponse<K> => {
  const r = parseResponse(op, xml);
  if (r.kind !== 'response') throw new Error(`expected a response, got ${r.kind}`);
  return r.response;
};

/** The recordings of FindLearnerByDemographics: the MoJ WireMock stubs and the test resources. */
const wiremock = (name: string) => `wiremock/FindLearnerByDemographics__${name}_ful.xml`;
const resource = (name: string) => `test-resources/find_by_demographic_${name}_ful.xml`;

/** Each outcome with the learners it finds and the recordings that answer it. */
const RECORDED_FINDS = [
  {
    code: 'WSRC0004',
    name: 'EXACT_MATCH',
    ulns: ['1026893096'],
    files: [wiremock('exact_match'), resource('exact_match')],
  },
  {
    code: 'WSRC0022',
    name: 'LINKED_LEARNER',
    ulns: ['6936002314'],
    files: [wiremock('linked_learner_found'), resource('linked_learner')],
  },
  { code: 'WSRC0001', name: 'NO_MATCH', ulns: [], files: [wiremock('no_match'), resource('no_match')] },
  {
    code: 'WSRC0002',
    name: 'TOO_MANY_MATCHES',
    ulns: [],
    files: [wiremock('too_many_matches'), resource('too_many_matches')],
  },
  {
    code: 'WSRC0003',
    name: 'POSSIBLE_MATCHES',
    ulns: ['7667649978'],
    files: [wiremock('possible_match_one_learner')],
  },
  {
    code: 'WSRC0003',
    name: 'POSSIBLE_MATCHES',
    ulns: ['1964986809', '8383558804'],
    files: [wiremock('possible_match_two_learners'), resource('possible_match_two_learners')],
  },
];

describe('recorded FindLearnerByDemographics responses', () => {
  it.each(RECORDED_FINDS.flatMap(({ files, ...found }) => files.map((file) => ({ file, ...found }))))(
    '$file → $code',
    ({ file, code, name, ulns }) => {
      const r = ok('findLearnerByDemographics', recorded(file));
      expect(r.responseCode).toBe(code);
      expect(outcomeFor(r.responseCode).name).toBe(name);
      expect(Array.isArray(r.learners)).toBe(true);
      expect(r.learners.map((l) => l.uln)).toEqual(ulns);
    },
  );

  it('maps every field of the linked learner, with LinkedULNs as an array and trailing spaces kept', () => {
    const [l] = ok('findLearnerByDemographics', recorded(wiremock('linked_learner_found'))).learners;
    expect(l).toEqual({
      createdDate: '2012-05-25',
      lastUpdatedDate: '2012-05-25',
      uln: '6936002314',
      masterSubstituted: true,
      title: 'Mr',
      givenName: 'Testing-Sample',
      middleOtherName: 'AllTesting',
      familyName: 'Test',
      preferredGivenName: 'Sample',
      familyNameAtAge16: 'Testsurname',
      schoolAtAge16: 'Test Academy Bristol ',
      lastKnownAddressLine1: '28 TOLLOHILL SQUARE',
      lastKnownAddressTown: 'ABERDEEN',
      lastKnownAddressCountyOrCity: 'ABERDEENSHIRE',
      lastKnownPostCode: 'AB12 3EQ',
      dateOfAddressCapture: '2008-07-13',
      dateOfBirth: '1985-03-27',
      placeOfBirth: 'Whittlesey ',
      gender: '1',
      emailAddress: 'testing-sample.test@inbox.compatibilitytest.com',
      scottishCandidateNumber: '145589606',
      verificationType: '0',
      tierLevel: '0',
      abilityToShare: '1',
      learnerStatus: '1',
      linkedUlns: ['4444599390'],
      versionNumber: 1,
    });
  });

  it('an empty LinkedULNs and an empty Notes mean no value', () => {
    const [l] = ok('findLearnerByDemographics', recorded(wiremock('possible_match_one_learner'))).learners;
    expect(l?.linkedUlns).toEqual([]);
    expect(l?.masterSubstituted).toBe(false);
    expect(l).not.toHaveProperty('notes');
  });
});

describe('recorded GetLearnerLearningEvents responses', () => {
  it('exact match: 7 events, typed', () => {
    const r = ok('getLearningEvents', recorded('wiremock/GetLearnerLearningEvents__exact_match_full.xml'));
    expect(r.responseCode).toBe('WSRC0004');
    expect(r.foundUln).toBe('1174112637');
    expect(r.incomingUln).toBe('1174112637');
    expect(r.learningEvents).toHaveLength(7);
    expect(r.learningEvents[0]).toEqual({
      achievementAwardDate: '2011-10-24',
      achievementProviderName: 'SAMPLE CHURCH',
      achievementProviderUkprn: '10030488',
      awardingOrganisationName: 'UNKNOWN',
      awardingOrganisationUkprn: 'UNKNWN',
      collectionType: 'W',
      credits: 0,
      dateLoaded: '2012-05-31 16:47:04',
      grade: '9999999999',
      id: 2931,
      participationEndDate: '2011-10-24',
      participationStartDate: '2011-10-02',
      qualificationType: 'GCSE',
      restriction: '0',
      returnNumber: '02',
      source: 'ILR',
      status: 'F',
      subject: 'GCSE in English Literature',
      subjectCode: '50079116',
      underDataChallenge: 'N',
    });
    expect(r.learningEvents[0]).not.toHaveProperty('level');
    expect(new Set(r.learningEvents.map((e) => e.source))).toEqual(new Set(['ILR', 'NPD', 'AO']));
  });

  it('linked learner: master substituted, 18 events', () => {
    const r = ok('getLearningEvents', recorded('wiremock/GetLearnerLearningEvents__linked_learner.xml'));
    expect([r.responseCode, r.foundUln, r.incomingUln]).toEqual(['WSRC0022', '6936002314', '4444599390']);
    expect(r.learningEvents).toHaveLength(18);
    expect(outcomeFor(r.responseCode).name).toBe('LINKED_LEARNER');
  });

  it('not shared: WSEC0206 is a result with no events', () => {
    const r = ok('getLearningEvents', recorded('wiremock/GetLearnerLearningEvents__not_shared.xml'));
    expect(r.responseCode).toBe('WSEC0206');
    expect(r.learningEvents).toEqual([]);
    expect(outcomeFor(r.responseCode)).toMatchObject({ name: 'NOT_SHARED', class: 'business-refusal' });
  });

  it('not verified: WSEC0208 with an empty FoundULN', () => {
    const r = ok('getLearningEvents', recorded('wiremock/GetLearnerLearningEvents__not_verified.xml'));
    expect(r.responseCode).toBe('WSEC0208');
    expect(r).not.toHaveProperty('foundUln');
    expect(r.learningEvents).toEqual([]);
    expect(outcomeFor(r.responseCode).name).toBe('NOT_VERIFIED');
  });

  it('parses a 1,000-event record (its speed and linear growth are measured by npm run bench)', () => {
    const src = recorded('wiremock/GetLearnerLearningEvents__exact_match_full.xml');
    const ev = /<a:LearningEvent>[\s\S]*?<\/a:LearningEvent>/.exec(src)?.[0] ?? '';
    const big = src.replace(
      /<a:LearnerRecord>[\s\S]*<\/a:LearnerRecord>/,
      `<a:LearnerRecord>${ev.repeat(1000)}</a:LearnerRecord>`,
    );
    expect(ok('getLearningEvents', big).learningEvents).toHaveLength(1000);
  });
});

const ls = (ns: string, inner: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner.replace(/NS/g, ns)}</soapenv:Body></soapenv:Envelope>`;
const wcf = (inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;

describe('operations without recordings (responses written from the schemas)', () => {
  it('learnerByULN echoes the ULN and returns the learner', () => {
    const r = ok(
      'findLearnerByUln',
      ls(
        'http://api.lrs.miap.gov.uk/findmsg',
        '<ns2:FindLearnerResponse xmlns:ns2="NS"><ResponseCode>WSRC0004</ResponseCode><ULN>1026893096</ULN><FamilyName>Test</FamilyName><GivenName>Sample</GivenName><Learner><CreatedDate>2012-05-25</CreatedDate><LastUpdatedDate>2012-05-25</LastUpdatedDate><ULN>1026893096</ULN><GivenName>Sample</GivenName><FamilyName>Test</FamilyName><LastKnownPostCode>CV4 9EE</LastKnownPostCode><DateOfBirth>1990-01-01</DateOfBirth><Gender>1</Gender><AbilityToShare>1</AbilityToShare><LearnerStatus>1</LearnerStatus><VersionNumber>7</VersionNumber></Learner></ns2:FindLearnerResponse>',
      ),
    );
    expect(r.searchedUln).toBe('1026893096');
    expect(r.learners[0]?.versionNumber).toBe(7);
  });

  it('verifyLearner with failure flags', () => {
    const r = ok(
      'verifyLearner',
      ls(
        'http://api.lrs.miap.gov.uk/reportmsg',
        '<r:VerifyLearnerResponse xmlns:r="NS"><VerifiedLearner><SearchedULN>6936002314</SearchedULN><SearchedFamilyName>Test</SearchedFamilyName><SearchedGivenName>Smaple</SearchedGivenName><ResponseCode>WSVRC003</ResponseCode><ULN>6936002314</ULN><FamilyName>Test</FamilyName><GivenName>Sample</GivenName><FailureFlag>VRF1</FailureFlag><FailureFlag>VRF7</FailureFlag></VerifiedLearner></r:VerifyLearnerResponse>',
      ),
    );
    expect(r.responseCode).toBe('WSVRC003');
    expect(r.verifiedLearner.failureFlags).toEqual(['VRF1', 'VRF7']);
    expect(outcomeFor('VRF7').name).toBe('DATE_OF_BIRTH_MISMATCH');
  });

  it('register and update', () => {
    const reg = ok(
      'registerLearner',
      ls(
        'http://api.lrs.miap.gov.uk/regmsg',
        '<x:RegisterLearnerResponse xmlns:x="NS"><ResponseCode>WSRC0005</ResponseCode><ULN>1000000043</ULN></x:RegisterLearnerResponse>',
      ),
    );
    expect(reg).toEqual({ responseCode: 'WSRC0005', uln: '1000000043' });
    const dup = ok(
      'registerLearner',
      ls(
        'http://api.lrs.miap.gov.uk/regmsg',
        '<x:RegisterLearnerResponse xmlns:x="NS"><ResponseCode>WSRC0021</ResponseCode></x:RegisterLearnerResponse>',
      ),
    );
    expect(dup).toEqual({ responseCode: 'WSRC0021' });
    const upd = ok(
      'updateLearner',
      ls(
        'http://api.lrs.miap.gov.uk/regmsg',
        '<UpdateLearnerResponse xmlns="NS"><ResponseCode xmlns="">WSRC0013</ResponseCode></UpdateLearnerResponse>',
      ),
    );
    expect(outcomeFor(upd.responseCode).name).toBe('STALE_VERSION');
  });

  it('batch registration output with per-learner return codes', () => {
    const r = ok(
      'getBatchRegistrationOutput',
      ls(
        'http://api.lrs.miap.gov.uk/batchmsg',
        '<b:GetSubmitBatchOutputResponse xmlns:b="NS"><ResponseCode>WSRC0009</ResponseCode><JobStatus>Complete</JobStatus><NewLearnersCount>1</NewLearnersCount><RejectedLearnersCount>1</RejectedLearnersCount><JobStartedDateTime>2026-11-26 10:00:00</JobStartedDateTime><JobFinishedDateTime>2026-11-26 10:05:00</JobFinishedDateTime><Learner><ULN>1000000043</ULN><MISIdentifier>MIS-1</MISIdentifier><GivenName>A</GivenName><FamilyName>B</FamilyName><ReturnCode>WSRC0005</ReturnCode></Learner><Learner><MISIdentifier>MIS-2</MISIdentifier><GivenName>C</GivenName><FamilyName>D</FamilyName><ReturnCode>RC006</ReturnCode></Learner></b:GetSubmitBatchOutputResponse>',
      ),
    );
    expect(r.newLearnersCount).toBe(1);
    expect(r.learners.map((l) => [l.misIdentifier, l.returnCode, l.uln])).toEqual([
      ['MIS-1', 'WSRC0005', '1000000043'],
      ['MIS-2', 'RC006', undefined],
    ]);
    const running = ok(
      'getBatchRegistrationOutput',
      ls(
        'http://api.lrs.miap.gov.uk/batchmsg',
        '<b:GetSubmitBatchOutputResponse xmlns:b="NS"><ResponseCode>WSRC0008</ResponseCode></b:GetSubmitBatchOutputResponse>',
      ),
    );
    expect(running.learners).toEqual([]);
    expect(outcomeFor(running.responseCode)).toMatchObject({ class: 'retry-later', final: false });
  });

  it('submit batch, submit verify batch and verify batch output', () => {
    expect(
      ok(
        'submitBatchRegistration',
        ls(
          'http://api.lrs.miap.gov.uk/batchmsg',
          '<b:SubmitBatchResponse xmlns:b="NS"><ResponseCode>WSRC0007</ResponseCode><JobID>123456789012</JobID></b:SubmitBatchResponse>',
        ),
      ),
    ).toEqual({ responseCode: 'WSRC0007', jobId: '123456789012' });
    expect(
      ok(
        'submitVerifyBatch',
        ls(
          'http://api.lrs.miap.gov.uk/vldmsg',
          '<v:SubmitVerifyBatchResponse xmlns:v="NS"><ResponseCode>WSRC0007</ResponseCode><JobID>9</JobID></v:SubmitVerifyBatchResponse>',
        ),
      ),
    ).toEqual({ responseCode: 'WSRC0007', jobId: '9' });
    const out = ok(
      'getVerifyBatchOutput',
      ls(
        'http://api.lrs.miap.gov.uk/vldmsg',
        '<v:GetVerifyBatchOutputResponse xmlns:v="NS"><ResponseCode>WSRC0009</ResponseCode><VerifiedLearner><MISIdentifier>M1</MISIdentifier><SearchedULN>8383558804</SearchedULN><SearchedFamilyName>A</SearchedFamilyName><SearchedGivenName>B</SearchedGivenName><ResponseCode>WSVRC001</ResponseCode></VerifiedLearner><VerifiedLearner><SearchedULN>1174112637</SearchedULN><SearchedFamilyName>C</SearchedFamilyName><SearchedGivenName>D</SearchedGivenName><ResponseCode>WSVRC005</ResponseCode><FailureFlag>VRF5</FailureFlag></VerifiedLearner></v:GetVerifyBatchOutputResponse>',
      ),
    );
    expect(out.verifiedLearners.map((v) => [v.misIdentifier, v.responseCode, v.failureFlags])).toEqual([
      ['M1', 'WSVRC001', []],
      [undefined, 'WSVRC005', ['VRF5']],
    ]);
  });

  it('retrieveULNs', () => {
    const r = ok(
      'retrieveUlns',
      ls(
        'http://api.lrs.miap.gov.uk/reportmsg',
        '<r:RetrieveULNsResponse xmlns:r="NS"><RetrievedULNs><VerifiedULN><ULN>4444599390</ULN><MasterULN>6936002314</MasterULN></VerifiedULN><VerifiedULN><ULN>1026893096</ULN><FamilyName>Test</FamilyName></VerifiedULN></RetrievedULNs></r:RetrieveULNsResponse>',
      ),
    );
    expect(r.retrievedUlns).toEqual([
      { uln: '4444599390', masterUln: '6936002314' },
      { uln: '1026893096', familyName: 'Test' },
    ]);
  });

  it('R9 LearnerByUln, GetOrganisation, UpdateLearnerSubsetFields, ViewAudit', () => {
    const byUln = ok(
      'getLearnerByUln',
      wcf(
        '<LearnerByUlnResponse xmlns="http://tempuri.org/"><LearnerByUlnResult xmlns:a="http://api.lrs.qcf.gov.uk/model" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ResponseCode>WSRC0004</a:ResponseCode><a:FamilyName>Test</a:FamilyName><a:GivenName>Sample</a:GivenName><a:Learner xmlns:b="http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel"><b:AbilityToShare>1</b:AbilityToShare><b:DateOfDeath i:nil="true"/><b:LinkedUlns xmlns:c="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><c:string>4444599390</c:string></b:LinkedUlns><b:Uln>6936002314</b:Uln><b:VersionNumber>12</b:VersionNumber></a:Learner><a:Uln>6936002314</a:Uln></LearnerByUlnResult></LearnerByUlnResponse>',
      ),
    );
    expect(byUln).toEqual({
      responseCode: 'WSRC0004',
      familyName: 'Test',
      givenName: 'Sample',
      uln: '6936002314',
      // versionNumber as a number: what UpdateLearnerSubsetFields takes back.
      learner: { abilityToShare: '1', linkedUlns: ['4444599390'], uln: '6936002314', versionNumber: 12 },
    });
    const org = ok(
      'getOrganisation',
      wcf(
        '<GetOrganisationResponse xmlns="http://tempuri.org/"><GetOrganisationResult xmlns:a="http://api.lrs.qcf.gov.uk/model"><a:ResponseCode>WSRC0004</a:ResponseCode><a:DisplayName>Sample College</a:DisplayName><a:OrgRef>XYZ789</a:OrgRef><a:Status>Active</a:Status><a:Ukprn>10030488</a:Ukprn></GetOrganisationResult></GetOrganisationResponse>',
      ),
    );
    expect(org).toEqual({
      responseCode: 'WSRC0004',
      displayName: 'Sample College',
      orgRef: 'XYZ789',
      status: 'Active',
      ukprn: '10030488',
    });
    const subset = ok(
      'updateLearnerSubsetFields',
      wcf(
        '<UpdateLearnerSubsetFieldsResponse xmlns="http://tempuri.org/"><UpdateLearnerSubsetFieldsResult>WSRC0006</UpdateLearnerSubsetFieldsResult></UpdateLearnerSubsetFieldsResponse>',
      ),
    );
    expect(subset).toEqual({ responseCode: 'WSRC0006', result: 'WSRC0006' });
    const audit = ok(
      'viewAudit',
      wcf(
        '<ViewAuditResponse xmlns="http://tempuri.org/"><ViewAuditResult xmlns:a="http://api.lrs.qcf.gov.uk/model"><a:List><a:PlrAccessEntryResponse><a:Action>View</a:Action><a:DateTime>2026-11-01T09:00:00</a:DateTime><a:Organisation>Sample College</a:Organisation><a:User>jane</a:User></a:PlrAccessEntryResponse></a:List><a:PageCount>1</a:PageCount><a:PageIndex>1</a:PageIndex><a:PageSize>20</a:PageSize><a:TotalItems>1</a:TotalItems></ViewAuditResult></ViewAuditResponse>',
      ),
    );
    expect(audit.entries).toEqual([
      { action: 'View', dateTime: '2026-11-01T09:00:00', organisation: 'Sample College', user: 'jane' },
    ]);
    expect([audit.pageCount, audit.totalItems, audit.responseCode]).toEqual([1, 1, 'OK']);
  });

  it('ExternalService submit and job status', () => {
    const sub = ok(
      'submitAchievementBatch',
      wcf(
        '<SubmitAchievementBatchJobResponse xmlns="http://api.lrs.qcf.gov.uk/services"><SubmitAchievementBatchJobResult xmlns:a="http://api.lrs.qcf.gov.uk/model"><a:ResponseCode>WSRC0007</a:ResponseCode><a:JobId>991</a:JobId></SubmitAchievementBatchJobResult></SubmitAchievementBatchJobResponse>',
      ),
    );
    expect(sub).toEqual({ responseCode: 'WSRC0007', jobId: 991 });
    const job = ok(
      'getAchievementBatch',
      wcf(
        '<GetAchievementBatchJobResponse xmlns="http://api.lrs.qcf.gov.uk/services"><GetAchievementBatchJobResult xmlns:a="http://api.lrs.qcf.gov.uk/model" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ResponseCode i:nil="true"/><a:AchievementsCreated>10</a:AchievementsCreated><a:JobID>991</a:JobID><a:PercentageSuccessfulRecords>90.5</a:PercentageSuccessfulRecords><a:RejectionReason i:nil="true"/><a:Status>Successful</a:Status></GetAchievementBatchJobResult></GetAchievementBatchJobResponse>',
      ),
    );
    expect(job).toEqual({
      responseCode: '',
      achievementsCreated: 10,
      jobId: 991,
      percentageSuccessfulRecords: 90.5,
      status: 'Successful',
    });
  });
});

describe('shape problems', () => {
  it('malformed XML, a non-envelope and a wrong response element are "unexpected", not crashes', () => {
    expect(parseResponse('updateLearner', '<oops').kind).toBe('unexpected');
    expect(parseResponse('updateLearner', '<html><body>Service Unavailable</body></html>').kind).toBe(
      'unexpected',
    );
    expect(
      parseResponse(
        'updateLearner',
        ls('http://api.lrs.miap.gov.uk/regmsg', '<x:RegisterLearnerResponse xmlns:x="NS"/>'),
      ).kind,
    ).toBe('unexpected');
  });

  it('reads a recorded fault as a fault', () => {
    const r = parseResponse('findLearnerByDemographics', recorded('test-resources/error_ful.xml'));
    expect(r.kind).toBe('fault');
  });
});

describe('outcome of a response', () => {
  it('running jobs are retry-later with a wait; codes map through the catalogue; no code is COMPLETED', async () => {
    const { outcomeOfResponse } = await import('../../../shared/lrs/soap/client.js');
    expect(
      outcomeOfResponse('getAchievementBatch', { responseCode: 'WSRC0004', status: 'InProgress' }),
    ).toMatchObject({
      name: 'JOB_IN_PROGRESS',
      class: 'retry-later',
      retryAfterSeconds: 60,
    });
    expect(outcomeOfResponse('getAchievementBatch', { responseCode: '', status: 'Successful' }).name).toBe(
      'COMPLETED',
    );
    expect(
      outcomeOfResponse('getBatchRegistrationOutput', { responseCode: 'WSRC0008', learners: [] }),
    ).toMatchObject({ class: 'retry-later', final: false });
    expect(outcomeOfResponse('retrieveUlns', { responseCode: 'OK', retrievedUlns: [] }).class).toBe(
      'success',
    );
  });
});

describe('every element of the live schema is read', () => {
  it('GetAchievementBatchJob: each member of AchievementBatchJobResponse, by its XSD type', () => {
    const wsdl = readReference(referencePath('sunsis-core', 'current-wcf', 'ExternalService.wsdl'));
    const start = wsdl.indexOf('<xs:complexType name="AchievementBatchJobResponse">');
    const type = wsdl.slice(start, wsdl.indexOf('</xs:complexType>', start));
    const members = [
      ...type.matchAll(/<xs:element [^>]*name="([A-Za-z]+)"[^>]*type="([a-z]+:[A-Za-z]+)"/g),
    ].map(([, name, xsd]) => ({ name: name ?? '', xsd: xsd ?? '' }));
    expect(members.length).toBeGreaterThan(20);
    const value = (xsd: string, i: number) =>
      xsd === 'xs:int' ? String(i + 1) : xsd === 'xs:float' ? `${i}.5` : `text${i}`;
    const body = members.map((m, i) => `<a:${m.name}>${value(m.xsd, i)}</a:${m.name}>`).join('');
    const job = ok(
      'getAchievementBatch',
      wcf(
        `<GetAchievementBatchJobResponse xmlns="http://api.lrs.qcf.gov.uk/services"><GetAchievementBatchJobResult xmlns:a="http://api.lrs.qcf.gov.uk/model">${body}</GetAchievementBatchJobResult></GetAchievementBatchJobResponse>`,
      ),
    ) as unknown as Record<string, unknown>;
    members.forEach((m, i) => {
      const key = m.name === 'JobID' ? 'jobId' : m.name.charAt(0).toLowerCase() + m.name.slice(1);
      const expected = m.xsd === 'xs:int' ? i + 1 : m.xsd === 'xs:float' ? i + 0.5 : `text${i}`;
      expect(job[key], m.name).toBe(expected);
    });
  });
});
