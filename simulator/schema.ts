/**
 * Request validation in the style of the LRS Java back end: the legacy MIAP XSD types and element
 * sequences (learner.xsd, findlearner.xsd, registerlearner.xsd, batchlearner.xsd,
 * verifybatchlearner.xsd, learnerreport.xsd), checked the way Xerces checks them (patterns first,
 * then length and range facets), with Xerces-style messages for the first error found.
 * The same engine checks the WCF wrappers of LearnerServiceR9 and ExternalService.
 */
import { isNil, type XmlEl, XSI } from './xml.js';

export interface SimpleType {
  readonly kind: 'simple';
  readonly name: string;
  readonly base: 'string' | 'int' | 'long' | 'dateTime' | 'boolean' | 'float';
  /** Patterns of one derivation step (ORed, implicitly anchored). */
  readonly patterns?: readonly string[];
  readonly length?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minInclusive?: number;
  readonly maxInclusive?: number;
  readonly enumeration?: readonly string[];
}

export interface Particle {
  readonly name: string;
  /** Namespace of the element; '' for unqualified. */
  readonly ns?: string;
  readonly type: SimpleType | ComplexType;
  readonly min: number;
  readonly max: number;
  readonly nillable?: boolean;
}

export interface ComplexType {
  readonly kind: 'complex';
  readonly name: string;
  readonly particles: readonly Particle[];
}

const s = (name: string, facets: Omit<SimpleType, 'kind' | 'name' | 'base'> = {}): SimpleType => ({
  kind: 'simple',
  name,
  base: 'string',
  ...facets,
});

const DATE =
  '(((18|19|20)[0-9]{2})-(((01|03|05|07|08|10|12)-(0[1-9]|[1-2][0-9]|3[0-1]))|((04|06|09|11)-(0[1-9]|[1-2][0-9]|30))|(02-(0[1-9]|1[0-9]|2[0-8]))))|(((18|19|20)([02468][048]|[13579][26]))-02-29)';
const POSTCODE = [
  '[a-zA-Z]{1,2}[0-9rR][0-9a-zA-Z]? ?[0-9][abdefghjlnpqrstuwxyzABDEFGHJLNPQRSTUWXYZ]{2} ? ? ? ?',
  '[bB][fF][pP][oO] ?[0-9]{1,4} ? ? ? ?',
];
const EMAIL =
  "[a-zA-Z0-9!#$%'\\*\\+\\-/=\\?\\^_`\\{\\|\\}~]+(\\.[a-zA-Z0-9!#$%'\\*\\+\\-/=\\?\\^_`\\{\\|\\}~]+)*@[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9](\\.[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])*\\.[a-zA-Z]{2,6}";
const NON_BLANK = '[\\s]*[\\S][\\s\\S]*';

