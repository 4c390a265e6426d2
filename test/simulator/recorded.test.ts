/**
 * Structural comparison with the realistic recorded LRS responses (MoJ fixtures): the same element
 * QNames, order, prefixes, namespace declarations and i:nil markers; for the recorded test learners,
 * which the simulator seeds, the same values too (timestamps aside).
 */
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { notableLearner } from '../../simulator/index.js';
import { recorded as fixture } from '../support/reference.js';
import { UKPRN_ORG, useSimulator } from '../support/simulator.js';
import {
  type Demographics,
  findByDemographics,
  plrRequest,
  R9_ACTION,
  send,
} from '../support/simulator-client.js';

interface Node {
  readonly path: string;
  readonly sig: string;
  readonly text: string;
}

/** Every element in document order: depth, raw name, namespace, its xmlns declarations and xsi attributes. */
const structure = (xml: string): Node[] => {
  const out: Node[] = [];
  const stack: { path: string; text: string; idx: number }[] = [];
  const p = new SaxesParser({ xmlns: true });
  p.on('opentag', (t) => {
    const attrs = Object.values(t.attributes)
      .map((a) => `${a.name}=${a.name.startsWith('xmlns') || a.local === 'nil' ? a.value : '*'}`)
      .sort()
      .join(' ');
    const path = `${stack.map((s) => s.path.split('/').pop()).join('/')}/${t.name}`;
    out.push({ path, sig: `${stack.length} ${t.name} {${t.uri}} [${attrs}]`, text: '' });
    stack.push({ path, text: '', idx: out.length - 1 });
  });
  p.on('text', (x) => {
    const top = stack[stack.length - 1];
    if (top) top.text += x;
  });
  p.on('closetag', () => {
    const top = stack.pop();
    if (top) {
      const n = out[top.idx] as Node;
      out[top.idx] = { ...n, text: top.text.trim() };
    }
  });
  p.write(xml).close();
  return out;
};

const sigs = (xml: string) => structure(xml).map((n) => n.sig);
const values = (xml: string, skip: string[] = []) =>
  structure(xml)
    .filter((n) => !skip.some((s) => n.path.endsWith(s)))
    .map((n) => `${n.sig} = ${n.text}`);

const org = UKPRN_ORG;

const { sim } = useSimulator({}, { resetBeforeEach: false });

const demographicsFromFixture = (xml: string): Demographics => {
  const nodes = structure(xml);
  const echo = (name: string) => nodes.find((n) => n.sig.startsWith(`3 ${name} `))?.text ?? '';
  return {
    familyName: echo('FamilyName'),
    givenName: echo('GivenName'),
    dateOfBirth: echo('DateOfBirth'),
    gender: echo('Gender'),
    postcode: echo('LastKnownPostCode'),
  };
};

describe('learnerByDemographics answers like the recorded responses', () => {
  it.each([
    'exact_match_ful',
    'linked_learner_found_ful',
    'no_match_ful',
    'too_many_matches_ful',
    'possible_match_one_learner_ful',
    'possible_match_two_learners_ful',
  ])('%s: same structure and values', async (name) => {
    const recorded = fixture(`wiremock/FindLearnerByDemographics__${name}.xml`);
    const res = await send(
      sim.url,
      '/LearnerService.svc',
      sim.certs,
      findByDemographics(org, demographicsFromFixture(recorded)),
    );
    expect(res.status).toBe(200);
    expect(sigs(res.body)).toEqual(sigs(recorded));
    expect(values(res.body)).toEqual(values(recorded));
  });
});

