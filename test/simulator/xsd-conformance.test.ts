/**
 * Cross-checks against the published legacy MIAP XSDs with an independent validator (libxml2's
 * xmllint, compiled to wasm): (1) for a corpus of LearnerService requests and mutations of them
 * (element removed, swapped, qualified, unknown element added, bad values), the simulator accepts
 * exactly the requests the XSDs accept; (2) the simulator's LearnerService responses and faults are
 * valid against the XSDs, as the recorded responses are.
 * Over 500 lines because most of it is the request corpus, one table of requests and their mutations
 * that reads best whole, beside the xmllint check it feeds.
 */
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { notableLearner } from '../../simulator/index.js';
import { LEARNER_SERVICE_REQUESTS, validateComplex } from '../../simulator/schema.js';
import { parseXml } from '../../simulator/xml.js';
import { legacyXsd, recorded as recordedFile } from '../support/reference.js';
import { DEFAULT_ORG, UKPRN_ORG, useSimulator } from '../support/simulator.js';
import {
  findByDemographics,
  findByUln,
  getAchievementJob,
  getOrganisation,
  learnerByUlnR9,
  learnerEnvelope,
  legacyCreds,
  NS,
  type Org,
  plrRequest,
  registerLearner,
  retrieveUlns,
  submitAchievements,
  updateLearner,
  updateSubsetFields,
  verifyLearner,
  viewAudit,
  xmlEscape,
} from '../support/simulator-client.js';
import { wsdlSchemas } from '../support/wcf-schemas.js';

const SCHEMA_BY_NS: Record<string, string> = {
  [NS.findmsg]: 'findlearner.xsd',
  [NS.regmsg]: 'registerlearner.xsd',
  [NS.batchmsg]: 'batchlearner.xsd',
  [NS.vldmsg]: 'verifybatchlearner.xsd',
  [NS.reportmsg]: 'learnerreport.xsd',
  'http://api.lrs.miap.gov.uk/exceptions': 'fault.xsd',
};

/** Validates documents with xmllint against the schema of their root namespace; returns the invalid file names. */
const xmllintInvalid = async (docs: { name: string; ns: string; xml: string }[]): Promise<Set<string>> => {
  const invalid = new Set<string>();
  const byNs = new Map<string, typeof docs>();
  for (const d of docs) byNs.set(d.ns, [...(byNs.get(d.ns) ?? []), d]);
  for (const [ns, group] of byNs) {
    const schemaFile = SCHEMA_BY_NS[ns] as string;
    const r = await validateXML({
      xml: group.map((d) => ({ fileName: d.name, contents: d.xml })),
      schema: [legacyXsd(schemaFile)],
      preload: [legacyXsd('learner.xsd')],
      maxMemoryPages: 4096,
    });
    for (const e of r.errors) {
      if (e.loc?.fileName) invalid.add(e.loc.fileName);
      if (process.env.XSD_DEBUG) console.log(e.rawMessage);
    }
  }
  return invalid;
};

// ---- the request corpus ------------------------------------------------------------------------

interface N {
  name: string;
  text?: string;
  kids?: N[];
  qualified?: boolean;
}

const org: Org = { ukprn: 'TEST0001', password: 'SimulatorPass001', userName: 'sim.user' };
const creds = (): N[] => [
  { name: 'OrganisationRef', text: 'TST001' },
  { name: 'UKPRN', text: org.ukprn as string },
  { name: 'OrgPassword', text: org.password },
  { name: 'UserName', text: org.userName },
];
const leaf = (pairs: [string, string][]): N[] => pairs.map(([name, text]) => ({ name, text }));
const learnerToRegister = (): N[] =>
  leaf([
    ['Title', 'Ms'],
    ['GivenName', 'Ann'],
    ['FamilyName', 'Smith'],
    ['LastKnownPostCode', 'CV4 9EE'],
    ['DateOfAddressCapture', ''],
    ['DateOfBirth', '2000-02-29'],
    ['Gender', '2'],
    ['EmailAddress', 'ann.smith@example.org'],
    ['ScottishCandidateNumber', '123456789'],
    ['VerificationType', '999'],
    ['AbilityToShare', '1'],
    ['Notes', 'n'],
  ]);