/** The legacy MIAP simple types (learner.xsd), facets exactly as published. */
export const T = {
  string: s('string'),
  int: { kind: 'simple', name: 'int', base: 'int' } as SimpleType,
  long: { kind: 'simple', name: 'long', base: 'long' } as SimpleType,
  dateTime: { kind: 'simple', name: 'dateTime', base: 'dateTime' } as SimpleType,
  float: { kind: 'simple', name: 'float', base: 'float' } as SimpleType,
  MIAPOrganisationRef: s('MIAPOrganisationRef', { patterns: ['[0-9a-zA-Z]{6}'] }),
  MIAPUKPRN: s('MIAPUKPRN', { patterns: ['[0-9a-zA-Z]{8}'] }),
  MIAPULN: s('MIAPULN', { patterns: ['[1-9][0-9]{9}'], minLength: 10, maxLength: 10 }),
  MIAPULNNillable: s('MIAPULNNillable', { patterns: ['[1-9][0-9]{9}', ''], maxLength: 10 }),
  MIAPNameNonEmpty: s('MIAPNameNonEmpty', { patterns: [NON_BLANK], minLength: 1, maxLength: 35 }),
  MIAPOrgPassword: s('MIAPOrgPassword', { patterns: [NON_BLANK], minLength: 16, maxLength: 16 }),
  MIAPName: s('MIAPName', { maxLength: 35 }),
  MIAPDate: s('MIAPDate', { patterns: [DATE] }),
  MIAPDateNillable: s('MIAPDateNillable', { patterns: [DATE, ''] }),
  MIAPGender: s('MIAPGender', { patterns: ['0|1|2|9'], maxLength: 1 }),
  MIAPGenderNillable: s('MIAPGenderNillable', { patterns: ['0|1|2|9', ''], maxLength: 1 }),
  MIAPSchoolName: s('MIAPSchoolName', { maxLength: 254 }),
  MIAPAddress: s('MIAPAddress', { maxLength: 50 }),
  MIAPPostCode: s('MIAPPostCode', { patterns: POSTCODE, maxLength: 9 }),
  MIAPPostCodeNillable: s('MIAPPostCodeNillable', { patterns: [...POSTCODE, ''], maxLength: 9 }),
  MIAPEmail: s('MIAPEmail', { patterns: [EMAIL, ''], maxLength: 254 }),
  MIAPNationality: s('MIAPNationality', { maxLength: 3 }),
  MIAPScottishCandidateNumber: s('MIAPScottishCandidateNumber', { patterns: ['[0-9]{9}', ''], maxLength: 9 }),
  MIAPVerificationType: s('MIAPVerificationType', { patterns: ['0|1|2|3|4|5|6|7|999'], maxLength: 3 }),
  MIAPOtherVerificationDescription: s('MIAPOtherVerificationDescription', { maxLength: 255 }),
  MIAPAbilityToShare: s('MIAPAbilityToShare', { patterns: ['0|1|2'], minLength: 1, maxLength: 1 }),
  MIAPNotes: s('MIAPNotes', { maxLength: 4000 }),
  MIAPMISIdentifier: s('MIAPMISIdentifier', { maxLength: 128 }),
  MIAPLearnerRecordCount: {
    kind: 'simple',
    name: 'MIAPLearnerRecordCount',
    base: 'int',
    minInclusive: 1,
    maxInclusive: 200,
  } as SimpleType,
  MIAPBatchJobType: s('MIAPBatchJobType', { patterns: ['FUL|CHK'] }),
  MIAPFindType: s('MIAPFindType', { patterns: ['FUL|CHK'] }),
} as const;

const p = (
  name: string,
  type: SimpleType | ComplexType,
  min = 1,
  max = 1,
  extra: { ns?: string; nillable?: boolean } = {},
): Particle => ({ name, type, min, max, ...extra });
const opt = (name: string, type: SimpleType | ComplexType, nillable = false): Particle =>
  p(name, type, 0, 1, { nillable });
const complex = (name: string, particles: readonly Particle[]): ComplexType => ({
  kind: 'complex',
  name,
  particles,
});

const CREDENTIALS: readonly Particle[] = [
  opt('OrganisationRef', T.MIAPOrganisationRef, true),
  opt('UKPRN', T.MIAPUKPRN, true),
  p('OrgPassword', T.MIAPOrgPassword),
  p('UserName', T.MIAPNameNonEmpty),
];

const LEARNER_TO_REGISTER: readonly Particle[] = [
  opt('Title', T.MIAPName),
  p('GivenName', T.MIAPNameNonEmpty),
  opt('MiddleOtherName', T.MIAPName),
  p('FamilyName', T.MIAPNameNonEmpty),
  opt('PreferredGivenName', T.MIAPName),
  opt('PreviousFamilyName', T.MIAPName),
  opt('FamilyNameAtAge16', T.MIAPName),
  opt('SchoolAtAge16', T.MIAPSchoolName),
  opt('LastKnownAddressLine1', T.MIAPAddress),
  opt('LastKnownAddressLine2', T.MIAPAddress),
  opt('LastKnownAddressTown', T.MIAPAddress),
  opt('LastKnownAddressCountyOrCity', T.MIAPAddress),
  p('LastKnownPostCode', T.MIAPPostCode),
  opt('DateOfAddressCapture', T.MIAPDateNillable),
  p('DateOfBirth', T.MIAPDate),
  opt('PlaceOfBirth', T.MIAPName),
  p('Gender', T.MIAPGender),
  opt('EmailAddress', T.MIAPEmail),
  opt('Nationality', T.MIAPNationality),
  opt('ScottishCandidateNumber', T.MIAPScottishCandidateNumber),
  p('VerificationType', T.MIAPVerificationType),
  opt('OtherVerificationDescription', T.MIAPOtherVerificationDescription),
  p('AbilityToShare', T.MIAPAbilityToShare),
  opt('Notes', T.MIAPNotes),
];

