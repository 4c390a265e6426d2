/**
 * What every LearnerService operation shares: the answer envelope (soapenv/ns2 prefixes, unqualified
 * children), MIAPAPIException faults, reading the request, the Learner element, and the handler signature.
 */
import type { SimState } from '../context.js';
import { SoapFailure } from '../context.js';
import { ACTOR_SERVICE, miapFaultXml, SOAP_ENV } from '../faults.js';
import type { LearnerRecord } from '../model.js';
import { SIMULATOR_ORGANISATIONS } from '../seed/organisations.js';
import { isValidUln } from '../uln.js';
import { childText, el, type WNode, writeXml, type XmlEl } from '../xml.js';

const NS_LEARNER = 'http://api.lrs.miap.gov.uk/learner';
/** The message namespace of each LearnerService message group. */
export const MSG = {
  find: 'http://api.lrs.miap.gov.uk/findmsg',
  reg: 'http://api.lrs.miap.gov.uk/regmsg',
  batch: 'http://api.lrs.miap.gov.uk/batchmsg',
  vld: 'http://api.lrs.miap.gov.uk/vldmsg',
  report: 'http://api.lrs.miap.gov.uk/reportmsg',
} as const;

/** Display name of a seeded organisation by UKPRN, for the audit trail. */
export const orgName = (ukprn: string): string =>
  SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === ukprn)?.displayName ?? ukprn;
export const orgRef = (ukprn: string): string =>
  SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === ukprn)?.organisationRef ?? ukprn;

export const OPERATION_BY_ELEMENT: Readonly<Record<string, string>> = {
  FindLearnerByULN: 'learnerByULN',
  FindLearnerByDemographics: 'learnerByDemographics',
  RegisterLearner: 'registerSingleLearner',
  UpdateLearner: 'updateSingleLearner',
  SubmitBatch: 'submitBatchRegistration',
  GetSubmitBatchOutput: 'getBatchRegistrationOutput',
  SubmitVerifyBatch: 'submitVerifyBatch',
  GetVerifyBatchOutput: 'getVerifyBatchOutput',
  RetrieveULNs: 'retrieveULNs',
  VerifyLearner: 'verifyLearner',
};

export const fault = (code: string, furtherDetails: string, actor?: string): never => {
  throw new SoapFailure(500, miapFaultXml({ code, furtherDetails, ...(actor ? { actor } : {}) }), code);
};

export const envelope = (name: string, ns: string, children: (WNode | undefined | false)[]): string =>
  writeXml(
    el('soapenv:Envelope', [el('soapenv:Body', [el(`ns2:${name}`, children, { 'xmlns:ns2': ns })])], {
      'xmlns:soapenv': SOAP_ENV,
    }),
  );

export interface Answer {
  readonly body: string;
  readonly code: string;
}

/** An answer whose message starts with its ResponseCode, then `children`. */
export const answer = (
  message: string,
  ns: string,
  code: string,
  children: (WNode | undefined)[] = [],
): Answer => ({
  code,
  body: envelope(message, ns, [el('ResponseCode', code), ...children]),
});

/** Optional element: emitted only with a non-empty value (as the recorded responses do). */
export const o = (name: string, v: string | undefined): WNode | undefined =>
  v === undefined || v === '' ? undefined : el(name, v);

/** The `Learner` complex type (learner.xsd sequence order). */
export const learnerNode = (l: LearnerRecord, substituted: boolean): WNode =>
  el('Learner', [
    el('CreatedDate', l.createdDate),
    el('LastUpdatedDate', l.lastUpdatedDate),
    el('ULN', l.uln),
    substituted ? el('MasterSubstituted', 'Y') : undefined,
    o('Title', l.title),
    el('GivenName', l.givenName),
    o('MiddleOtherName', l.middleOtherName),
    el('FamilyName', l.familyName),
    o('PreferredGivenName', l.preferredGivenName),
    o('PreviousFamilyName', l.previousFamilyName),
    o('FamilyNameAtAge16', l.familyNameAtAge16),
    o('SchoolAtAge16', l.schoolAtAge16),
    o('LastKnownAddressLine1', l.addressLine1),
    o('LastKnownAddressLine2', l.addressLine2),
    o('LastKnownAddressTown', l.addressTown),
    o('LastKnownAddressCountyOrCity', l.addressCountyOrCity),
    el('LastKnownPostCode', l.postcode),
    o('DateOfAddressCapture', l.dateOfAddressCapture),
    el('DateOfBirth', l.dateOfBirth),
    o('PlaceOfBirth', l.placeOfBirth),
    el('Gender', l.gender),
    o('EmailAddress', l.emailAddress),
    o('Nationality', l.nationality),
    o('ScottishCandidateNumber', l.scottishCandidateNumber),
    o('VerificationType', l.verificationType),
    o('OtherVerificationDescription', l.otherVerificationDescription),
    o('TierLevel', l.tierLevel),
    el('AbilityToShare', l.abilityToShare),
    el('LearnerStatus', l.learnerStatus),
    el(
      'LinkedULNs',
      l.linkedUlns.map((u) => el('ULN', u, { xmlns: '' })),
      { xmlns: NS_LEARNER },
    ),
    el('Notes', l.notes ?? ''),
    el('VersionNumber', String(l.versionNumber)),
  ]);

export const text = (e: XmlEl | undefined, name: string): string | undefined => childText(e, name);
export const req = (e: XmlEl | undefined, name: string): string => childText(e, name) ?? '';

export const requireValidUln = (uln: string): void => {
  if (!isValidUln(uln)) fault('WSEC0136', `ULN '${uln}' fails the check digit validation.`, ACTOR_SERVICE);
};

export type Handler = (body: XmlEl, state: SimState, org: string, userName: string) => Answer;

/** Adds an access by the calling organisation's user to the learner's audit trail. */
export const auditBy = (
  state: SimState,
  l: LearnerRecord,
  action: string,
  org: string,
  userName: string,
): void => state.register.audit(l, { action, organisation: orgName(org), user: userName });