describe('GetLearnerLearningEvents answers like the recorded responses', () => {
  const plr = (p: Parameters<typeof plrRequest>[1]) =>
    send(sim.url, '/LearnerServiceR9.svc', sim.certs, plrRequest(org, p), {
      soapAction: R9_ACTION('GetLearnerLearningEvents'),
    });

  it('not shared and not verified: same structure and values', async () => {
    const ns = notableLearner('notShared');
    const shared = await plr(ns);
    expect(values(shared.body)).toEqual(values(fixture('wiremock/GetLearnerLearningEvents__not_shared.xml')));
    const p = notableLearner('plrExact');
    const unverified = await plr({ uln: p.uln, givenName: 'Someone', familyName: 'Else' });
    expect(values(unverified.body)).toEqual(
      values(fixture('wiremock/GetLearnerLearningEvents__not_verified.xml')),
    );
  });

  it('accepts the request exactly as the MoJ production client shapes it (default namespace on the Envelope)', async () => {
    const p = notableLearner('plrExact');
    const moj = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tem="http://tempuri.org/" xmlns="http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface"><soapenv:Header/><soapenv:Body><tem:GetLearnerLearningEvents><tem:invokingOrganisation><Password>${org.password}</Password><Ukprn>${org.ukprn}</Ukprn><Username>${org.userName}</Username></tem:invokingOrganisation><tem:userType>ORG</tem:userType><tem:vendorID>1</tem:vendorID><tem:language>ENG</tem:language><tem:uln>${p.uln}</tem:uln><tem:givenName>${p.givenName}</tem:givenName><tem:familyName>${p.familyName}</tem:familyName><tem:dateOfBirth></tem:dateOfBirth><tem:gender></tem:gender><tem:getType>FULL</tem:getType></tem:GetLearnerLearningEvents></soapenv:Body></soapenv:Envelope>`;
    const res = await send(sim.url, '/LearnerServiceR9.svc', sim.certs, moj, {
      soapAction: R9_ACTION('GetLearnerLearningEvents'),
      contentType: 'text/xml',
    });
    expect(res.status).toBe(200);
    expect(structure(res.body).find((n) => n.path.endsWith('a:ResponseCode'))?.text).toBe('WSRC0004');
  });

  /** Envelope and result structure, and each learning event's element list per source type. */
  const shape = (xml: string) => {
    const nodes = structure(xml);
    const head = nodes.filter((n) => !n.path.includes('LearningEvent')).map((n) => n.sig);
    const events = new Map<string, string[]>();
    let current: string[] = [];
    for (const n of nodes) {
      if (n.path.endsWith('/a:LearningEvent')) current = [];
      else if (n.path.includes('/a:LearningEvent/')) {
        current.push(n.sig);
        if (n.path.endsWith('/a:Source')) events.set(n.text, current);
      }
    }
    return { head, events };
  };

  it.each([
    ['exact_match_full', () => notableLearner('plrExact')],
    ['linked_learner', () => ({ uln: '4444599390', givenName: 'Sample', familyName: 'Test' })],
  ])('%s: same envelope, codes and per-source event structure', async (name, who) => {
    const recorded = shape(fixture(`wiremock/GetLearnerLearningEvents__${name}.xml`));
    const res = await plr(who());
    const ours = shape(res.body);
    expect(ours.head).toEqual(recorded.head);
    for (const source of ['ILR', 'NPD', 'AO']) {
      expect(ours.events.get(source), source).toEqual(recorded.events.get(source));
    }
    const codes = (xml: string) =>
      structure(xml)
        .filter((n) => /ResponseCode|FoundULN|IncomingULN/.test(n.path))
        .map((n) => n.text);
    expect(codes(res.body)).toEqual(codes(fixture(`wiremock/GetLearnerLearningEvents__${name}.xml`)));
  });
});

describe('faults answer like the recorded ones', () => {
  it('WSEC0001 for an empty name: same fault, same text (timestamp aside)', async () => {
    const res = await send(
      sim.url,
      '/LearnerService.svc',
      sim.certs,
      findByDemographics(
        { ...org, userName: '' },
        { familyName: 'A', givenName: 'B', dateOfBirth: '2000-01-01', gender: '1', postcode: 'CV1 1AA' },
      ),
    );
    expect(res.status).toBe(500);
    expect(values(res.body, ['ErrorTimestamp'])).toEqual(
      values(fixture('test-resources/error_ful.xml'), ['ErrorTimestamp']),
    );
    expect(structure(res.body).find((n) => n.path.endsWith('ErrorTimestamp'))?.text).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
  });
  it('maintenance and GET: the recorded UnsupportedHttpVerb fault', async () => {
    const recorded = values(fixture('test-resources/error_down_ful.xml'), ['ErrorTimestamp']);
    const get = await send(sim.url, '/LearnerService.svc', sim.certs, '', { method: 'GET' });
    expect(get.status).toBe(500);
    expect(values(get.body, ['ErrorTimestamp'])).toEqual(recorded);
    sim.setConditions({ maintenance: true });
    try {
      for (const path of ['/LearnerService.svc', '/LearnerServiceR9.svc', '/ExternalService.svc']) {
        const res = await send(sim.url, path, sim.certs, '<x/>');
        expect(res.status).toBe(500);
        expect(values(res.body, ['ErrorTimestamp'])).toEqual(recorded);
      }
    } finally {
      sim.resetConditions();
    }
  });
});
