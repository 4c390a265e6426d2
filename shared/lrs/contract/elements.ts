/**
 * The project's own description of the LRS request messages, written from the interface facts
 * (legacy MIAP XSDs for LearnerService, the WCF single-WSDLs for LearnerServiceR9 and ExternalService).
 *
 * Each operation's request is an element tree in exact schema order with exact namespaces:
 * - LearnerService (document/literal bare): the message root is in a `*msg` namespace; every child
 *   is unqualified (legacy XSDs have no elementFormDefault).
 * - LearnerServiceR9 (WCF wrapped): the wrapper and its parameters are qualified in tempuri;
 *   `invokingOrganisation` members are in `Amor.Qcf.Service.Interface` (InvokingOrganisationR10, only
 *   for GetLearnerLearningEvents) or `Amor.Qcf.Common` (InvokingOrganisation, the other operations);
 *   DataContract members are alphabetical. Note `vendorID` (GetLearnerLearningEvents) vs `vendorId`.
 *   Every parameter is sent (xsi:nil when there is no value).
 * - ExternalService (WCF wrapped): the wrapper and parameters in the `services` namespace;
 *   `invokingUser` members (model `User`) in the `model` namespace; `Achievement` members in `services`.
 *
 * Responses are described by the parsers (shared/lrs/soap/parse.ts), which are order-tolerant and
 * prefix-agnostic. Of note there: in a LearnerService `Learner`, `LinkedULNs` is qualified in the
 * learner namespace while its `ULN` items are unqualified; MIAPAPIException children may come
 * qualified (WSDL) or unqualified (recorded faults); R9 results are DataContracts in the model
 * namespace with `i:nil` for null members.
 */
import { NS, OPERATIONS, type OperationId } from './operations.js';

export interface ContractElement {
  /** Local name on the wire. */
  readonly name: string;
  /** Namespace URI; '' means unqualified. */
  readonly ns: string;
  readonly minOccurs: 0 | 1;
  /** 1, a number, or Infinity for unbounded. */
  readonly maxOccurs: number;
  /** The schema type (MIAP simple type name, xs:* type or the complex type name); documentation and WSDL. */
  readonly type: string;
  /** The element may carry xsi:nil="true". */
  readonly nillable?: boolean;
  /**
   * When there is no value, send `xsi:nil="true"` instead of omitting the element: every R9
   * parameter, and the LearnerService elements the WCF contract declares `minOccurs=1 nillable` and the
   * legacy XSD declares `nillable` (credentials, the optional search demographics, LearnerToVerify
   * DateOfBirth/Gender, OrgEmail), so the message is valid against both.
   */
  readonly nilWhenAbsent?: boolean;
  readonly children?: readonly ContractElement[];
}

type Opts = Partial<Pick<ContractElement, 'nillable' | 'nilWhenAbsent' | 'maxOccurs'>>;

const el = (
  ns: string,
  name: string,
  type: string,
  minOccurs: 0 | 1,
  opts: Opts = {},
  children?: readonly ContractElement[],
): ContractElement => ({
  name,
  ns,
  type,
  minOccurs,
  maxOccurs: opts.maxOccurs ?? 1,
  ...(opts.nillable ? { nillable: true } : {}),
  ...(opts.nilWhenAbsent ? { nilWhenAbsent: true } : {}),
  ...(children ? { children } : {}),
});

/** Unqualified element (LearnerService children). */
const u = (name: string, type: string, minOccurs: 0 | 1 = 1, opts: Opts = {}) =>
  el('', name, type, minOccurs, opts);
const ug = (
  name: string,
  type: string,
  minOccurs: 0 | 1,
  children: readonly ContractElement[],
  opts: Opts = {},
) => el('', name, type, minOccurs, opts, children);

// ---------------------------------------------------------------- LearnerService (legacy MIAP XSD)