const BATCH_LEARNER = complex('BatchLearner', [
  opt('ULN', T.MIAPULNNillable),
  opt('MISIdentifier', T.MIAPMISIdentifier),
  opt('Title', T.MIAPName),
  p('GivenName', T.MIAPNameNonEmpty),
  opt('PreferredGivenName', T.MIAPName),
  opt('MiddleOtherName', T.MIAPName),
  p('FamilyName', T.MIAPNameNonEmpty),
  opt('PreviousFamilyName', T.MIAPName),
  opt('FamilyNameAtAge16', T.MIAPName),
  opt('SchoolAtAge16', T.MIAPSchoolName),
  opt('LastKnownAddressLine1', T.MIAPAddress),
  opt('LastKnownAddressLine2', T.MIAPAddress),
  opt('LastKnownAddressTown', T.MIAPAddress),
  opt('LastKnownAddressCountyOrCity', T.MIAPAddress),
  opt('LastKnownPostCode', T.MIAPPostCodeNillable),
  opt('DateOfAddressCapture', T.MIAPDateNillable),
  opt('DateOfBirth', T.MIAPDateNillable),
  opt('PlaceOfBirth', T.MIAPName),
  opt('EmailAddress', T.MIAPEmail),
  opt('Gender', T.MIAPGenderNillable),
  opt('Nationality', T.MIAPNationality),
  opt('ScottishCandidateNumber', T.MIAPScottishCandidateNumber),
  opt('AbilityToShare', T.MIAPAbilityToShare),
  opt('VerificationType', T.MIAPVerificationType),
  opt('OtherVerificationDescription', T.MIAPOtherVerificationDescription),
  opt('Notes', T.MIAPNotes),
]);

const LEARNER_TO_VERIFY: readonly Particle[] = [
  p('ULN', T.MIAPULN),
  p('FamilyName', T.MIAPNameNonEmpty),
  p('GivenName', T.MIAPNameNonEmpty),
  opt('DateOfBirth', T.MIAPDateNillable, true),
  opt('Gender', T.MIAPGenderNillable, true),
];

