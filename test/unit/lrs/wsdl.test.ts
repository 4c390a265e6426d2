/**
 * Our own WSDLs describe the services correctly: every request the adapter builds, for all 17
 * operations, validates against the schemas of our WSDL (the same generator, as standalone XSDs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { OPERATION_IDS, OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { schemaDocumentsFor, schemaFileFor, wsdlFor } from '../../../shared/lrs/contract/wsdl.js';
import { loadWsdl } from '../../../shared/lrs/soap/client.js';
import { buildRequestBody } from '../../../shared/lrs/soap/request.js';
import type { OrganisationCredentials } from '../../../shared/ports/credentials.js';
import { CREDS, CREDS_UKPRN_ONLY, SAMPLES } from '../../support/lrs-samples.js';

const SERVICES = ['LearnerService', 'LearnerServiceR9', 'ExternalService'] as const;

const wrapperFor = (service: (typeof SERVICES)[number]) => {
  const nss = [
    ...new Set(
      OPERATION_IDS.filter((op) => OPERATIONS[op].service === service).map((op) => OPERATIONS[op].request.ns),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${nss
    .map((ns) => `<xs:import namespace="${ns}" schemaLocation="${schemaFileFor(ns)}"/>`)
    .join('')}</xs:schema>`;
};

const cases = OPERATION_IDS.flatMap((op) =>
  SAMPLES[op].flatMap((sample, i) =>
    [CREDS, CREDS_UKPRN_ONLY].map((creds, j) => ({
      name: `${op} sample ${i} creds ${j}`,
      op,
      sample,
      creds,
      file: `${op}-${i}-${j}.xml`,
    })),
  ),
);

describe('our WSDLs', () => {
  const errors = new Map<string, string[]>();
  beforeAll(async () => {
    for (const service of SERVICES) {
      const mine = cases.filter((c) => OPERATIONS[c.op as OperationId].service === service);
      const files = mine.map((c) => ({
        fileName: c.file,
        contents: buildRequestBody(c.op as OperationId, validateRequest(c.op as OperationId, c.sample), {
          credentials: c.creds as OrganisationCredentials,
          userName: 'mis-service',
        }),
      }));
      files.push({
        fileName: `${service}-known-bad.xml`,
        contents: (files[0]?.contents ?? '').replace(/<\/[^>]+>$/, '<unexpected/>$&'),
      });
      const result = await validateXML({
        xml: files,
        schema: [{ fileName: 'wrapper.xsd', contents: wrapperFor(service) }],
        preload: schemaDocumentsFor(service),
      });
      for (const f of files) errors.set(f.fileName, []);
      for (const e of result.errors) errors.get(e.loc?.fileName ?? '')?.push(e.rawMessage);
      expect(errors.get(`${service}-known-bad.xml`)?.length).toBeGreaterThan(0);
    }
  });

  it.each(cases)('$name validates against our WSDL schemas', ({ file }) => {
    expect(errors.get(file)).toEqual([]);
  });

  it.each(SERVICES.map((s) => ({ s })))('$s WSDL describes every operation of the service', ({ s }) => {
    const text = wsdlFor(s);
    for (const op of OPERATION_IDS.filter((o) => OPERATIONS[o].service === s)) {
      expect(text).toContain(`<wsdl:operation name="${OPERATIONS[op].lrsName}">`);
    }
  });

  it.each(OPERATION_IDS)(
    "%s: the adapter's WSDL loads in soap and binds that operation alone, with its SOAPAction",
    async (op) => {
      const { service, lrsName, soapAction } = OPERATIONS[op];
      const wsdl = (await loadWsdl(op)) as unknown as {
        definitions: {
          services: Record<
            string,
            { ports: Record<string, { binding: { methods: Record<string, unknown> } }> }
          >;
        };
      };
      const services = wsdl.definitions.services;
      expect(Object.keys(services)).toEqual([`${service}Proxy`]);
      const ports = Object.values(services[`${service}Proxy`]?.ports ?? {});
      expect(ports).toHaveLength(1);
      expect(Object.keys(ports[0]?.binding.methods ?? {})).toEqual([lrsName]);
      const text = wsdlFor(service, undefined, { requests: 'any', operation: op });
      expect(text).toContain(`soapAction="${soapAction}"`);
      const others = OPERATION_IDS.filter((o) => o !== op && OPERATIONS[o].service === service);
      for (const other of others) {
        expect(text).not.toContain(`<wsdl:operation name="${OPERATIONS[other].lrsName}">`);
      }
    },
  );

  it('refuses an operation of another service', () => {
    expect(() => wsdlFor('ExternalService', undefined, { operation: 'verifyLearner' })).toThrow(
      'verifyLearner is not an operation of ExternalService',
    );
  });
});