/** In-body credentials, first in every LearnerService request (after FindType for the two finds). */
const LS_CREDENTIALS: readonly ContractElement[] = [
  u('OrganisationRef', 'MIAPOrganisationRef', 0, { nillable: true, nilWhenAbsent: true }),
  u('UKPRN', 'MIAPUKPRN', 0, { nillable: true, nilWhenAbsent: true }),
  u('OrgPassword', 'MIAPOrgPassword'),
  u('UserName', 'MIAPNameNonEmpty'),
];

/** The optional names from the past and the address lines, in the same place in both learner types. */
const PAST_NAMES_AND_ADDRESS: readonly ContractElement[] = [
  u('PreviousFamilyName', 'MIAPName', 0),
  u('FamilyNameAtAge16', 'MIAPName', 0),
  u('SchoolAtAge16', 'MIAPSchoolName', 0),
  u('LastKnownAddressLine1', 'MIAPAddress', 0),
  u('LastKnownAddressLine2', 'MIAPAddress', 0),
  u('LastKnownAddressTown', 'MIAPAddress', 0),
  u('LastKnownAddressCountyOrCity', 'MIAPAddress', 0),
];

const LEARNER_TO_REGISTER: readonly ContractElement[] = [
  u('Title', 'MIAPName', 0),
  u('GivenName', 'MIAPNameNonEmpty'),
  u('MiddleOtherName', 'MIAPName', 0),
  u('FamilyName', 'MIAPNameNonEmpty'),
  u('PreferredGivenName', 'MIAPName', 0),
  ...PAST_NAMES_AND_ADDRESS,
  u('LastKnownPostCode', 'MIAPPostCode'),
  u('DateOfAddressCapture', 'MIAPDateNillable', 0),
  u('DateOfBirth', 'MIAPDate'),
  u('PlaceOfBirth', 'MIAPName', 0),
  u('Gender', 'MIAPGender'),
  u('EmailAddress', 'MIAPEmail', 0),
  u('Nationality', 'MIAPNationality', 0),
  u('ScottishCandidateNumber', 'MIAPScottishCandidateNumber', 0),
  u('VerificationType', 'MIAPVerificationType'),
  u('OtherVerificationDescription', 'MIAPOtherVerificationDescription', 0),
  u('AbilityToShare', 'MIAPAbilityToShare'),
  u('Notes', 'MIAPNotes', 0),
];

const LEARNER_TO_UPDATE: readonly ContractElement[] = [
  ...LEARNER_TO_REGISTER,
  u('ULN', 'MIAPULN'),
  u('VersionNumber', 'xs:int'),
];

const BATCH_LEARNER: readonly ContractElement[] = [
  u('ULN', 'MIAPULNNillable', 0),
  u('MISIdentifier', 'MIAPMISIdentifier', 0),
  u('Title', 'MIAPName', 0),
  u('GivenName', 'MIAPNameNonEmpty'),
  u('PreferredGivenName', 'MIAPName', 0),
  u('MiddleOtherName', 'MIAPName', 0),
  u('FamilyName', 'MIAPNameNonEmpty'),
  ...PAST_NAMES_AND_ADDRESS,
  u('LastKnownPostCode', 'MIAPPostCodeNillable', 0),
  u('DateOfAddressCapture', 'MIAPDateNillable', 0),
  u('DateOfBirth', 'MIAPDateNillable', 0),
  u('PlaceOfBirth', 'MIAPName', 0),
  u('EmailAddress', 'MIAPEmail', 0),
  u('Gender', 'MIAPGenderNillable', 0),
  u('Nationality', 'MIAPNationality', 0),
  u('ScottishCandidateNumber', 'MIAPScottishCandidateNumber', 0),
  u('AbilityToShare', 'MIAPAbilityToShare', 0),
  u('VerificationType', 'MIAPVerificationType', 0),
  u('OtherVerificationDescription', 'MIAPOtherVerificationDescription', 0),
  u('Notes', 'MIAPNotes', 0),
];