/** LearnerService request messages, keyed by body root element local name (with its namespace). */
export const LEARNER_SERVICE_REQUESTS: Readonly<Record<string, { ns: string; type: ComplexType }>> = {
  FindLearnerByULN: {
    ns: 'http://api.lrs.miap.gov.uk/findmsg',
    type: complex('LearnerByULNRqst', [
      p('FindType', T.MIAPFindType),
      ...CREDENTIALS,
      p('ULN', T.MIAPULN),
      p('FamilyName', T.MIAPNameNonEmpty),
      p('GivenName', T.MIAPNameNonEmpty),
    ]),
  },
  FindLearnerByDemographics: {
    ns: 'http://api.lrs.miap.gov.uk/findmsg',
    type: complex('LearnerByDemographicsRqst', [
      p('FindType', T.MIAPFindType),
      ...CREDENTIALS,
      p('FamilyName', T.MIAPNameNonEmpty),
      p('GivenName', T.MIAPNameNonEmpty),
      p('DateOfBirth', T.MIAPDate),
      p('Gender', T.MIAPGender),
      p('LastKnownPostCode', T.MIAPPostCode),
      opt('PreviousFamilyName', T.MIAPName, true),
      opt('SchoolAtAge16', T.MIAPSchoolName, true),
      opt('PlaceOfBirth', T.MIAPName, true),
      opt('EmailAddress', T.MIAPEmail, true),
    ]),
  },
  RegisterLearner: {
    ns: 'http://api.lrs.miap.gov.uk/regmsg',
    type: complex('RegisterSingleLearnerRqst', [
      ...CREDENTIALS,
      p('Learner', complex('LearnerToRegister', LEARNER_TO_REGISTER)),
    ]),
  },
  UpdateLearner: {
    ns: 'http://api.lrs.miap.gov.uk/regmsg',
    type: complex('UpdateLearnerRqst', [
      ...CREDENTIALS,
      p(
        'Learner',
        complex('LearnerToUpdate', [...LEARNER_TO_REGISTER, p('ULN', T.MIAPULN), p('VersionNumber', T.int)]),
      ),
    ]),
  },
  SubmitBatch: {
    ns: 'http://api.lrs.miap.gov.uk/batchmsg',
    type: complex('BatchRegistrationRqst', [
      ...CREDENTIALS,
      p('JobType', T.MIAPBatchJobType),
      p('LearnerRecordCount', T.MIAPLearnerRecordCount),
      p('Learner', BATCH_LEARNER, 1, 200),
    ]),
  },
  GetSubmitBatchOutput: {
    ns: 'http://api.lrs.miap.gov.uk/batchmsg',
    type: complex('BatchOutputRqst', [...CREDENTIALS, p('JobID', T.long)]),
  },
  SubmitVerifyBatch: {
    ns: 'http://api.lrs.miap.gov.uk/vldmsg',
    type: complex('VerifyBatchRqst', [
      ...CREDENTIALS,
      p('LearnerRecordCount', T.MIAPLearnerRecordCount),
      opt('OrgEmail', T.MIAPEmail, true),
      p(
        'Learner',
        complex('MIAPBatchLearnerToVerify', [
          opt('MISIdentifier', T.MIAPMISIdentifier),
          ...LEARNER_TO_VERIFY,
        ]),
        1,
        Number.POSITIVE_INFINITY,
      ),
    ]),
  },
  GetVerifyBatchOutput: {
    ns: 'http://api.lrs.miap.gov.uk/vldmsg',
    type: complex('VerifyBatchOutputRqst', [...CREDENTIALS, p('JobID', T.long)]),
  },
  RetrieveULNs: {
    ns: 'http://api.lrs.miap.gov.uk/reportmsg',
    type: complex('RetrieveULNsRqst', [
      ...CREDENTIALS,
      p('ULNsToRetrieve', complex('MIAPULNsToRetrieve', [p('ULN', T.MIAPULN, 1, 200)])),
    ]),
  },
  VerifyLearner: {
    ns: 'http://api.lrs.miap.gov.uk/reportmsg',
    type: complex('VerifyLearnerRqst', [
      ...CREDENTIALS,
      p('LearnerToVerify', complex('MIAPLearnerToVerify', LEARNER_TO_VERIFY)),
    ]),
  },
};

// ---------------------------------------------------------------------------------------------
// WCF (R9 / ExternalService) wrappers: qualified parameters, DataContract members in order.

const TEMPURI = 'http://tempuri.org/';
const MODEL = 'http://api.lrs.qcf.gov.uk/model';
const SERVICES = 'http://api.lrs.qcf.gov.uk/services';
const SVC_IF = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface';
const COMMON = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common';

const enumType = (name: string, values: readonly string[]): SimpleType => ({
  kind: 'simple',
  name,
  base: 'string',
  enumeration: values,
});
const nsp = (ns: string) => ({
  req: (name: string, type: SimpleType | ComplexType, nillable = true): Particle =>
    p(name, type, 1, 1, { ns, nillable }),
  opt: (name: string, type: SimpleType | ComplexType, nillable = true): Particle =>
    p(name, type, 0, 1, { ns, nillable }),
});
const tem = nsp(TEMPURI);
const r10 = nsp(SVC_IF);
const com = nsp(COMMON);
const mod = nsp(MODEL);
const svc = nsp(SERVICES);

