/**
 * Every LearnerService request the adapter can build validates against the legacy MIAP schemas
 * (the ones the Java back end enforces), with optional fields present and absent and awkward values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { NS, OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { buildRequestBody } from '../../../shared/lrs/soap/request.js';
import type { OrganisationCredentials } from '../../../shared/ports/credentials.js';
import { CREDS, CREDS_UKPRN_ONLY, SAMPLES } from '../../support/lrs-samples.js';
import { LEGACY_XSD_FILES, legacyXsd } from '../../support/reference.js';

const preload = LEGACY_XSD_FILES.map(legacyXsd);

/** A wrapper schema (no target namespace) that imports every LearnerService message schema. */
const WRAPPER = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="${NS.findmsg}" schemaLocation="findlearner.xsd"/>
  <xs:import namespace="${NS.regmsg}" schemaLocation="registerlearner.xsd"/>
  <xs:import namespace="${NS.batchmsg}" schemaLocation="batchlearner.xsd"/>
  <xs:import namespace="${NS.vldmsg}" schemaLocation="verifybatchlearner.xsd"/>
  <xs:import namespace="${NS.reportmsg}" schemaLocation="learnerreport.xsd"/>
</xs:schema>`;

const validate = async (xml: string) =>
  validateXML({
    xml: [{ fileName: 'request.xml', contents: xml }],
    schema: [{ fileName: 'wrapper.xsd', contents: WRAPPER }],
    preload,
  });

const LEARNER_SERVICE_OPS = (Object.keys(SAMPLES) as OperationId[]).filter(
  (op) => OPERATIONS[op].service === 'LearnerService',
);

const bodyFor = (op: OperationId, sample: unknown, creds: OrganisationCredentials): string =>
  `<?xml version="1.0" encoding="UTF-8"?>${buildRequestBody(op, validateRequest(op, sample), { credentials: creds, userName: creds.userName })}`;

describe('LearnerService requests validate against the legacy MIAP XSDs', () => {
  it('covers all 10 LearnerService operations', () => {
    expect(LEARNER_SERVICE_OPS).toHaveLength(10);
  });

  const cases = LEARNER_SERVICE_OPS.flatMap((op) =>
    SAMPLES[op].flatMap((sample, i) => [
      {
        name: `${op} ${i === 0 ? 'with optional fields' : 'minimal'} (UKPRN + OrganisationRef)`,
        op,
        sample,
        creds: CREDS,
      },
      {
        name: `${op} ${i === 0 ? 'with optional fields' : 'minimal'} (UKPRN only)`,
        op,
        sample,
        creds: CREDS_UKPRN_ONLY,
      },
    ]),
  );

  // One xmllint run for all cases (each run instantiates the wasm module); errors are per file.
  let errorsByFile: Map<string, string[]>;
  beforeAll(async () => {
    const files = cases.map((c, i) => ({
      fileName: `case-${i}.xml`,
      contents: bodyFor(c.op, c.sample, c.creds as OrganisationCredentials),
    }));
    // A known-bad file in the same run proves errors are attributed to the right file.
    const bad = files[0]?.contents.replace('<FindType>', '<FindType>XXX') ?? '';
    files.push({ fileName: 'known-bad.xml', contents: bad });
    const result = await validateXML({
      xml: files,
      schema: [{ fileName: 'wrapper.xsd', contents: WRAPPER }],
      preload,
    });
    errorsByFile = new Map(files.map((f) => [f.fileName, []]));
    for (const e of result.errors) errorsByFile.get(e.loc?.fileName ?? 'case-0.xml')?.push(e.rawMessage);
    expect(result.errors.every((e) => e.loc?.fileName !== undefined)).toBe(true);
    expect(errorsByFile.get('known-bad.xml')?.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c, i) => ({ ...c, file: `case-${i}.xml` })))('$name', ({ file }) => {
    expect(errorsByFile.get(file)).toEqual([]);
  });

  it('the check can fail: a qualified child (the trap of the live WSDL) is rejected', async () => {
    const xml = bodyFor('findLearnerByUln', SAMPLES.findLearnerByUln[1], CREDS)
      .replace('<FindType>', '<fnd:FindType>')
      .replace('</FindType>', '</fnd:FindType>');
    expect((await validate(xml)).valid).toBe(false);
  });

  it('the check can fail: elements out of schema order are rejected', async () => {
    const xml = bodyFor('findLearnerByUln', SAMPLES.findLearnerByUln[1], CREDS).replace(
      /<FamilyName>(.*?)<\/FamilyName><GivenName>(.*?)<\/GivenName>/,
      '<GivenName>$2</GivenName><FamilyName>$1</FamilyName>',
    );
    expect((await validate(xml)).valid).toBe(false);
  });

  it('the check can fail: a value breaking a facet (blank name) is rejected', async () => {
    const xml = bodyFor('findLearnerByUln', SAMPLES.findLearnerByUln[1], CREDS).replace(
      '<GivenName>Sample</GivenName>',
      '<GivenName>   </GivenName>',
    );
    expect((await validate(xml)).valid).toBe(false);
  });

  it('a batch of 200 learners validates', async () => {
    const learners = Array.from({ length: 200 }, (_, i) => ({
      givenName: `Given${i}`,
      familyName: "O'Brien & Sons <x>",
    }));
    const xml = bodyFor('submitBatchRegistration', { learners }, CREDS);
    const result = await validate(xml);
    expect(result.errors).toEqual([]);
  });
});
