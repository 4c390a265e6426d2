/**
 * The legacy MIAP XSDs of LearnerService (learner.xsd, findlearner.xsd, registerlearner.xsd,
 * batchlearner.xsd, verifybatchlearner.xsd, learnerreport.xsd): simple types with their facets
 * exactly as published, and the request sequences.
 */
import { builtin, type ComplexType, complex, opt, type Particle, p, type SimpleType, s } from './types.js';

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
  int: builtin('int'),
  long: builtin('long'),
  dateTime: builtin('dateTime'),
  float: builtin('float'),
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
  MIAPLearnerRecordCount: builtin('int', 'MIAPLearnerRecordCount', { minInclusive: 1, maxInclusive: 200 }),
  MIAPBatchJobType: s('MIAPBatchJobType', { patterns: ['FUL|CHK'] }),
  MIAPFindType: s('MIAPFindType', { patterns: ['FUL|CHK'] }),
} as const;

const CREDENTIALS: readonly Particle[] = [
  opt('OrganisationRef', T.MIAPOrganisationRef, true),
  opt('UKPRN', T.MIAPUKPRN, true),
  p('OrgPassword', T.MIAPOrgPassword),
  p('UserName', T.MIAPNameNonEmpty),
];

/** The type of each learner element as the registering sequences declare it (learner.xsd). */
const LEARNER_ELEMENT: Readonly<Record<string, SimpleType>> = {
  Title: T.MIAPName,
  GivenName: T.MIAPNameNonEmpty,
  MiddleOtherName: T.MIAPName,
  FamilyName: T.MIAPNameNonEmpty,
  PreferredGivenName: T.MIAPName,
  PreviousFamilyName: T.MIAPName,
  FamilyNameAtAge16: T.MIAPName,
  SchoolAtAge16: T.MIAPSchoolName,
  LastKnownAddressLine1: T.MIAPAddress,
  LastKnownAddressLine2: T.MIAPAddress,
  LastKnownAddressTown: T.MIAPAddress,
  LastKnownAddressCountyOrCity: T.MIAPAddress,
  LastKnownPostCode: T.MIAPPostCode,
  DateOfAddressCapture: T.MIAPDateNillable,
  DateOfBirth: T.MIAPDate,
  PlaceOfBirth: T.MIAPName,
  Gender: T.MIAPGender,
  EmailAddress: T.MIAPEmail,
  Nationality: T.MIAPNationality,
  ScottishCandidateNumber: T.MIAPScottishCandidateNumber,
  VerificationType: T.MIAPVerificationType,
  OtherVerificationDescription: T.MIAPOtherVerificationDescription,
  AbilityToShare: T.MIAPAbilityToShare,
  Notes: T.MIAPNotes,
};

/** The batch learner (batchlearner.xsd) declares a few of those elements with their nillable types. */
const BATCH_ELEMENT: Readonly<Record<string, SimpleType>> = {
  ...LEARNER_ELEMENT,
  ULN: T.MIAPULNNillable,
  MISIdentifier: T.MIAPMISIdentifier,
  LastKnownPostCode: T.MIAPPostCodeNillable,
  DateOfBirth: T.MIAPDateNillable,
  Gender: T.MIAPGenderNillable,
};

/** A sequence of learner elements, in order; a trailing `?` marks an optional one. */
const learnerSequence = (names: string, types: Readonly<Record<string, SimpleType>>): Particle[] =>
  names
    .trim()
    .split(/\s+/)
    .map((n) => {
      const name = n.replace(/\?$/, '');
      const type = types[name] as SimpleType;
      return n.endsWith('?') ? opt(name, type) : p(name, type);
    });

const LEARNER_TO_REGISTER = learnerSequence(
  `Title? GivenName MiddleOtherName? FamilyName PreferredGivenName? PreviousFamilyName? FamilyNameAtAge16?
   SchoolAtAge16? LastKnownAddressLine1? LastKnownAddressLine2? LastKnownAddressTown?
   LastKnownAddressCountyOrCity? LastKnownPostCode DateOfAddressCapture? DateOfBirth PlaceOfBirth? Gender
   EmailAddress? Nationality? ScottishCandidateNumber? VerificationType OtherVerificationDescription?
   AbilityToShare Notes?`,
  LEARNER_ELEMENT,
);