const BASES: { ns: string; root: N }[] = [
  {
    ns: NS.findmsg,
    root: {
      name: 'FindLearnerByULN',
      kids: [
        { name: 'FindType', text: 'FUL' },
        ...creds(),
        ...leaf([
          ['ULN', '1026893096'],
          ['FamilyName', 'Testname'],
          ['GivenName', 'Sample'],
        ]),
      ],
    },
  },
  {
    ns: NS.findmsg,
    root: {
      name: 'FindLearnerByDemographics',
      kids: [
        { name: 'FindType', text: 'CHK' },
        ...creds(),
        ...leaf([
          ['FamilyName', 'Testname'],
          ['GivenName', 'Sample'],
          ['DateOfBirth', '1976-08-16'],
          ['Gender', '9'],
          ['LastKnownPostCode', 'BFPO 123'],
          ['PreviousFamilyName', ''],
          ['SchoolAtAge16', 'A school'],
          ['PlaceOfBirth', ''],
          ['EmailAddress', ''],
        ]),
      ],
    },
  },
  {
    ns: NS.regmsg,
    root: { name: 'RegisterLearner', kids: [...creds(), { name: 'Learner', kids: learnerToRegister() }] },
  },
  {
    ns: NS.regmsg,
    root: {
      name: 'UpdateLearner',
      kids: [
        ...creds(),
        {
          name: 'Learner',
          kids: [
            ...learnerToRegister(),
            ...leaf([
              ['ULN', '1026893096'],
              ['VersionNumber', '3'],
            ]),
          ],
        },
      ],
    },
  },
  {
    ns: NS.batchmsg,
    root: {
      name: 'SubmitBatch',
      kids: [
        ...creds(),
        ...leaf([
          ['JobType', 'FUL'],
          ['LearnerRecordCount', '2'],
        ]),
        {
          name: 'Learner',
          kids: leaf([
            ['ULN', ''],
            ['MISIdentifier', 'm1'],
            ['GivenName', 'Ann'],
            ['FamilyName', 'Smith'],
            ['LastKnownPostCode', ''],
            ['DateOfBirth', ''],
            ['Gender', ''],
          ]),
        },
        {
          name: 'Learner',
          kids: leaf([
            ['ULN', '1026893096'],
            ['GivenName', 'Sample'],
            ['FamilyName', 'Testname'],
            ['AbilityToShare', '2'],
            ['VerificationType', '7'],
          ]),
        },
      ],
    },
  },
  {
    ns: NS.batchmsg,
    root: { name: 'GetSubmitBatchOutput', kids: [...creds(), { name: 'JobID', text: '700001' }] },
  },
  {
    ns: NS.vldmsg,
    root: {
      name: 'SubmitVerifyBatch',
      kids: [
        ...creds(),
        ...leaf([
          ['LearnerRecordCount', '1'],
          ['OrgEmail', 'mis@example.org'],
        ]),
        {
          name: 'Learner',
          kids: leaf([
            ['MISIdentifier', 'x'],
            ['ULN', '1026893096'],
            ['FamilyName', 'Testname'],
            ['GivenName', 'Sample'],
            ['DateOfBirth', ''],
            ['Gender', '2'],
          ]),
        },
      ],
    },
  },
  {
    ns: NS.vldmsg,
    root: { name: 'GetVerifyBatchOutput', kids: [...creds(), { name: 'JobID', text: '42' }] },
  },
  {
    ns: NS.reportmsg,
    root: {
      name: 'RetrieveULNs',
      kids: [
        ...creds(),
        {
          name: 'ULNsToRetrieve',
          kids: leaf([
            ['ULN', '1026893096'],
            ['ULN', '4444599390'],
          ]),
        },
      ],
    },
  },
  {
    ns: NS.reportmsg,
    root: {
      name: 'VerifyLearner',
      kids: [
        ...creds(),
        {
          name: 'LearnerToVerify',
          kids: leaf([
            ['ULN', '1026893096'],
            ['FamilyName', 'Testname'],
            ['GivenName', 'Sample'],
            ['DateOfBirth', '1976-08-16'],
            ['Gender', ''],
          ]),
        },
      ],
    },
  },
];

