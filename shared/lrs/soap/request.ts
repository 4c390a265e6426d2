/**
 * Builds the SOAP Body content of every operation from the contract (exact order, namespaces and
 * escaping), from a validated JSON request plus the organisation's in-body credentials.
 */
import type { OrganisationCredentials } from '../../ports/credentials.js';
import { type ContractElement, PREFIXES, REQUEST_CONTRACT } from '../contract/elements.js';
import { NS, type OperationId } from '../contract/operations.js';
import type { OperationRequest } from '../contract/schemas.js';
import { INVALID_XML_CHARS } from '../contract/xml-chars.js';
import { escapeXml } from './xml.js';

/** Values keyed by wire element name. Arrays repeat the element. */
export type WireValue =
  | string
  | number
  | WireObject
  | readonly WireObject[]
  | readonly string[]
  | null
  | undefined;
export interface WireObject {
  readonly [elementName: string]: WireValue;
}

/** The in-body identity for one call. */
export interface CallIdentity {
  readonly credentials: OrganisationCredentials;
  /** The LRS UserName: the end user when known, else the organisation's default. */
  readonly userName: string;
}

export class RequestBuildError extends Error {}

const prefixOf = (ns: string): string => {
  const p = PREFIXES[ns];
  if (p === undefined) throw new RequestBuildError(`No prefix for namespace ${ns}`);
  return p;
};

const collectNamespaces = (el: ContractElement, acc: Set<string>): Set<string> => {
  if (el.ns) acc.add(el.ns);
  if (el.nilWhenAbsent) acc.add(NS.xsi);
  for (const c of el.children ?? []) collectNamespaces(c, acc);
  return acc;
};

/** Root namespace declarations per operation, computed once. */
const ROOT_DECLS = new Map<OperationId, string>();
const rootDecls = (op: OperationId): string => {
  let d = ROOT_DECLS.get(op);
  if (d === undefined) {
    const nss = [...collectNamespaces(REQUEST_CONTRACT[op], new Set())];
    d = nss.map((ns) => ` xmlns:${prefixOf(ns)}="${ns}"`).join('');
    ROOT_DECLS.set(op, d);
  }
  return d;
};

const qname = (el: ContractElement): string => (el.ns ? `${prefixOf(el.ns)}:${el.name}` : el.name);

const writeLeaf = (out: string[], el: ContractElement, value: string | number, field: string): void => {
  const text = String(value);
  if (INVALID_XML_CHARS.test(text))
    throw new RequestBuildError(`${field} contains a character XML cannot carry`);
  const q = qname(el);
  out.push(`<${q}>${escapeXml(text)}</${q}>`);
};

const writeChildren = (out: string[], parent: ContractElement, value: WireObject, field: string): void => {
  for (const c of parent.children ?? []) {
    const v = value[c.name];
    const f = `${field}/${c.name}`;
    if (v === undefined || v === null) {
      if (c.nilWhenAbsent) out.push(`<${qname(c)} i:nil="true"/>`);
      else if (c.minOccurs === 1) throw new RequestBuildError(`${f} is required`);
      continue;
    }
    const items = Array.isArray(v)
      ? (v as readonly (string | WireObject)[])
      : [v as string | number | WireObject];
    if (items.length > c.maxOccurs) throw new RequestBuildError(`${f} occurs more than ${c.maxOccurs} times`);
    if (items.length < c.minOccurs) throw new RequestBuildError(`${f} is required`);
    for (const item of items) {
      if (c.children) {
        if (typeof item !== 'object') throw new RequestBuildError(`${f} must be a group`);
        const q = qname(c);
        out.push(`<${q}>`);
        writeChildren(out, c, item, f);
        out.push(`</${q}>`);
      } else {
        if (typeof item === 'object') throw new RequestBuildError(`${f} must be a value`);
        writeLeaf(out, c, item, f);
      }
    }
  }
};

/** Serialises a wire object against an operation's request contract into the Body content. */
export const serializeRequest = (op: OperationId, value: WireObject): string => {
  const root = REQUEST_CONTRACT[op];
  const q = qname(root);
  const out: string[] = [`<${q}${rootDecls(op)}>`];
  writeChildren(out, root, value, root.name);
  out.push(`</${q}>`);
  return out.join('');
};

// ---------------------------------------------------------------- JSON request → wire object

const lsCredentials = (id: CallIdentity): WireObject => ({
  OrganisationRef: id.credentials.organisationRef,
  UKPRN: id.credentials.ukprn,
  OrgPassword: id.credentials.orgPassword,
  UserName: id.userName,
});

/** R9 InvokingOrganisation (Amor.Qcf.Common). */
const invokingOrganisation = (id: CallIdentity): WireObject => ({
  Password: id.credentials.orgPassword,
  Reference: id.credentials.organisationRef,
  Ukprn: id.credentials.ukprn,
  Username: id.userName,
});

const r9Common = (id: CallIdentity, req: { userType: string; language: string }): WireObject => ({
  invokingOrganisation: invokingOrganisation(id),
  userType: req.userType,
  vendorId: String(id.credentials.vendorId),
  language: req.language,
});