const BATCH_LEARNER = complex(
  'BatchLearner',
  learnerSequence(
    `ULN? MISIdentifier? Title? GivenName PreferredGivenName? MiddleOtherName? FamilyName PreviousFamilyName?
     FamilyNameAtAge16? SchoolAtAge16? LastKnownAddressLine1? LastKnownAddressLine2? LastKnownAddressTown?
     LastKnownAddressCountyOrCity? LastKnownPostCode? DateOfAddressCapture? DateOfBirth? PlaceOfBirth?
     EmailAddress? Gender? Nationality? ScottishCandidateNumber? AbilityToShare? VerificationType?
     OtherVerificationDescription? Notes?`,
    BATCH_ELEMENT,
  ),
);

/** The searched names, family first, as the find and verify messages order them. */
const NAMES: readonly Particle[] = [p('FamilyName', T.MIAPNameNonEmpty), p('GivenName', T.MIAPNameNonEmpty)];

const LEARNER_TO_VERIFY: readonly Particle[] = [
  p('ULN', T.MIAPULN),
  ...NAMES,
  opt('DateOfBirth', T.MIAPDateNillable, true),
  opt('Gender', T.MIAPGenderNillable, true),
];

const MSG = 'http://api.lrs.miap.gov.uk/';
type RequestDef = { ns: string; type: ComplexType };

/** A LearnerService request message: optional leading elements, the credentials, then the operation's own. */
const request = (
  msg: string,
  name: string,
  own: readonly Particle[],
  lead: readonly Particle[] = [],
): RequestDef => ({
  ns: MSG + msg,
  type: complex(name, [...lead, ...CREDENTIALS, ...own]),
});
const find = (name: string, own: readonly Particle[]) =>
  request('findmsg', name, own, [p('FindType', T.MIAPFindType)]);
const jobOutput = (msg: string, name: string) => request(msg, name, [p('JobID', T.long)]);

/** LearnerService request messages, keyed by body root element local name (with its namespace). */
export const LEARNER_SERVICE_REQUESTS: Readonly<Record<string, RequestDef>> = {
  FindLearnerByULN: find('LearnerByULNRqst', [p('ULN', T.MIAPULN), ...NAMES]),
  FindLearnerByDemographics: find('LearnerByDemographicsRqst', [
    ...NAMES,
    p('DateOfBirth', T.MIAPDate),
    p('Gender', T.MIAPGender),
    p('LastKnownPostCode', T.MIAPPostCode),
    opt('PreviousFamilyName', T.MIAPName, true),
    opt('SchoolAtAge16', T.MIAPSchoolName, true),
    opt('PlaceOfBirth', T.MIAPName, true),
    opt('EmailAddress', T.MIAPEmail, true),
  ]),
  RegisterLearner: request('regmsg', 'RegisterSingleLearnerRqst', [
    p('Learner', complex('LearnerToRegister', LEARNER_TO_REGISTER)),
  ]),
  UpdateLearner: request('regmsg', 'UpdateLearnerRqst', [
    p(
      'Learner',
      complex('LearnerToUpdate', [...LEARNER_TO_REGISTER, p('ULN', T.MIAPULN), p('VersionNumber', T.int)]),
    ),
  ]),
  SubmitBatch: request('batchmsg', 'BatchRegistrationRqst', [
    p('JobType', T.MIAPBatchJobType),
    p('LearnerRecordCount', T.MIAPLearnerRecordCount),
    p('Learner', BATCH_LEARNER, 1, 200),
  ]),
  GetSubmitBatchOutput: jobOutput('batchmsg', 'BatchOutputRqst'),
  SubmitVerifyBatch: request('vldmsg', 'VerifyBatchRqst', [
    p('LearnerRecordCount', T.MIAPLearnerRecordCount),
    opt('OrgEmail', T.MIAPEmail, true),
    p(
      'Learner',
      complex('MIAPBatchLearnerToVerify', [opt('MISIdentifier', T.MIAPMISIdentifier), ...LEARNER_TO_VERIFY]),
      1,
      Number.POSITIVE_INFINITY,
    ),
  ]),
  GetVerifyBatchOutput: jobOutput('vldmsg', 'VerifyBatchOutputRqst'),
  RetrieveULNs: request('reportmsg', 'RetrieveULNsRqst', [
    p('ULNsToRetrieve', complex('MIAPULNsToRetrieve', [p('ULN', T.MIAPULN, 1, 200)])),
  ]),
  VerifyLearner: request('reportmsg', 'VerifyLearnerRqst', [
    p('LearnerToVerify', complex('MIAPLearnerToVerify', LEARNER_TO_VERIFY)),
  ]),
};