const BAD_VALUES = [
  '',
  '   ',
  'x'.repeat(36),
  '0123456789',
  '10268930961',
  '2001-02-30',
  '1899-12-31',
  '3',
  'FULL',
  '0',
  '201',
  '-1',
  'abc',
  'CV4  9EE',
  'bad@',
  '12345678',
  '1234567',
];

const serialize = (ns: string, root: N): string => {
  const w = (n: N, top: boolean): string => {
    const name = top || n.qualified ? `m:${n.name}` : n.name;
    const attrs = top ? ` xmlns:m="${ns}"` : '';
    const inner = n.kids ? n.kids.map((k) => w(k, false)).join('') : xmlEscape(n.text ?? '');
    return `<${name}${attrs}>${inner}</${name}>`;
  };
  return w(root, true);
};

const clone = (n: N): N => structuredClone(n);

/** Mutations of the children of `target` (a node inside `root`, found by path of indexes). */
const mutations = (root: N): { label: string; root: N }[] => {
  const out: { label: string; root: N }[] = [];
  const visit = (path: number[]) => {
    const node = path.reduce<N>((n, i) => (n.kids as N[])[i] as N, root);
    const kids = node.kids ?? [];
    const at = (r: N) => path.reduce<N>((n, i) => (n.kids as N[])[i] as N, r);
    kids.forEach((k, i) => {
      const label = `${[root.name, ...path.map(String)].join('/')}/${k.name}#${i}`;
      const removed = clone(root);
      at(removed).kids?.splice(i, 1);
      out.push({ label: `${label} removed`, root: removed });
      if (i + 1 < kids.length) {
        const swapped = clone(root);
        const ks = at(swapped).kids as N[];
        [ks[i], ks[i + 1]] = [ks[i + 1] as N, ks[i] as N];
        out.push({ label: `${label} swapped with next`, root: swapped });
      }
      const qualified = clone(root);
      ((at(qualified).kids as N[])[i] as N).qualified = true;
      out.push({ label: `${label} qualified`, root: qualified });
      const extra = clone(root);
      at(extra).kids?.splice(i + 1, 0, { name: 'Unknown', text: 'x' });
      out.push({ label: `${label} followed by an unknown element`, root: extra });
      if (k.kids) visit([...path, i]);
      else
        for (const v of BAD_VALUES) {
          const bad = clone(root);
          ((at(bad).kids as N[])[i] as N).text = v;
          out.push({ label: `${label} = '${v}'`, root: bad });
        }
    });
  };
  visit([]);
  return out;
};

describe('request validation agrees with the legacy XSDs (xmllint)', () => {
  it('accepts and refuses exactly what the XSDs accept and refuse', async () => {
    const docs = BASES.flatMap((b, bi) => [
      { label: `${b.root.name} (base)`, ns: b.ns, root: b.root, name: `b${bi}.xml` },
      ...mutations(b.root).map((m, mi) => ({ ...m, ns: b.ns, name: `b${bi}m${mi}.xml` })),
    ]).map((d) => ({ ...d, xml: serialize(d.ns, d.root) }));
    const invalidByXsd = await xmllintInvalid(docs);
    const disagreements: string[] = [];
    let refused = 0;
    for (const d of docs) {
      const el = parseXml(d.xml);
      const def = LEARNER_SERVICE_REQUESTS[el.local];
      const ours = def ? validateComplex(el, def.type) : { message: 'unknown root' };
      if (ours) refused++;
      if (Boolean(ours) !== invalidByXsd.has(d.name)) {
        disagreements.push(
          `${d.label}: xsd ${invalidByXsd.has(d.name) ? 'invalid' : 'valid'}, simulator ${ours ? `invalid (${ours.message})` : 'valid'}`,
        );
      }
    }
    expect(docs.length).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(docs.length / 2);
    expect(disagreements).toEqual([]);
  });
});

// ---- responses ---------------------------------------------------------------------------------

/**
 * The body element of a response as a standalone document, with two known differences undone:
 * LinkedULNs is qualified in the recorded responses but unqualified in the legacy XSD; and the legacy
 * MIAPDateTime pattern only accepts a bare date or a 29 February date-time (its alternation is
 * unbracketed), so the `yyyy-MM-dd HH:mm:ss` job times are checked here as their date part.
 */
