import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORG, RECORDED_EXACT, useSimulator } from '../support/simulator.js';
import {
  at,
  bodyOf,
  EXT_ACTION,
  findByDemographics,
  getAchievementJob,
  plrRequest,
  R9_ACTION,
  type RegisterFields,
  registerLearner,
  send,
} from '../support/simulator-client.js';

const org = DEFAULT_ORG;
const exact = RECORDED_EXACT;
const find = findByDemographics(org, exact);

const { sim, send: sendTo } = useSimulator();
const post = (body = find, path = '/LearnerService.svc', opts: Parameters<typeof send>[4] = {}) =>
  sendTo(path, body, opts);

describe('mutual TLS', () => {
  it('serves a client with a certificate from the simulator CA', async () => {
    expect((await post()).status).toBe(200);
  });
  it('refuses a client without a certificate at TLS', async () => {
    await expect(post(find, '/LearnerService.svc', { clientCert: 'none' })).rejects.toThrow();
    expect(sim.requestCount()).toBe(0);
  });
  it('refuses a client with a certificate from an unrelated CA at TLS', async () => {
    await expect(post(find, '/LearnerService.svc', { clientCert: 'rogue' })).rejects.toThrow();
    await expect(
      send(sim.url, '/__admin/conditions', sim.certs, '{"outOfHours":true}', {
        clientCert: 'rogue',
        contentType: 'application/json',
      }),
    ).rejects.toThrow();
    expect(sim.conditions.outOfHours).toBe(false);
  });
});

describe('HTTP and SOAP envelope', () => {
  it('415 for a content type other than text/xml', async () => {
    expect((await post(find, '/LearnerService.svc', { contentType: 'application/soap+xml' })).status).toBe(
      415,
    );
  });
  it('a VersionMismatch fault for a SOAP 1.2 envelope', async () => {
    const res = await post(
      find.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'),
    );
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'faultcode')).toBe('s:VersionMismatch');
  });
  it('a WSEC0001 fault for malformed XML on LearnerService, 400 on R9', async () => {
    const res = await post(
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>',
    );
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'detail', 'MIAPAPIException', 'ErrorCode')).toBe('WSEC0001');
    expect((await post('<oops', '/LearnerServiceR9.svc')).status).toBe(400);
  });
  it('a fault for a document that is not a SOAP envelope, an empty Body, or a DOCTYPE', async () => {
    const notEnvelope = await post('<FindLearnerByULN/>');
    expect([notEnvelope.status, at(bodyOf(notEnvelope.body), 'faultcode')]).toEqual([500, 's:Client']);
    const empty = await post(
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
    );
    expect(at(bodyOf(empty.body), 'detail', 'MIAPAPIException', 'FurtherDetails')).toBe(
      'The SOAP Body must contain exactly one request element.',
    );
    const doctype = await post(`<!DOCTYPE x [<!ENTITY e "boom">]>${find}`);
    expect([doctype.status, at(bodyOf(doctype.body), 'detail', 'MIAPAPIException', 'ErrorCode')]).toEqual([
      500,
      'WSEC0001',
    ]);
  });
  it('ActionNotSupported for an unknown SOAPAction on R9; 404 for an unknown path', async () => {
    const res = await post(
      plrRequest(org, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
      '/LearnerServiceR9.svc',
      {
        soapAction: R9_ACTION('DeleteEverything'),
      },
    );
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'faultcode')).toBe('a:ActionNotSupported');
    expect((await post(find, '/Nothing.svc')).status).toBe(404);
  });
  it('accepts a BOM, an XML declaration, indentation and comments', async () => {
    const pretty = `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n${find.replace(/(<\/[^>]+>|\/>)</g, '$1\n  <').replace('<FindType>', '<!-- a comment --><FindType>')}`;
    expect(at(bodyOf((await post(pretty)).body), 'ResponseCode')).toBe('WSRC0004');
  });
  it('accepts a missing or empty SOAPAction on LearnerService, or the action of the body operation (routes by body element)', async () => {
    for (const soapAction of [undefined, '', 'http://tempuri.org/LearnerPortType/learnerByDemographics']) {
      const opts = soapAction === undefined ? {} : { soapAction };
      expect(at(bodyOf((await post(find, '/LearnerService.svc', opts)).body), 'ResponseCode')).toBe(
        'WSRC0004',
      );
    }
  });
});