const LEARNER_TO_VERIFY: readonly ContractElement[] = [
  u('ULN', 'MIAPULN'),
  u('FamilyName', 'MIAPNameNonEmpty'),
  u('GivenName', 'MIAPNameNonEmpty'),
  u('DateOfBirth', 'MIAPDateNillable', 0, { nillable: true, nilWhenAbsent: true }),
  u('Gender', 'MIAPGenderNillable', 0, { nillable: true, nilWhenAbsent: true }),
];

const BATCH_LEARNER_TO_VERIFY: readonly ContractElement[] = [
  u('MISIdentifier', 'MIAPMISIdentifier', 0),
  ...LEARNER_TO_VERIFY,
];

const root = (op: OperationId, type: string, children: readonly ContractElement[]): ContractElement => {
  const def = OPERATIONS[op];
  return el(def.request.ns, def.request.name, type, 1, {}, children);
};

// ---------------------------------------------------------------- LearnerServiceR9 (WCF)

const t = (name: string, type: string, opts: Opts = {}) =>
  el(NS.tempuri, name, type, 1, { nilWhenAbsent: opts.nillable ?? true, nillable: opts.nillable ?? true });

/** InvokingOrganisation (Amor.Qcf.Common), DataContract members alphabetical, all minOccurs 0. */
const INVOKING_ORGANISATION = el(
  NS.tempuri,
  'invokingOrganisation',
  'InvokingOrganisation',
  1,
  { nillable: true },
  [
    el(NS.common, 'ChannelCode', 'ChannelCode', 0),
    el(NS.common, 'Estab', 'xs:int', 0, { nillable: true }),
    el(NS.common, 'LaNumber', 'xs:int', 0, { nillable: true }),
    el(NS.common, 'Password', 'xs:string', 0, { nillable: true }),
    el(NS.common, 'Reference', 'xs:string', 0, { nillable: true }),
    el(NS.common, 'Ukprn', 'xs:string', 0, { nillable: true }),
    el(NS.common, 'Username', 'xs:string', 0, { nillable: true }),
  ],
);

/** InvokingOrganisationR10 (Amor.Qcf.Service.Interface), only for GetLearnerLearningEvents. */
const INVOKING_ORGANISATION_R10 = el(
  NS.tempuri,
  'invokingOrganisation',
  'InvokingOrganisationR10',
  1,
  { nillable: true },
  [
    el(NS.serviceInterface, 'OrganisationRef', 'xs:string', 0, { nillable: true }),
    el(NS.serviceInterface, 'Password', 'xs:string', 0, { nillable: true }),
    el(NS.serviceInterface, 'Ukprn', 'xs:string', 0, { nillable: true }),
    el(NS.serviceInterface, 'Username', 'xs:string', 0, { nillable: true }),
  ],
);

const R9_COMMON = [
  INVOKING_ORGANISATION,
  t('userType', 'xs:string'),
  t('vendorId', 'xs:int', { nillable: false }),
  t('language', 'xs:string'),
];

// ---------------------------------------------------------------- ExternalService (WCF)

const s = (name: string, type: string, minOccurs: 0 | 1, opts: Opts = {}) =>
  el(NS.services, name, type, minOccurs, opts);

const INVOKING_USER = el(NS.services, 'invokingUser', 'User', 0, { nillable: true }, [
  el(NS.model, 'OrgPassword', 'xs:string', 0, { nillable: true }),
  el(NS.model, 'OrganisationRef', 'xs:string', 0, { nillable: true }),
  el(NS.model, 'UserName', 'xs:string', 0, { nillable: true }),
]);