const INVOKING_R10 = complex('InvokingOrganisationR10', [
  r10.opt('OrganisationRef', T.string),
  r10.opt('Password', T.string),
  r10.opt('Ukprn', T.string),
  r10.opt('Username', T.string),
]);
const INVOKING = complex('InvokingOrganisation', [
  com.opt(
    'ChannelCode',
    enumType('ChannelCode', ['None', 'Batch', 'Portal', 'WebServices', 'LegacyAPI', 'Legacy']),
    false,
  ),
  com.opt('Estab', T.int),
  com.opt('LaNumber', T.int),
  com.opt('Password', T.string),
  com.opt('Reference', T.string),
  com.opt('Ukprn', T.string),
  com.opt('Username', T.string),
]);
const USER = complex('User', [
  mod.opt('OrgPassword', T.string),
  mod.opt('OrganisationRef', T.string),
  mod.opt('UserName', T.string),
]);
const ACHIEVEMENT = complex('Achievement', [
  svc.req('AchievementAwardDate', T.dateTime, false),
  svc.req('Action', T.int, false),
  svc.req('ActionDate', T.dateTime, false),
  svc.opt('ActionReason', T.string),
  svc.opt('DateofBirth', T.dateTime),
  svc.req('FamilyName', T.string),
  svc.opt('Gender', T.int),
  svc.req('GivenName', T.string),
  svc.opt('Grade', T.string),
  svc.opt('LanguageForAssessment', T.string),
  svc.opt('LearnerPostcode', T.string),
  svc.opt('MisIdentifier', T.string),
  svc.req('ProviderUkprn', T.string),
  svc.req('Uln', T.string),
  svc.req('UnitOrQualificationReferenceNumber', T.string),
]);

export const WCF_REQUESTS: Readonly<Record<string, { ns: string; type: ComplexType }>> = {
  GetLearnerLearningEvents: {
    ns: TEMPURI,
    type: complex('GetLearnerLearningEvents', [
      tem.req('invokingOrganisation', INVOKING_R10),
      tem.req('userType', T.string),
      tem.req('vendorID', T.int, false),
      tem.req('language', T.string),
      tem.req('uln', T.string),
      tem.req('givenName', T.string),
      tem.req('familyName', T.string),
      tem.req('dateOfBirth', T.string),
      tem.req('gender', T.string),
      tem.req('getType', T.string),
    ]),
  },
  LearnerByUln: {
    ns: TEMPURI,
    type: complex('LearnerByUln', [
      tem.req('invokingOrganisation', INVOKING),
      tem.req('userType', T.string),
      tem.req('vendorId', T.int, false),
      tem.req('language', T.string),
      tem.req('uln', T.string),
      tem.req('givenName', T.string),
      tem.req('familyName', T.string),
      tem.req('findType', T.string),
    ]),
  },
  UpdateLearnerSubsetFields: {
    ns: TEMPURI,
    type: complex('UpdateLearnerSubsetFields', [
      tem.req('invokingOrganisation', INVOKING),
      tem.req('userType', T.string),
      tem.req('vendorId', T.int, false),
      tem.req('language', T.string),
      tem.req('uln', T.string),
      tem.req('versionNumber', T.int, false),
      tem.req('emailAddress', T.string),
      tem.req('telephoneNumber', T.string),
      tem.req(
        'abilityToShare',
        enumType('AbilityToShare', ['NotProvided', 'FPNNotSeen', 'FPNSeenShareData']),
        false,
      ),
      tem.req('schoolAtAge16', T.string),
      tem.req('preferredGivenName', T.string),
    ]),
  },
  ViewAudit: {
    ns: TEMPURI,
    type: complex('ViewAudit', [
      tem.req('invokingOrganisation', INVOKING),
      tem.req('userType', T.string),
      tem.req('vendorId', T.int, false),
      tem.req('language', T.string),
      tem.req('learnerUln', T.string),
      tem.req('learnerGivenName', T.string),
      tem.req('learnerFamilyName', T.string),
      tem.req('page', T.int, false),
    ]),
  },
  GetOrganisation: {
    ns: TEMPURI,
    type: complex('GetOrganisation', [
      tem.req('invokingOrganisation', INVOKING),
      tem.req('userType', enumType('UserType', ['Unknown', 'LNR', 'ORG', 'SER']), false),
      tem.req('vendorId', T.int, false),
      tem.req('language', T.string),
      tem.req('ukPrn', T.string),
      tem.req('orgRef', T.string),
    ]),
  },
  SubmitAchievementBatchJob: {
    ns: SERVICES,
    type: complex('SubmitAchievementBatchJob', [
      svc.opt('invokingUser', USER),
      svc.opt('emailAddress', T.string),
      svc.opt('submissionType', T.string),
      svc.opt(
        'achievements',
        complex(
          'ArrayOfAchievement',
          [svc.opt('Achievement', ACHIEVEMENT)].map((x) => ({ ...x, max: Number.POSITIVE_INFINITY })),
        ),
      ),
    ]),
  },
  GetAchievementBatchJob: {
    ns: SERVICES,
    type: complex('GetAchievementBatchJob', [svc.opt('invokingUser', USER), svc.opt('jobId', T.int)]),
  },
};