describe('operating conditions', () => {
  it('out of hours: WSEC0004 as MIAPAPIException on LearnerService and as DomainFault on R9 and ExternalService', async () => {
    sim.setConditions({ outOfHours: true });
    const ls = await post();
    expect([ls.status, at(bodyOf(ls.body), 'detail', 'MIAPAPIException', 'ErrorCode')]).toEqual([
      500,
      'WSEC0004',
    ]);
    const r9 = await post(
      plrRequest(org, { uln: '1026893096', givenName: 'Sample', familyName: 'Testname' }),
      '/LearnerServiceR9.svc',
      {
        soapAction: R9_ACTION('GetLearnerLearningEvents'),
      },
    );
    expect([r9.status, at(bodyOf(r9.body), 'detail', 'DomainFault', 'ErrorCode')]).toEqual([500, 'WSEC0004']);
    const ext = await post(getAchievementJob(org, '1'), '/ExternalService.svc', {
      soapAction: EXT_ACTION('GetAchievementBatchJob'),
    });
    expect(at(bodyOf(ext.body), 'detail', 'DomainFault', 'ErrorCode')).toBe('WSEC0004');
    sim.resetConditions();
    expect((await post()).status).toBe(200);
  });
  it('latency delays every answer', async () => {
    sim.setConditions({ latencyMs: 120 });
    const started = Date.now();
    expect((await post()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });
  it('failure rate 1: HTTP 500 without a SOAP body, then 503, alternately', async () => {
    sim.setConditions({ failureRate: 1 });
    const a = await post();
    const b = await post();
    expect([a.status, a.body]).toEqual([500, '']);
    expect(b.status).toBe(503);
    expect(b.headers['retry-after']).toBe('1');
  });
  it('failure rate 0.5 fails about half of the requests, deterministically per seed', async () => {
    sim.setConditions({ failureRate: 0.5 });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await post()).status);
    const failed = statuses.filter((s) => s !== 200).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
  });
  it('reset rate 1 (before): the connection is reset and nothing is processed', async () => {
    await post(findByDemographics(org, { ...newPerson, postcode: newPerson.postcode }));
    sim.setConditions({ resetRate: 1 });
    await expect(post(registerLearner(org, newPerson))).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(sim.registeredUlns()).toEqual([]);
  });
  it('reset rate 1 (after): the request is processed but the answer is lost', async () => {
    await post(findByDemographics(org, { ...newPerson, postcode: newPerson.postcode }));
    sim.setConditions({ resetRate: 1, resetPhase: 'after' });
    await expect(post(registerLearner(org, newPerson))).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(sim.registeredUlns()).toHaveLength(1);
    sim.resetConditions();
    expect(at(bodyOf((await post(registerLearner(org, newPerson))).body), 'ResponseCode')).toBe('WSRC0021');
  });
  it('serves 50 concurrent connections with 50 ms latency', async () => {
    sim.setConditions({ latencyMs: 50 });
    const results = await Promise.all(Array.from({ length: 50 }, () => post()));
    expect(results.map((r) => at(bodyOf(r.body), 'ResponseCode'))).toEqual(Array(50).fill('WSRC0004'));
  });
});

const newPerson: RegisterFields = {
  givenName: 'Ottoline',
  familyName: 'Brackenbury',
  dateOfBirth: '2007-05-05',
  gender: '2',
  postcode: 'EX4 4QJ',
};

