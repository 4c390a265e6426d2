/**
 * The simulator is as strict as the WCF host in front of the LRS: a charset other than UTF-8 is a 415,
 * a mustUnderstand header is an s:MustUnderstand fault, a missing, empty or wrong SOAPAction is
 * ActionNotSupported on every R9 and ExternalService operation (LearnerService: only an action that does
 * not belong to the body's operation); getBatchRegistrationOutput always carries the mandatory job times;
 * and 64-bit job ids keep every digit.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORGANISATION } from '../../simulator/index.js';
import { RECORDED_EXACT, useSimulator } from '../support/simulator.js';
import * as sc from '../support/simulator-client.js';

const org = sc.defaultOrg(DEFAULT_ORGANISATION);
const find = sc.findByDemographics(org, RECORDED_EXACT);

/** One request per R9 and ExternalService operation, with its path and action. */
const WCF_REQUESTS: { op: string; path: string; action: string; body: string }[] = [
  [
    'GetLearnerLearningEvents',
    sc.plrRequest(org, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
  ],
  ['LearnerByUln', sc.learnerByUlnR9(org, '1026893096', 'Sample', 'Testname')],
  ['UpdateLearnerSubsetFields', sc.updateSubsetFields(org, { uln: '1026893096', version: 1 })],
  ['ViewAudit', sc.viewAudit(org, '1026893096', 'Sample', 'Testname')],
  ['GetOrganisation', sc.getOrganisation(org, DEFAULT_ORGANISATION.ukprn)],
]
  .map(([op, body]) => ({
    op: op as string,
    path: '/LearnerServiceR9.svc',
    action: sc.R9_ACTION(op as string),
    body: body as string,
  }))
  .concat(
    [
      [
        'SubmitAchievementBatchJob',
        sc.submitAchievements(org, [{ uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }]),
      ],
      ['GetAchievementBatchJob', sc.getAchievementJob(org, '1')],
    ].map(([op, body]) => ({
      op: op as string,
      path: '/ExternalService.svc',
      action: sc.EXT_ACTION(op as string),
      body: body as string,
    })),
  );

const LARGE_FIRST_ID = '9007199254740993'; // 2^53 + 1: a JS number would read it as ...992
const { sim, send: post } = useSimulator(
  { batchDurationMs: 60_000, firstJobId: LARGE_FIRST_ID },
  { resetBeforeEach: false },
);

describe('charset', () => {
  it.each([
    'text/xml; charset=iso-8859-1',
    'text/xml; charset=utf-16',
    'text/xml; charset=windows-1252',
    'application/xml',
  ])('%s is refused with 415 on every service', async (contentType) => {
    for (const [path, body] of [
      ['/LearnerService.svc', find],
      ...WCF_REQUESTS.map((r) => [r.path, r.body]),
    ] as const) {
      const res = await post(path, body, { contentType });
      expect(res.status, path).toBe(415);
      expect(res.body).toContain("was not the expected type 'text/xml; charset=utf-8'");
    }
  });

  it.each(['text/xml', 'text/xml; charset=utf-8', 'text/xml; charset="UTF-8"', 'TEXT/XML; Charset=UTF-8'])(
    '%s is accepted',
    async (contentType) => {
      const res = await post('/LearnerService.svc', find, { contentType });
      expect(sc.at(sc.bodyOf(res.body), 'ResponseCode')).toBe('WSRC0004');
    },
  );
});

describe('mustUnderstand headers', () => {
  const withHeader = (envelope: string, mu: string) =>
    envelope.replace(
      /<soapenv:Header\/>/,
      `<soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" soapenv:mustUnderstand="${mu}"/></soapenv:Header>`,
    );

  it('a mustUnderstand="1" header is an s:MustUnderstand fault on every service, and nothing is processed', async () => {
    const before = sim.requestCount();
    for (const [path, body, action] of [
      ['/LearnerService.svc', find, undefined],
      ...WCF_REQUESTS.map((r) => [r.path, r.body, r.action]),
    ] as const) {
      const res = await post(path, withHeader(body, '1'), action ? { soapAction: action } : {});
      expect(res.status, path).toBe(500);
      expect(res.body).toContain('s:MustUnderstand');
      expect(sc.at(sc.bodyOf(res.body), 'faultstring')).toContain("The header 'Security' from the namespace");
    }
    expect(
      sim
        .requests()
        .slice(before)
        .every((r) => r.code === 'MustUnderstand'),
    ).toBe(true);
  });

  it('the same header with mustUnderstand="0" is ignored', async () => {
    const res = await post('/LearnerService.svc', withHeader(find, '0'));
    expect(sc.at(sc.bodyOf(res.body), 'ResponseCode')).toBe('WSRC0004');
  });
});

describe('SOAPAction', () => {
  for (const r of WCF_REQUESTS) {
    it(`${r.op}: the right action is served; missing, empty or another operation's action is ActionNotSupported`, async () => {
      const ok = await post(r.path, r.body, { soapAction: r.action });
      expect(ok.body).not.toContain('ActionNotSupported');
      const other = WCF_REQUESTS.find((x) => x.path !== r.path)?.action ?? '';
      for (const opts of [{}, { soapAction: '' }, { soapAction: other }, { soapAction: `${r.action}X` }]) {
        const res = await post(r.path, r.body, opts);
        expect(res.status).toBe(500);
        expect(res.body).toContain('a:ActionNotSupported');
      }
    });
  }

  it('LearnerService: an action of another operation or service is ActionNotSupported', async () => {
    for (const soapAction of [
      'http://tempuri.org/LearnerPortType/verifyLearner',
      sc.R9_ACTION('LearnerByUln'),
    ]) {
      const res = await post('/LearnerService.svc', find, { soapAction });
      expect(res.status).toBe(500);
      expect(res.body).toContain('a:ActionNotSupported');
    }
  });
});

describe('batch jobs', () => {
  const submit = () =>
    post(
      '/LearnerService.svc',
      sc.learnerEnvelope(
        sc.NS.batchmsg,
        'SubmitBatch',
        `${sc.legacyCreds(org)}<JobType>FUL</JobType><LearnerRecordCount>1</LearnerRecordCount><Learner><GivenName>Sample</GivenName><FamilyName>Testname</FamilyName><LastKnownPostCode>CV4 9EE</LastKnownPostCode><DateOfBirth>1976-08-16</DateOfBirth><Gender>2</Gender></Learner>`,
      ),
    );
  const output = (jobId: string) =>
    post(
      '/LearnerService.svc',
      sc.learnerEnvelope(
        sc.NS.batchmsg,
        'GetSubmitBatchOutput',
        `${sc.legacyCreds(org)}<JobID>${jobId}</JobID>`,
      ),
    );
  const MIAP_DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/;

  it('64-bit job ids keep every digit: the first id is 2^53 + 1, and its neighbour is another job', async () => {
    sim.reset();
    const id = sc.at(sc.bodyOf((await submit()).body), 'JobID');
    expect(id).toBe(LARGE_FIRST_ID);
    const second = sc.at(sc.bodyOf((await submit()).body), 'JobID');
    expect(second).toBe('9007199254740994');
    expect(sc.at(sc.bodyOf((await output('9007199254740992')).body), 'ResponseCode')).toBe('WSRC0018');
    sim.finishJobs();
    expect(sc.at(sc.bodyOf((await output(LARGE_FIRST_ID)).body), 'ResponseCode')).toBe('WSRC0009');
  });

  it('a job id beyond xs:long is a WSEC0001 validation fault', async () => {
    const res = await output('9223372036854775808');
    expect(res.status).toBe(500);
    expect(sc.at(sc.bodyOf(res.body), 'detail', 'MIAPAPIException', 'ErrorCode')).toBe('WSEC0001');
    expect(res.body).toContain('cvc-maxInclusive-valid');
  });

  it('the output of a waiting job and of an unknown job carries both mandatory job times', async () => {
    sim.reset();
    const id = sc.at(sc.bodyOf((await submit()).body), 'JobID') as string;
    for (const [jobId, code] of [
      [id, 'WSRC0008'],
      ['123', 'WSRC0018'],
    ] as const) {
      const r = sc.bodyOf((await output(jobId)).body);
      expect(sc.at(r, 'ResponseCode')).toBe(code);
      expect(sc.at(r, 'JobStartedDateTime')).toMatch(MIAP_DATE_TIME);
      expect(sc.at(r, 'JobFinishedDateTime')).toMatch(MIAP_DATE_TIME);
    }
  });
});
