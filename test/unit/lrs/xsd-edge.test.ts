/**
 * Whatever our validation accepts, the legacy MIAP XSDs accept: seeded random LearnerService
 * requests built from edge values (length limits, unicode, whitespace, leap days, BFPO, optional
 * fields on and off) are validated by us first, and every accepted one must pass the XSD.
 */
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { buildRequestBody } from '../../../shared/lrs/soap/request.js';
import type { OrganisationCredentials } from '../../../shared/ports/credentials.js';
import { CREDS, SAMPLES } from '../../support/lrs-samples.js';
import { LEGACY_XSD_FILES, legacyXsd } from '../../support/reference.js';

const preload = LEGACY_XSD_FILES.map(legacyXsd);
const WRAPPER = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${[
  ['findmsg', 'findlearner'],
  ['regmsg', 'registerlearner'],
  ['batchmsg', 'batchlearner'],
  ['vldmsg', 'verifybatchlearner'],
  ['reportmsg', 'learnerreport'],
]
  .map(([ns, f]) => `<xs:import namespace="http://api.lrs.miap.gov.uk/${ns}" schemaLocation="${f}.xsd"/>`)
  .join('')}</xs:schema>`;

/** Small deterministic PRNG (mulberry32). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const NAMES = [
  'A',
  ' A',
  'A ',
  'x'.repeat(35),
  "O'Brien & Sons <x>",
  'Zoë-Ånne',
  '张伟',
  'A\tB',
  'A\nB',
  '𝔄bc',
  'Mc"Quote"',
  ']]>',
];
const OPTIONAL_NAMES = ['', ...NAMES];
const POOLS: Record<string, readonly unknown[]> = {
  givenName: NAMES,
  familyName: NAMES,
  title: OPTIONAL_NAMES,
  middleOtherName: OPTIONAL_NAMES,
  preferredGivenName: OPTIONAL_NAMES,
  previousFamilyName: OPTIONAL_NAMES,
  familyNameAtAge16: OPTIONAL_NAMES,
  placeOfBirth: OPTIONAL_NAMES,
  schoolAtAge16: ['', 'S'.repeat(254), "St Mary's & <All> Saints"],
  lastKnownAddressLine1: ['', 'L'.repeat(50), '1 <Main> St & Co'],
  lastKnownAddressLine2: ['', 'L'.repeat(50)],
  lastKnownAddressTown: ['', 'Town'],
  lastKnownAddressCountyOrCity: ['', 'County'],
  lastKnownPostCode: [
    'CV4 9EE',
    'cv49ee',
    'BFPO 1',
    'BFPO1234',
    'W1A 0AX',
    'EC1A 1BB',
    'CV4 9EE  ',
    'M1 1AE',
    'bfpo 12   ',
  ],
  dateOfBirth: ['2000-02-29', '1800-01-01', '2099-12-31', '1999-12-31', '2024-02-29'],
  dateOfAddressCapture: ['2000-02-29', '2099-12-31'],
  gender: ['0', '1', '2', '9'],
  emailAddress: [
    'a@b.co',
    "o'brien+x@example.co.uk",
    'x.y-z@sub.domain.museum',
    `${'a'.repeat(64)}@example.com`,
  ],
  orgEmail: ['a@b.co', 'batch@example.ac.uk'],
  nationality: ['', 'GBR', 'UK'],
  scottishCandidateNumber: ['000000000', '123456789'],
  verificationType: ['0', '1', '2', '3', '4', '5', '6', '7', '999'],
  otherVerificationDescription: ['', 'D'.repeat(255)],
  abilityToShare: ['0', '1', '2'],
  notes: ['', 'N'.repeat(4000), 'a & b < c'],
  misIdentifier: ['', 'M'.repeat(128)],
  uln: ['1026893096', '1000000000', '9276308686', '1234567899'],
  versionNumber: [0, 1, 2147483647],
  jobId: ['1', '999999999999999999'],
  findType: ['FUL', 'CHK'],
  jobType: ['FUL', 'CHK'],
};

const mutate = (value: unknown, rnd: () => number): unknown => {
  if (Array.isArray(value)) return value.map((v) => mutate(v, rnd));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const pool = POOLS[k];
    if (k === 'ulns' && Array.isArray(v)) out[k] = v.map(() => POOLS.uln?.[Math.floor(rnd() * 4)]);
    else if (pool && typeof v !== 'object') {
      // Optional fields are sometimes dropped (absent) rather than given an edge value.
      out[k] = rnd() < 0.15 ? undefined : pool[Math.floor(rnd() * pool.length)];
    } else out[k] = mutate(v, rnd);
  }
  return out;
};

const LS_OPS = (Object.keys(SAMPLES) as OperationId[]).filter(
  (op) => OPERATIONS[op].service === 'LearnerService',
);

describe('edge values accepted by our validation are accepted by the MIAP XSDs', () => {
  it('300 seeded random requests across the 10 LearnerService operations', async () => {
    const rnd = prng(20261126);
    const files: { fileName: string; contents: string }[] = [];
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const op = LS_OPS[i % LS_OPS.length] as OperationId;
      const base = SAMPLES[op][i % 2];
      const candidate = JSON.parse(JSON.stringify(mutate(base, rnd)));
      let req: unknown;
      try {
        req = validateRequest(op, candidate);
      } catch {
        refused++; // e.g. a required field dropped: our validation refused it, nothing to send
        continue;
      }
      files.push({
        fileName: `edge-${i}-${op}.xml`,
        contents: buildRequestBody(op, req as never, {
          credentials: CREDS as OrganisationCredentials,
          userName: 'mis-service',
        }),
      });
    }
    expect(files.length).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(0);
    const result = await validateXML({
      xml: files,
      schema: [{ fileName: 'wrapper.xsd', contents: WRAPPER }],
      preload,
    });
    expect(result.errors.map((e) => `${e.loc?.fileName}: ${e.rawMessage}`)).toEqual([]);
  });
});