const invokingUser = (id: CallIdentity): WireObject => ({
  OrgPassword: id.credentials.orgPassword,
  OrganisationRef: id.credentials.organisationRef ?? id.credentials.ukprn,
  UserName: id.userName,
});

/**
 * Every field of a (validated, strict) request under its LearnerService or ExternalService element name:
 * the JSON name capitalised (familyName → FamilyName), with `renames` where the service spells it
 * otherwise. The serialiser writes only the contract's elements, in its order, and rejects a missing
 * required one; the identity elements are spread after these, so a request field can never stand in
 * for them.
 */
const capitalised = (r: object, renames: Readonly<Record<string, string>> = {}): WireObject =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [renames[k] ?? k.charAt(0).toUpperCase() + k.slice(1), v as WireValue]),
  );

/** LearnerService spells two of its element names in capitals. */
const LEARNER_SERVICE_NAMES = { uln: 'ULN', misIdentifier: 'MISIdentifier' };
const lsFields = (r: object): WireObject => capitalised(r, LEARNER_SERVICE_NAMES);

const toDateTime = (v: string | undefined): string | undefined =>
  v === undefined ? undefined : v.length === 10 ? `${v}T00:00:00` : v;

type WireBuilders = { [K in OperationId]: (req: OperationRequest<K>, id: CallIdentity) => WireObject };

const WIRE: WireBuilders = {
  findLearnerByUln: (r, id) => ({ ...lsFields(r), ...lsCredentials(id) }),
  findLearnerByDemographics: (r, id) => ({ ...lsFields(r), ...lsCredentials(id) }),
  verifyLearner: (r, id) => ({ ...lsCredentials(id), LearnerToVerify: lsFields(r) }),
  registerLearner: (r, id) => ({ ...lsCredentials(id), Learner: lsFields(r.learner) }),
  updateLearner: (r, id) => ({ ...lsCredentials(id), Learner: lsFields(r.learner) }),
  submitBatchRegistration: (r, id) => ({
    ...lsCredentials(id),
    JobType: r.jobType,
    LearnerRecordCount: String(r.learners.length),
    Learner: r.learners.map(lsFields),
  }),
  getBatchRegistrationOutput: (r, id) => ({ ...lsCredentials(id), JobID: r.jobId }),
  submitVerifyBatch: (r, id) => ({
    ...lsCredentials(id),
    LearnerRecordCount: String(r.learners.length),
    OrgEmail: r.orgEmail,
    Learner: r.learners.map(lsFields),
  }),
  getVerifyBatchOutput: (r, id) => ({ ...lsCredentials(id), JobID: r.jobId }),
  retrieveUlns: (r, id) => ({ ...lsCredentials(id), ULNsToRetrieve: { ULN: r.ulns } }),
  // R9 elements carry the JSON names as they are; the identity elements are spread after the request.
  getLearningEvents: (r, id) => ({
    ...r,
    invokingOrganisation: {
      OrganisationRef: id.credentials.organisationRef,
      Password: id.credentials.orgPassword,
      Ukprn: id.credentials.ukprn,
      Username: id.userName,
    },
    vendorID: String(id.credentials.vendorId),
  }),
  getLearnerByUln: (r, id) => ({ ...r, ...r9Common(id, r) }),
  updateLearnerSubsetFields: (r, id) => ({ ...r, ...r9Common(id, r) }),
  viewAudit: (r, id) => ({
    ...r9Common(id, r),
    learnerUln: r.uln,
    learnerGivenName: r.givenName,
    learnerFamilyName: r.familyName,
    page: String(r.page),
  }),
  getOrganisation: (r, id) => ({
    ...r9Common(id, r),
    ukPrn: r.ukprn,
    orgRef: r.organisationRef,
  }),
  submitAchievementBatch: (r, id) => ({
    invokingUser: invokingUser(id),
    emailAddress: r.emailAddress,
    submissionType: r.submissionType,
    achievements: {
      Achievement: r.achievements.map(
        (a): WireObject => ({
          ...capitalised(a),
          AchievementAwardDate: toDateTime(a.achievementAwardDate),
          ActionDate: toDateTime(a.actionDate),
          // ExternalService spells it DateofBirth.
          DateofBirth: toDateTime(a.dateOfBirth),
        }),
      ),
    },
  }),
  getAchievementBatch: (r, id) => ({ invokingUser: invokingUser(id), jobId: String(r.jobId) }),
};

/** The wire object (element name → value) of a validated request. */
export const toWire = <K extends OperationId>(
  op: K,
  req: OperationRequest<K>,
  id: CallIdentity,
): WireObject => (WIRE[op] as (r: OperationRequest<K>, i: CallIdentity) => WireObject)(req, id);

/** The SOAP Body content for a validated request. */
export const buildRequestBody = <K extends OperationId>(
  op: K,
  req: OperationRequest<K>,
  id: CallIdentity,
): string => serializeRequest(op, toWire(op, req, id));

/** The full SOAP 1.1 envelope (what the soap client sends; used by tests and diagnostics). */
export const wrapEnvelope = (body: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${NS.soapEnv}"><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;
