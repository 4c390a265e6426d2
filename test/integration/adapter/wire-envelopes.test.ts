/**
 * The wire test: the SOAP envelopes the gateway actually sends (captured on a loopback mutual-TLS server,
 * through the real client, soap and our transport), for all 17 operations with optional fields present
 * and absent and with and without an OrganisationRef, validated by xmllint (libxml2) against the project's
 * own contract: a SOAP 1.1 envelope whose one Body child is checked strictly against the legacy MIAP XSDs
 * (LearnerService) or the schemas of our WSDLs (LearnerServiceR9, ExternalService). LearnerService
 * envelopes are also checked against the live WCF WSDL's schema, where the elements sent as xsi:nil
 * (credentials, optional demographics, LearnerToVerify DateOfBirth/Gender, OrgEmail) are
 * `minOccurs=1 nillable`: the same envelope passes both. SOAPAction and Content-Type are checked too.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import {
  type LrsServiceName,
  NS,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
} from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { schemaDocumentsFor, schemaFileFor } from '../../../shared/lrs/contract/wsdl.js';
import { createLrsClient } from '../../../shared/lrs/soap/client.js';
import { CREDS, CREDS_UKPRN_ONLY, SAMPLES } from '../../support/lrs-samples.js';
import { legacyXsd } from '../../support/reference.js';
import { wsdlSchemas } from '../../support/wcf-schemas.js';
import { MTLS_SERVER_OPTIONS, pemCreds, source } from './loopback.js';

const LEGACY_FILES = {
  [NS.findmsg]: 'findlearner.xsd',
  [NS.regmsg]: 'registerlearner.xsd',
  [NS.batchmsg]: 'batchlearner.xsd',
  [NS.vldmsg]: 'verifybatchlearner.xsd',
  [NS.reportmsg]: 'learnerreport.xsd',
} as Record<string, string>;
const legacyPreload = ['learner.xsd', ...Object.values(LEGACY_FILES)].map(legacyXsd);

/** A SOAP 1.1 envelope with exactly one Body child, validated strictly against the imported schemas. */
const envelopeSchema = (imports: [ns: string, file: string][]) => `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${NS.soapEnv}" elementFormDefault="qualified">
  ${imports.map(([ns, file]) => `<xs:import namespace="${ns}" schemaLocation="${file}"/>`).join('\n  ')}
  <xs:element name="Envelope">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Header" minOccurs="0">
          <xs:complexType><xs:sequence><xs:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="strict"/></xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Body">
          <xs:complexType><xs:sequence><xs:any namespace="##other" minOccurs="1" maxOccurs="1" processContents="strict"/></xs:sequence></xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>`;

const requestNamespaces = (service: LrsServiceName): string[] => [
  ...new Set(
    OPERATION_IDS.filter((op) => OPERATIONS[op].service === service).map((op) => OPERATIONS[op].request.ns),
  ),
];

/** The contract each service's envelopes are judged by: schema + preloaded files. */
const contracts = (): Record<
  string,
  { schema: string; preload: { fileName: string; contents: string }[] }
> => {
  const wcf = wsdlSchemas('LearnerService.wsdl');
  return {
    'legacy XSD': {
      schema: envelopeSchema(
        requestNamespaces('LearnerService').map((ns) => [ns, LEGACY_FILES[ns] as string]),
      ),
      preload: legacyPreload,
    },
    'live WCF WSDL': {
      schema: envelopeSchema(
        requestNamespaces('LearnerService').map((ns) => [ns, wcf.fileOf.get(ns) as string]),
      ),
      preload: wcf.files,
    },
    LearnerServiceR9: {
      schema: envelopeSchema(requestNamespaces('LearnerServiceR9').map((ns) => [ns, schemaFileFor(ns)])),
      preload: schemaDocumentsFor('LearnerServiceR9'),
    },
    ExternalService: {
      schema: envelopeSchema(requestNamespaces('ExternalService').map((ns) => [ns, schemaFileFor(ns)])),
      preload: schemaDocumentsFor('ExternalService'),
    },
  };
};

interface Captured {
  readonly envelope: string;
  readonly soapAction: string | undefined;
  readonly contentType: string | undefined;
  readonly path: string;
}

let server: https.Server;
let endpoint = '';
let last: Captured | undefined;