describe('admin endpoint (behind the client certificate)', () => {
  const admin = (path: string, body = '', method = 'POST') =>
    send(sim.url, path, sim.certs, body, { contentType: 'application/json', method });
  it('sets and reads conditions, refuses bad input naming the field, resets', async () => {
    const set = await admin('/__admin/conditions', '{"outOfHours":true,"latencyMs":5}');
    expect(set.status).toBe(200);
    expect(JSON.parse(set.body)).toMatchObject({ outOfHours: true, latencyMs: 5 });
    expect((await post()).status).toBe(500);
    const bad = await admin('/__admin/conditions', '{"failureRate":2}');
    expect([bad.status, JSON.parse(bad.body).error]).toEqual([
      400,
      'failureRate must be a number from 0 to 1',
    ]);
    const unknown = await admin('/__admin/conditions', '{"colour":"red"}');
    expect(JSON.parse(unknown.body).error).toBe("unknown condition 'colour'");
    expect((await admin('/__admin/reset')).status).toBe(200);
    expect(sim.conditions.outOfHours).toBe(false);
    expect((await post()).status).toBe(200);
  });
  it('reset restores the seeded register', async () => {
    await post(findByDemographics(org, newPerson));
    await post(registerLearner(org, newPerson));
    expect(sim.registeredUlns()).toHaveLength(1);
    await admin('/__admin/reset');
    expect(sim.registeredUlns()).toHaveLength(0);
  });
  it('changes timings (refusing bad ones) and finishes jobs early', async () => {
    const t = await admin('/__admin/timing', '{"batchDurationMs":60000}');
    expect(JSON.parse(t.body)).toMatchObject({ batchDurationMs: 60000 });
    const bad = await admin('/__admin/timing', '{"batchDurationMs":-5}');
    expect([bad.status, JSON.parse(bad.body).error]).toEqual([
      400,
      'batchDurationMs must be a non-negative integer',
    ]);
    const batch = (id?: string) =>
      id === undefined
        ? `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="http://api.lrs.miap.gov.uk/vldmsg"><soapenv:Body><v:SubmitVerifyBatch><UKPRN>TEST0001</UKPRN><OrgPassword>SimulatorPass001</OrgPassword><UserName>u</UserName><LearnerRecordCount>1</LearnerRecordCount><Learner><ULN>1026893096</ULN><FamilyName>Testname</FamilyName><GivenName>Sample</GivenName></Learner></v:SubmitVerifyBatch></soapenv:Body></soapenv:Envelope>`
        : `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v="http://api.lrs.miap.gov.uk/vldmsg"><soapenv:Body><v:GetVerifyBatchOutput><UKPRN>TEST0001</UKPRN><OrgPassword>SimulatorPass001</OrgPassword><UserName>u</UserName><JobID>${id}</JobID></v:GetVerifyBatchOutput></soapenv:Body></soapenv:Envelope>`;
    const id = at(bodyOf((await post(batch())).body), 'JobID') as string;
    expect(at(bodyOf((await post(batch(id))).body), 'ResponseCode')).toBe('WSRC0008');
    expect((await admin('/__admin/jobs/finish')).status).toBe(200);
    expect(at(bodyOf((await post(batch(id))).body), 'ResponseCode')).toBe('WSRC0009');
  });
  it('the request log holds operation names and codes only', async () => {
    await post();
    const log = JSON.parse((await admin('/__admin/requests', '', 'GET')).body);
    expect(log).toEqual([
      expect.objectContaining({ operation: 'learnerByDemographics', status: 200, code: 'WSRC0004' }),
    ]);
    expect(JSON.stringify(log)).not.toContain('Testname');
  });
});

describe('raw https with keep-alive', () => {
  it('answers several requests on one connection', async () => {
    const { Agent } = await import('node:https');
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      key: sim.certs.clientKey,
      cert: sim.certs.clientCert,
      ca: sim.certs.caCert,
    });
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const u = new URL('/LearnerService.svc', sim.url);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'text/xml' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(find);
      });
    expect([await once(), await once(), await once()]).toEqual([200, 200, 200]);
    agent.destroy();
  });
});