const bodyElement = (envelope: string): { ns: string; xml: string } => {
  const fault = envelope.match(/<ns10:MIAPAPIException[\s\S]*<\/ns10:MIAPAPIException>/);
  const m = fault ?? envelope.match(/<soapenv:Body>([\s\S]*)<\/soapenv:Body>/);
  const xml = (fault ? fault[0] : (m?.[1] ?? ''))
    .replace(/<LinkedULNs xmlns="http:\/\/api.lrs.miap.gov.uk\/learner"(\/?)>/g, '<LinkedULNs$1>')
    .replace(/(<Job(?:Started|Finished)DateTime>\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d</g, '$1<');
  return { ns: parseXml(xml).ns, xml };
};

const {
  sim,
  learnerService,
  r9: postR9,
  external,
} = useSimulator({ batchDurationMs: 60_000 }, { resetBeforeEach: false });

let collected: Promise<string[]> | undefined;
/** Drives the simulator through every LearnerService outcome once; the answers (envelopes). */
const learnerServiceBodies = (): Promise<string[]> => {
  collected ??= (async () => {
    const o = UKPRN_ORG;
    const post = (b: string) => learnerService(b).then((r) => r.body);
    const bodies: string[] = [];
    const d = (
      familyName: string,
      givenName: string,
      dateOfBirth: string,
      gender: string,
      postcode: string,
    ) => ({ familyName, givenName, dateOfBirth, gender, postcode });
    for (const q of [
      d('Testname', 'Sample', '1976-08-16', '2', 'CV49EE'),
      d('Test', 'Sample', '1985-03-27', '1', 'AB125EQ'),
      d('Tester', 'Sample', '1995-06-28', '2', 'ZZ12ZZ'),
      d('Everybody', 'Everybody', '2000-01-01', '2', 'CV49EE'),
      d('Nobody', 'Nobody', '2000-01-01', '2', 'CV49EE'),
    ]) {
      bodies.push(await post(findByDemographics(o, q)));
    }
    bodies.push(await post(findByUln(o, '4444599390', 'Test', 'Sample')));
    bodies.push(await post(findByUln(o, '1026893096', 'Nobody', 'Else')));
    const similar = notableLearner('similar');
    for (const v of [
      {
        uln: '1026893096',
        familyName: 'Testname',
        givenName: 'Sample',
        dateOfBirth: '1976-08-16',
        gender: '2',
      },
      { uln: '4444599390', familyName: 'Test', givenName: 'Sample' },
      { uln: similar.uln, familyName: similar.familyName, givenName: 'Jonathon' },
      { uln: '1026893096', familyName: 'Zzz', givenName: 'Yyy', dateOfBirth: '1970-01-01', gender: '1' },
      { uln: '1000000043', familyName: 'A', givenName: 'B' },
    ]) {
      bodies.push(await post(verifyLearner(o, v)));
    }
    bodies.push(await post(retrieveUlns(o, ['1026893096', '4444599390', '1000000043'])));
    const person = {
      givenName: 'Xanthe',
      familyName: 'Dobbington',
      dateOfBirth: '2004-04-04',
      gender: '2',
      postcode: 'NG1 5FS',
    };
    await post(findByDemographics(o, person));
    bodies.push(await post(registerLearner(o, person)));
    bodies.push(await post(registerLearner(o, person)));
    bodies.push(await post(updateLearner(o, { ...person, postcode: 'NG2 6AA' }, '1026893096', 1)));
    const batch = await post(
      learnerEnvelope(
        NS.batchmsg,
        'SubmitBatch',
        `${legacyCreds(o)}<JobType>FUL</JobType><LearnerRecordCount>2</LearnerRecordCount><Learner><MISIdentifier>1</MISIdentifier><GivenName>Sample</GivenName><FamilyName>Testname</FamilyName><LastKnownPostCode>CV4 9EE</LastKnownPostCode><DateOfBirth>1976-08-16</DateOfBirth><Gender>2</Gender></Learner><Learner><GivenName>New</GivenName><FamilyName>Personne</FamilyName><LastKnownPostCode>CV4 9EE</LastKnownPostCode><DateOfBirth>1999-09-09</DateOfBirth><Gender>1</Gender></Learner>`,
      ),
    );
    bodies.push(batch);
    const vbatch = await post(
      learnerEnvelope(
        NS.vldmsg,
        'SubmitVerifyBatch',
        `${legacyCreds(o)}<LearnerRecordCount>2</LearnerRecordCount><Learner><MISIdentifier>1</MISIdentifier><ULN>1026893096</ULN><FamilyName>Testname</FamilyName><GivenName>Sample</GivenName></Learner><Learner><ULN>1000000043</ULN><FamilyName>A</FamilyName><GivenName>B</GivenName></Learner>`,
      ),
    );
    bodies.push(vbatch);
    const jobId = (x: string) => x.match(/<JobID>(\d+)<\/JobID>/)?.[1] as string;
    const batchOutput = (id: string) =>
      post(learnerEnvelope(NS.batchmsg, 'GetSubmitBatchOutput', `${legacyCreds(o)}<JobID>${id}</JobID>`));
    const verifyBatchOutput = (id: string) =>
      post(learnerEnvelope(NS.vldmsg, 'GetVerifyBatchOutput', `${legacyCreds(o)}<JobID>${id}</JobID>`));
    // The output of a job still running and of an unknown job (the job times are mandatory).
    bodies.push(await batchOutput(jobId(batch)), await batchOutput('424242'));
    sim.finishJobs();
    bodies.push(await batchOutput(jobId(batch)), await verifyBatchOutput(jobId(vbatch)));
    bodies.push(
      await post(findByUln({ ...o, password: 'WrongPassword000' }, '1026893096', 'Testname', 'Sample')),
    );
    bodies.push(await post(findByUln(o, '1234567890', 'Testname', 'Sample')));
    return bodies;
  })();
  return collected;
};

/** The recorded FindLearnerByDemographics answers (MoJ WireMock) the schema checks take as controls. */
const RECORDED_FINDS = [
  'exact_match_ful',
  'linked_learner_found_ful',
  'possible_match_two_learners_ful',
  'too_many_matches_ful',
];
const recordedFind = (name: string) => recordedFile(`wiremock/FindLearnerByDemographics__${name}.xml`);

describe('LearnerService responses are valid against the legacy XSDs', () => {
  it('the recorded responses are valid once LinkedULNs is unqualified (the one known difference)', async () => {
    const docs = [...RECORDED_FINDS.map(recordedFind), recordedFile('test-resources/error_ful.xml')].map(
      (xml, i) => ({ name: `r${i}.xml`, ...bodyElement(xml) }),
    );
    expect([...(await xmllintInvalid(docs))]).toEqual([]);
  });

  it('every response and fault the simulator gives for LearnerService', async () => {
    const bodies = await learnerServiceBodies();
    const docs = bodies.map((b, i) => ({ name: `s${i}.xml`, ...bodyElement(b) }));
    expect(docs.every((x) => x.xml.length > 0)).toBe(true);
    const invalid = await xmllintInvalid(docs);
    expect([...invalid].map((n) => docs.find((x) => x.name === n)?.xml.slice(0, 300))).toEqual([]);
  });
});

// ---- R9 and ExternalService responses against the schemas embedded in the current WCF WSDLs ----

const validateAgainstWsdl = async (wsdl: string, docs: { name: string; xml: string }[]) => {
  const { files, fileOf } = wsdlSchemas(wsdl);
  const invalid: string[] = [];
  const byNs = new Map<string, typeof docs>();
  for (const d of docs) {
    const ns = parseXml(d.xml).ns;
    byNs.set(ns, [...(byNs.get(ns) ?? []), d]);
  }
  for (const [ns, group] of byNs) {
    const main = files.find((f) => f.fileName === fileOf.get(ns));
    if (!main) throw new Error(`no schema for ${ns}`);
    const r = await validateXML({
      xml: group.map((d) => ({ fileName: d.name, contents: d.xml })),
      schema: [main],
      preload: files.filter((f) => f !== main),
    });
    for (const e of r.errors) invalid.push(`${e.loc?.fileName ?? '?'}: ${e.message}`);
  }
  return invalid;
};

const wcfBody = (envelope: string) =>
  envelope.match(
    /<ns10:MIAPAPIException[\s\S]*<\/ns10:MIAPAPIException>|<DomainFault[\s\S]*<\/DomainFault>/,
  )?.[0] ??
  envelope.match(/<(?:s|soapenv):Body>([\s\S]*)<\/(?:s|soapenv):Body>/)?.[1] ??
  '';

describe('R9 and ExternalService responses are valid against the WCF WSDL schemas', () => {
  const o = DEFAULT_ORG;
  it('the recorded GetLearnerLearningEvents responses are valid (control)', async () => {
    const docs = ['exact_match_full', 'linked_learner', 'not_shared', 'not_verified'].map((n) => ({
      name: n,
      xml: wcfBody(recordedFile(`wiremock/GetLearnerLearningEvents__${n}.xml`)),
    }));
    expect(await validateAgainstWsdl('LearnerServiceR9.wsdl', docs)).toEqual([]);
  });
  it('every R9 answer and DomainFault of the simulator', async () => {
    const r9 = (op: string, b: string) => postR9(op, b).then((r) => r.body);
    const plr = notableLearner('plrExact');
    const bodies = [
      await r9('GetLearnerLearningEvents', plrRequest(o, plr)),
      await r9(
        'GetLearnerLearningEvents',
        plrRequest(o, { uln: '4444599390', givenName: 'Sample', familyName: 'Test' }),
      ),
      await r9('GetLearnerLearningEvents', plrRequest(o, notableLearner('notShared'))),
      await r9('GetLearnerLearningEvents', plrRequest(o, { uln: plr.uln, givenName: 'X', familyName: 'Y' })),
      await r9('LearnerByUln', learnerByUlnR9(o, '6936002314', 'Testing-Sample', 'Test')),
      await r9('LearnerByUln', learnerByUlnR9(o, '1026893096', 'No', 'Body')),
      await r9(
        'UpdateLearnerSubsetFields',
        updateSubsetFields(o, { uln: '1026893096', version: 1, telephone: '01234 567890' }),
      ),
      await r9('ViewAudit', viewAudit(o, plr.uln, plr.givenName, plr.familyName)),
      await r9('GetOrganisation', getOrganisation(o, 'TEST0003')),
      await r9('GetOrganisation', getOrganisation(o, 'NONE0000')),
      await r9('GetLearnerLearningEvents', plrRequest({ ...o, password: 'WrongPassword000' }, plr)),
    ];
    expect(
      await validateAgainstWsdl(
        'LearnerServiceR9.wsdl',
        bodies.map((b, i) => ({ name: `r9-${i}`, xml: wcfBody(b) })),
      ),
    ).toEqual([]);
  });
  it('every ExternalService answer of the simulator', async () => {
    const ext = (op: string, b: string) => external(op, b).then((r) => r.body);
    const plr = notableLearner('plrExact');
    const sub = await ext(
      'SubmitAchievementBatchJob',
      submitAchievements(o, [
        { uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName, grade: 'Pass' },
        { uln: '1000000043', givenName: 'A', familyName: 'B' },
      ]),
    );
    const jobId = sub.match(/<a:JobId>(\d+)<\/a:JobId>/)?.[1] as string;
    const running = await ext('GetAchievementBatchJob', getAchievementJob(o, jobId));
    sim.finishJobs();
    const done = await ext('GetAchievementBatchJob', getAchievementJob(o, jobId));
    const unknown = await ext('GetAchievementBatchJob', getAchievementJob(o, '1'));
    const docs = [sub, running, done, unknown].map((b, i) => ({ name: `ext-${i}`, xml: wcfBody(b) }));
    expect(await validateAgainstWsdl('ExternalService.wsdl', docs)).toEqual([]);
  });
});

describe('LearnerService responses are valid against the current WCF WSDL schema too', () => {
  it('the recorded FindLearnerResponse messages (control) and every non-fault answer of the simulator', async () => {
    const recorded = RECORDED_FINDS.map((n) => ({ name: n, xml: wcfBody(recordedFind(n)) }));
    expect(await validateAgainstWsdl('LearnerService.wsdl', recorded)).toEqual([]);
    const ours = (await learnerServiceBodies())
      .filter((b) => !b.includes('MIAPAPIException'))
      .map((b, i) => ({ name: `ls-${i}`, xml: wcfBody(b) }));
    expect(ours.length).toBeGreaterThan(15);
    expect(await validateAgainstWsdl('LearnerService.wsdl', ours)).toEqual([]);
  });
});