const ACHIEVEMENT: readonly ContractElement[] = [
  s('AchievementAwardDate', 'xs:dateTime', 1),
  s('Action', 'xs:int', 1),
  s('ActionDate', 'xs:dateTime', 1),
  s('ActionReason', 'xs:string', 0, { nillable: true }),
  s('DateofBirth', 'xs:dateTime', 0, { nillable: true }),
  s('FamilyName', 'xs:string', 1, { nillable: true }),
  s('Gender', 'xs:int', 0, { nillable: true }),
  s('GivenName', 'xs:string', 1, { nillable: true }),
  s('Grade', 'xs:string', 0, { nillable: true }),
  s('LanguageForAssessment', 'xs:string', 0, { nillable: true }),
  s('LearnerPostcode', 'xs:string', 0, { nillable: true }),
  s('MisIdentifier', 'xs:string', 0, { nillable: true }),
  s('ProviderUkprn', 'xs:string', 1, { nillable: true }),
  s('Uln', 'xs:string', 1, { nillable: true }),
  s('UnitOrQualificationReferenceNumber', 'xs:string', 1, { nillable: true }),
];

// ---------------------------------------------------------------- the 17 request trees

export const REQUEST_CONTRACT: Readonly<Record<OperationId, ContractElement>> = {
  findLearnerByUln: root('findLearnerByUln', 'LearnerByULNRqst', [
    u('FindType', 'MIAPFindType'),
    ...LS_CREDENTIALS,
    u('ULN', 'MIAPULN'),
    u('FamilyName', 'MIAPNameNonEmpty'),
    u('GivenName', 'MIAPNameNonEmpty'),
  ]),
  findLearnerByDemographics: root('findLearnerByDemographics', 'LearnerByDemographicsRqst', [
    u('FindType', 'MIAPFindType'),
    ...LS_CREDENTIALS,
    u('FamilyName', 'MIAPNameNonEmpty'),
    u('GivenName', 'MIAPNameNonEmpty'),
    u('DateOfBirth', 'MIAPDate'),
    u('Gender', 'MIAPGender'),
    u('LastKnownPostCode', 'MIAPPostCode'),
    u('PreviousFamilyName', 'MIAPName', 0, { nillable: true, nilWhenAbsent: true }),
    u('SchoolAtAge16', 'MIAPSchoolName', 0, { nillable: true, nilWhenAbsent: true }),
    u('PlaceOfBirth', 'MIAPName', 0, { nillable: true, nilWhenAbsent: true }),
    u('EmailAddress', 'MIAPEmail', 0, { nillable: true, nilWhenAbsent: true }),
  ]),
  verifyLearner: root('verifyLearner', 'VerifyLearnerRqst', [
    ...LS_CREDENTIALS,
    ug('LearnerToVerify', 'MIAPLearnerToVerify', 1, LEARNER_TO_VERIFY),
  ]),
  registerLearner: root('registerLearner', 'RegisterSingleLearnerRqst', [
    ...LS_CREDENTIALS,
    ug('Learner', 'LearnerToRegister', 1, LEARNER_TO_REGISTER),
  ]),
  updateLearner: root('updateLearner', 'UpdateLearnerRqst', [
    ...LS_CREDENTIALS,
    ug('Learner', 'LearnerToUpdate', 1, LEARNER_TO_UPDATE),
  ]),
  submitBatchRegistration: root('submitBatchRegistration', 'BatchRegistrationRqst', [
    ...LS_CREDENTIALS,
    u('JobType', 'MIAPBatchJobType'),
    u('LearnerRecordCount', 'MIAPLearnerRecordCount'),
    ug('Learner', 'BatchLearner', 1, BATCH_LEARNER, { maxOccurs: 200 }),
  ]),
  getBatchRegistrationOutput: root('getBatchRegistrationOutput', 'BatchOutputRqst', [
    ...LS_CREDENTIALS,
    u('JobID', 'xs:long'),
  ]),
  submitVerifyBatch: root('submitVerifyBatch', 'VerifyBatchRqst', [
    ...LS_CREDENTIALS,
    u('LearnerRecordCount', 'MIAPLearnerRecordCount'),
    u('OrgEmail', 'MIAPEmail', 0, { nillable: true, nilWhenAbsent: true }),
    ug('Learner', 'MIAPBatchLearnerToVerify', 1, BATCH_LEARNER_TO_VERIFY, {
      maxOccurs: Number.POSITIVE_INFINITY,
    }),
  ]),
  getVerifyBatchOutput: root('getVerifyBatchOutput', 'VerifyBatchOutputRqst', [
    ...LS_CREDENTIALS,
    u('JobID', 'xs:long'),
  ]),
  retrieveUlns: root('retrieveUlns', 'RetrieveULNsRqst', [
    ...LS_CREDENTIALS,
    ug('ULNsToRetrieve', 'MIAPULNsToRetrieve', 1, [u('ULN', 'MIAPULN', 1, { maxOccurs: 200 })]),
  ]),
  getLearningEvents: root('getLearningEvents', 'GetLearnerLearningEvents', [
    INVOKING_ORGANISATION_R10,
    t('userType', 'xs:string'),
    t('vendorID', 'xs:int', { nillable: false }),
    t('language', 'xs:string'),
    t('uln', 'xs:string'),
    t('givenName', 'xs:string'),
    t('familyName', 'xs:string'),
    t('dateOfBirth', 'xs:string'),
    t('gender', 'xs:string'),
    t('getType', 'xs:string'),
  ]),
  getLearnerByUln: root('getLearnerByUln', 'LearnerByUln', [
    ...R9_COMMON,
    t('uln', 'xs:string'),
    t('givenName', 'xs:string'),
    t('familyName', 'xs:string'),
    t('findType', 'xs:string'),
  ]),
  updateLearnerSubsetFields: root('updateLearnerSubsetFields', 'UpdateLearnerSubsetFields', [
    ...R9_COMMON,
    t('uln', 'xs:string'),
    t('versionNumber', 'xs:int', { nillable: false }),
    t('emailAddress', 'xs:string'),
    t('telephoneNumber', 'xs:string'),
    t('abilityToShare', 'AbilityToShare', { nillable: false }),
    t('schoolAtAge16', 'xs:string'),
    t('preferredGivenName', 'xs:string'),
  ]),
  viewAudit: root('viewAudit', 'ViewAudit', [
    ...R9_COMMON,
    t('learnerUln', 'xs:string'),
    t('learnerGivenName', 'xs:string'),
    t('learnerFamilyName', 'xs:string'),
    t('page', 'xs:int', { nillable: false }),
  ]),
  getOrganisation: root('getOrganisation', 'GetOrganisation', [
    INVOKING_ORGANISATION,
    t('userType', 'UserType', { nillable: false }),
    t('vendorId', 'xs:int', { nillable: false }),
    t('language', 'xs:string'),
    t('ukPrn', 'xs:string'),
    t('orgRef', 'xs:string'),
  ]),
  submitAchievementBatch: root('submitAchievementBatch', 'SubmitAchievementBatchJob', [
    INVOKING_USER,
    s('emailAddress', 'xs:string', 0, { nillable: true }),
    s('submissionType', 'xs:string', 0, { nillable: true }),
    el(NS.services, 'achievements', 'ArrayOfAchievement', 0, { nillable: true }, [
      el(
        NS.services,
        'Achievement',
        'Achievement',
        0,
        { nillable: true, maxOccurs: Number.POSITIVE_INFINITY },
        ACHIEVEMENT,
      ),
    ]),
  ]),
  getAchievementBatch: root('getAchievementBatch', 'GetAchievementBatchJob', [
    INVOKING_USER,
    s('jobId', 'xs:int', 0),
  ]),
};

/** The prefix the adapter uses for each namespace it writes (prefixes carry no meaning on the wire). */
export const PREFIXES: Readonly<Record<string, string>> = {
  [NS.findmsg]: 'fnd',
  [NS.regmsg]: 'reg',
  [NS.batchmsg]: 'bat',
  [NS.vldmsg]: 'vld',
  [NS.reportmsg]: 'rpt',
  [NS.learner]: 'lrn',
  [NS.tempuri]: 'tem',
  [NS.serviceInterface]: 'si',
  [NS.common]: 'cmn',
  [NS.model]: 'mdl',
  [NS.services]: 'svc',
  [NS.xsi]: 'i',
};