// ---------------------------------------------------------------------------------------------
// The validator.

const patternCache = new Map<string, RegExp>();
const anchored = (patterns: readonly string[]): RegExp => {
  const key = patterns.join('\u0000');
  let re = patternCache.get(key);
  if (!re) {
    re = new RegExp(`^(?:${patterns.map((x) => `(?:${x})`).join('|')})$`);
    patternCache.set(key, re);
  }
  return re;
};

const INT_RE = /^[+-]?[0-9]+$/;
const DATETIME_RE =
  /^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?$/;
const FLOAT_RE = /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|-?INF|NaN)$/;

/** Name of an element as Xerces prints it in cvc-complex-type messages. */
const shown = (ns: string, local: string) => (ns ? `{"${ns}":${local}}` : local);
const expectedList = (ps: readonly Particle[]) => `{${ps.map((x) => shown(x.ns ?? '', x.name)).join(', ')}}`;

const codePoints = (v: string) => [...v].length;

/** Validates a simple value; returns the first Xerces-style error, or undefined when valid. */
export const checkSimple = (type: SimpleType, rawValue: string): string | undefined => {
  const collapse = type.base !== 'string';
  const value = collapse ? rawValue.replace(/[\t\n\r ]+/g, ' ').trim() : rawValue;
  const esc = (v: string) => v;
  if (type.patterns && !anchored(type.patterns).test(value)) {
    return `cvc-pattern-valid: Value '${esc(value)}' is not facet-valid with respect to pattern '${type.patterns.join('|')}' for type '${type.name}'.`;
  }
  if (type.base === 'int' || type.base === 'long') {
    if (!INT_RE.test(value))
      return `cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'integer'.`;
    // BigInt: an xs:long has 64 bits, more than a JS number holds exactly.
    const n = BigInt(value.trim());
    const [lo, hi] =
      type.base === 'int' ? [-2147483648n, 2147483647n] : [-9223372036854775808n, 9223372036854775807n];
    if (n > hi)
      return `cvc-maxInclusive-valid: Value '${value}' is not facet-valid with respect to maxInclusive '${type.base === 'int' ? '2147483647' : '9223372036854775807'}' for type '${type.base}'.`;
    if (n < lo)
      return `cvc-minInclusive-valid: Value '${value}' is not facet-valid with respect to minInclusive '${type.base === 'int' ? '-2147483648' : '-9223372036854775808'}' for type '${type.base}'.`;
    if (type.minInclusive !== undefined && n < BigInt(type.minInclusive))
      return `cvc-minInclusive-valid: Value '${value}' is not facet-valid with respect to minInclusive '${type.minInclusive}' for type '${type.name}'.`;
    if (type.maxInclusive !== undefined && n > BigInt(type.maxInclusive))
      return `cvc-maxInclusive-valid: Value '${value}' is not facet-valid with respect to maxInclusive '${type.maxInclusive}' for type '${type.name}'.`;
    return undefined;
  }
  if (type.base === 'dateTime') {
    return DATETIME_RE.test(value)
      ? undefined
      : `cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'dateTime'.`;
  }
  if (type.base === 'float') {
    return FLOAT_RE.test(value)
      ? undefined
      : `cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'float'.`;
  }
  if (type.enumeration && !type.enumeration.includes(value)) {
    return `cvc-enumeration-valid: Value '${value}' is not facet-valid with respect to enumeration '[${type.enumeration.join(', ')}]'. It must be a value from the enumeration.`;
  }
  const len = codePoints(value);
  if (type.length !== undefined && len !== type.length)
    return `cvc-length-valid: Value '${value}' with length = '${len}' is not facet-valid with respect to length '${type.length}' for type '${type.name}'.`;
  if (type.minLength !== undefined && len < type.minLength)
    return `cvc-minLength-valid: Value '${value}' with length = '${len}' is not facet-valid with respect to minLength '${type.minLength}' for type '${type.name}'.`;
  if (type.maxLength !== undefined && len > type.maxLength)
    return `cvc-maxLength-valid: Value '${value}' with length = '${len}' is not facet-valid with respect to maxLength '${type.maxLength}' for type '${type.name}'.`;
  return undefined;
};

