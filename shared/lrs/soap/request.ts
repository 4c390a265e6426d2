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

/** The names from the past, the address and the birth details, in the order both learner types list them. */
const pastNamesAndAddress = (
  l: Partial<
    Pick<
      OperationRequest<'registerLearner'>['learner'],
      | 'previousFamilyName'
      | 'familyNameAtAge16'
      | 'schoolAtAge16'
      | 'lastKnownAddressLine1'
      | 'lastKnownAddressLine2'
      | 'lastKnownAddressTown'
      | 'lastKnownAddressCountyOrCity'
      | 'lastKnownPostCode'
      | 'dateOfAddressCapture'
      | 'dateOfBirth'
      | 'placeOfBirth'
    >
  >,
): WireObject => ({
  PreviousFamilyName: l.previousFamilyName,
  FamilyNameAtAge16: l.familyNameAtAge16,
  SchoolAtAge16: l.schoolAtAge16,
  LastKnownAddressLine1: l.lastKnownAddressLine1,
  LastKnownAddressLine2: l.lastKnownAddressLine2,
  LastKnownAddressTown: l.lastKnownAddressTown,
  LastKnownAddressCountyOrCity: l.lastKnownAddressCountyOrCity,
  LastKnownPostCode: l.lastKnownPostCode,
  DateOfAddressCapture: l.dateOfAddressCapture,
  DateOfBirth: l.dateOfBirth,
  PlaceOfBirth: l.placeOfBirth,
});

const learnerToRegister = (l: OperationRequest<'registerLearner'>['learner']): WireObject => ({
  Title: l.title,
  GivenName: l.givenName,
  MiddleOtherName: l.middleOtherName,
  FamilyName: l.familyName,
  PreferredGivenName: l.preferredGivenName,
  ...pastNamesAndAddress(l),
  Gender: l.gender,
  EmailAddress: l.emailAddress,
  Nationality: l.nationality,
  ScottishCandidateNumber: l.scottishCandidateNumber,
  VerificationType: l.verificationType,
  OtherVerificationDescription: l.otherVerificationDescription,
  AbilityToShare: l.abilityToShare,
  Notes: l.notes,
});

const toDateTime = (v: string | undefined): string | undefined =>
  v === undefined ? undefined : v.length === 10 ? `${v}T00:00:00` : v;

type WireBuilders = { [K in OperationId]: (req: OperationRequest<K>, id: CallIdentity) => WireObject };

const WIRE: WireBuilders = {
  findLearnerByUln: (r, id) => ({
    FindType: r.findType,
    ...lsCredentials(id),
    ULN: r.uln,
    FamilyName: r.familyName,
    GivenName: r.givenName,
  }),
  findLearnerByDemographics: (r, id) => ({
    FindType: r.findType,
    ...lsCredentials(id),
    FamilyName: r.familyName,
    GivenName: r.givenName,
    DateOfBirth: r.dateOfBirth,
    Gender: r.gender,
    LastKnownPostCode: r.lastKnownPostCode,
    PreviousFamilyName: r.previousFamilyName,
    SchoolAtAge16: r.schoolAtAge16,
    PlaceOfBirth: r.placeOfBirth,
    EmailAddress: r.emailAddress,
  }),
  verifyLearner: (r, id) => ({
    ...lsCredentials(id),
    LearnerToVerify: {
      ULN: r.uln,
      FamilyName: r.familyName,
      GivenName: r.givenName,
      DateOfBirth: r.dateOfBirth,
      Gender: r.gender,
    },
  }),
  registerLearner: (r, id) => ({ ...lsCredentials(id), Learner: learnerToRegister(r.learner) }),
  updateLearner: (r, id) => ({
    ...lsCredentials(id),
    Learner: {
      ...learnerToRegister(r.learner),
      ULN: r.learner.uln,
      VersionNumber: String(r.learner.versionNumber),
    },
  }),
  submitBatchRegistration: (r, id) => ({
    ...lsCredentials(id),
    JobType: r.jobType,
    LearnerRecordCount: String(r.learners.length),
    Learner: r.learners.map(
      (l): WireObject => ({
        ULN: l.uln,
        MISIdentifier: l.misIdentifier,
        Title: l.title,
        GivenName: l.givenName,
        PreferredGivenName: l.preferredGivenName,
        MiddleOtherName: l.middleOtherName,
        FamilyName: l.familyName,
        ...pastNamesAndAddress(l),
        EmailAddress: l.emailAddress,
        Gender: l.gender,
        Nationality: l.nationality,
        ScottishCandidateNumber: l.scottishCandidateNumber,
        AbilityToShare: l.abilityToShare,
        VerificationType: l.verificationType,
        OtherVerificationDescription: l.otherVerificationDescription,
        Notes: l.notes,
      }),
    ),
  }),
  getBatchRegistrationOutput: (r, id) => ({ ...lsCredentials(id), JobID: r.jobId }),
  submitVerifyBatch: (r, id) => ({
    ...lsCredentials(id),
    LearnerRecordCount: String(r.learners.length),
    OrgEmail: r.orgEmail,
    Learner: r.learners.map(
      (l): WireObject => ({
        MISIdentifier: l.misIdentifier,
        ULN: l.uln,
        FamilyName: l.familyName,
        GivenName: l.givenName,
        DateOfBirth: l.dateOfBirth,
        Gender: l.gender,
      }),
    ),
  }),
  getVerifyBatchOutput: (r, id) => ({ ...lsCredentials(id), JobID: r.jobId }),
  retrieveUlns: (r, id) => ({ ...lsCredentials(id), ULNsToRetrieve: { ULN: r.ulns } }),
  getLearningEvents: (r, id) => ({
    invokingOrganisation: {
      OrganisationRef: id.credentials.organisationRef,
      Password: id.credentials.orgPassword,
      Ukprn: id.credentials.ukprn,
      Username: id.userName,
    },
    userType: r.userType,
    vendorID: String(id.credentials.vendorId),
    language: r.language,
    uln: r.uln,
    givenName: r.givenName,
    familyName: r.familyName,
    dateOfBirth: r.dateOfBirth,
    gender: r.gender,
    getType: r.getType,
  }),
  getLearnerByUln: (r, id) => ({
    ...r9Common(id, r),
    uln: r.uln,
    givenName: r.givenName,
    familyName: r.familyName,
    findType: r.findType,
  }),
  updateLearnerSubsetFields: (r, id) => ({
    ...r9Common(id, r),
    uln: r.uln,
    versionNumber: String(r.versionNumber),
    emailAddress: r.emailAddress,
    telephoneNumber: r.telephoneNumber,
    abilityToShare: r.abilityToShare,
    schoolAtAge16: r.schoolAtAge16,
    preferredGivenName: r.preferredGivenName,
  }),
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
          AchievementAwardDate: toDateTime(a.achievementAwardDate),
          Action: String(a.action),
          ActionDate: toDateTime(a.actionDate),
          ActionReason: a.actionReason,
          DateofBirth: toDateTime(a.dateOfBirth),
          FamilyName: a.familyName,
          Gender: a.gender === undefined ? undefined : String(a.gender),
          GivenName: a.givenName,
          Grade: a.grade,
          LanguageForAssessment: a.languageForAssessment,
          LearnerPostcode: a.learnerPostcode,
          MisIdentifier: a.misIdentifier,
          ProviderUkprn: a.providerUkprn,
          Uln: a.uln,
          UnitOrQualificationReferenceNumber: a.unitOrQualificationReferenceNumber,
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