beforeAll(async () => {
  server = https.createServer(MTLS_SERVER_OPTIONS, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      last = {
        envelope: body,
        soapAction: req.headers.soapaction as string | undefined,
        contentType: req.headers['content-type'],
        path: req.url ?? '',
      };
      res.writeHead(503, { 'retry-after': '1' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const cases = OPERATION_IDS.flatMap((op) =>
  SAMPLES[op].flatMap((sample, i) =>
    [CREDS, CREDS_UKPRN_ONLY].map((creds, j) => ({
      name: `${op}, ${i === 0 ? 'optional fields given' : 'minimal'}, ${j === 0 ? 'UKPRN + OrganisationRef' : 'UKPRN only'}`,
      op,
      sample,
      creds,
      file: `${op}-${i}-${j}.xml`,
    })),
  ),
);

describe('every envelope the gateway sends validates against the project contract', () => {
  const captured = new Map<string, Captured>();
  const errors = new Map<string, string[]>();

  beforeAll(async () => {
    for (const c of cases) {
      const client = createLrsClient({
        endpoint,
        credentials: source(
          pemCreds({
            ukprn: c.creds.ukprn,
            organisationRef: c.creds.organisationRef,
            orgPassword: c.creds.orgPassword,
            vendorId: c.creds.vendorId,
            version: c.file,
          }),
        ),
        timeoutMs: 5_000,
      });
      last = undefined;
      await client
        .call(c.op as OperationId, validateRequest(c.op as OperationId, c.sample), {
          organisationId: 'TEST0001',
          requestId: c.file,
        })
        .catch(() => undefined);
      if (!last) throw new Error(`nothing captured for ${c.name}`);
      captured.set(c.file, last);
    }
    const judged = contracts();
    const groups: [string, typeof cases][] = [
      ['legacy XSD', cases.filter((c) => OPERATIONS[c.op as OperationId].service === 'LearnerService')],
      ['live WCF WSDL', cases.filter((c) => OPERATIONS[c.op as OperationId].service === 'LearnerService')],
      [
        'LearnerServiceR9',
        cases.filter((c) => OPERATIONS[c.op as OperationId].service === 'LearnerServiceR9'),
      ],
      ['ExternalService', cases.filter((c) => OPERATIONS[c.op as OperationId].service === 'ExternalService')],
    ];
    for (const [contract, group] of groups) {
      const files = group.map((c) => ({ fileName: c.file, contents: captured.get(c.file)?.envelope ?? '' }));
      // A known-bad envelope in the same run proves the check can fail and errors land on the right file.
      const first = files[0]?.contents ?? '';
      files.push({
        fileName: 'known-bad.xml',
        contents: first.replace(/<\/[^>]+><\/[^>]*Body>/, '<unexpected/>$&'),
      });
      const { schema, preload } = judged[contract] as ReturnType<typeof contracts>[string];
      const result = await validateXML({
        xml: files,
        schema: [{ fileName: 'envelope.xsd', contents: schema }],
        preload,
      });
      for (const f of files) errors.set(`${contract}/${f.fileName}`, []);
      for (const e of result.errors) errors.get(`${contract}/${e.loc?.fileName ?? ''}`)?.push(e.rawMessage);
      expect(errors.get(`${contract}/known-bad.xml`)?.length, contract).toBeGreaterThan(0);
    }
  }, 60_000);

  it('covers all 17 operations', () => {
    expect(new Set(cases.map((c) => c.op)).size).toBe(17);
    expect(OPERATION_IDS).toHaveLength(17);
  });

  it.each(cases)('$name', ({ op, file }) => {
    const def = OPERATIONS[op as OperationId];
    const c = captured.get(file) as Captured;
    expect(c.path).toBe(`/${def.service}.svc`);
    expect(c.soapAction).toBe(`"${def.soapAction}"`);
    expect(c.contentType).toBe('text/xml; charset=utf-8');
    if (def.service === 'LearnerService') {
      expect(errors.get(`legacy XSD/${file}`)).toEqual([]);
      expect(errors.get(`live WCF WSDL/${file}`)).toEqual([]);
    } else {
      expect(errors.get(`${def.service}/${file}`)).toEqual([]);
    }
  });

  it('an absent nillable element is sent as xsi:nil (and still passes both schemas above)', () => {
    const ukprnOnly = captured.get('findLearnerByDemographics-1-1.xml')?.envelope ?? '';
    for (const name of [
      'OrganisationRef',
      'PreviousFamilyName',
      'SchoolAtAge16',
      'PlaceOfBirth',
      'EmailAddress',
    ])
      expect(ukprnOnly).toContain(`<${name} i:nil="true"/>`);
    expect(captured.get('verifyLearner-1-0.xml')?.envelope).toContain('<DateOfBirth i:nil="true"/>');
  });
});