export interface ValidationFailure {
  /** Xerces-style message of the first error. */
  readonly message: string;
  /** Local name of the element where it was found. */
  readonly element: string;
}

const validateAttrs = (el: XmlEl, particle: Particle): string | undefined => {
  for (const a of el.attrs) {
    if (a.ns === XSI && a.local === 'nil') {
      if (!particle.nillable)
        return `cvc-elt.3.1: Attribute '${XSI},nil' must not appear on element '${el.raw}', because the {nillable} property of '${el.raw}' is false.`;
      continue;
    }
    if (a.ns === XSI && a.local === 'type') continue;
    return `cvc-complex-type.3.2.2: Attribute '${a.prefix ? `${a.prefix}:` : ''}${a.local}' is not allowed to appear in element '${el.raw}'.`;
  }
  return undefined;
};

const validateElement = (el: XmlEl, particle: Particle): ValidationFailure | undefined => {
  const attrErr = validateAttrs(el, particle);
  if (attrErr) return { message: attrErr, element: el.local };
  if (isNil(el)) {
    if (el.children.length > 0 || el.text.trim() !== '')
      return {
        message: `cvc-elt.3.2.1: Element '${el.raw}' cannot have character or element information [children], because '${XSI},nil' is specified.`,
        element: el.local,
      };
    return undefined;
  }
  const type = particle.type;
  if (type.kind === 'simple') {
    if (el.children.length > 0) {
      return {
        message: `cvc-type.3.1.2: Element '${el.raw}' is a simple type, so it must have no element information item [children].`,
        element: el.local,
      };
    }
    const msg = checkSimple(type, el.text);
    return msg ? { message: msg, element: el.local } : undefined;
  }
  return validateComplex(el, type);
};

/** Validates the children of `el` against a sequence; returns the first error. */
export const validateComplex = (el: XmlEl, type: ComplexType): ValidationFailure | undefined => {
  if (el.text.trim() !== '') {
    return {
      message: `cvc-complex-type.2.3: Element '${el.raw}' cannot have character [children], because the type's content type is element-only.`,
      element: el.local,
    };
  }
  const ps = type.particles;
  let i = 0;
  let count = 0;
  const possibleFrom = (start: number, startCount: number): Particle[] => {
    const out: Particle[] = [];
    for (let j = start; j < ps.length; j++) {
      const q = ps[j] as Particle;
      const c = j === start ? startCount : 0;
      if (c < q.max) out.push(q);
      if (c < q.min) break;
    }
    return out;
  };
  for (const c of el.children) {
    let matched = false;
    const [fromI, fromCount] = [i, count];
    while (i < ps.length) {
      const q = ps[i] as Particle;
      const same = q.name === c.local && (q.ns ?? '') === c.ns;
      if (same && count < q.max) {
        count++;
        matched = true;
        const err = validateElement(c, q);
        if (err) return err;
        break;
      }
      if (count >= q.min) {
        i++;
        count = 0;
        continue;
      }
      break;
    }
    if (!matched) {
      const expected = possibleFrom(fromI, fromCount);
      return {
        message:
          expected.length === 0
            ? `cvc-complex-type.2.4.d: Invalid content was found starting with element '${shown(c.ns, c.local)}'. No child element is expected at this point.`
            : `cvc-complex-type.2.4.a: Invalid content was found starting with element '${shown(c.ns, c.local)}'. One of '${expectedList(expected)}' is expected.`,
        element: c.local,
      };
    }
  }
  // End of content: every remaining particle must be satisfied.
  for (let j = i; j < ps.length; j++) {
    const q = ps[j] as Particle;
    const c = j === i ? count : 0;
    if (c < q.min) {
      return {
        message: `cvc-complex-type.2.4.b: The content of element '${el.raw}' is not complete. One of '${expectedList(possibleFrom(i, count))}' is expected.`,
        element: el.local,
      };
    }
  }
  return undefined;
};
