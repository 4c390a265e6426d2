/** The WCF wrappers of LearnerServiceR9 and ExternalService: qualified parameters, DataContract members in order (WSDL). */
import { T } from './miap.js';
import { type ComplexType, complex, enumType, nsp, type Particle, type SimpleType } from './types.js';

const TEMPURI = 'http://tempuri.org/';
const MODEL = 'http://api.lrs.qcf.gov.uk/model';
const SERVICES = 'http://api.lrs.qcf.gov.uk/services';
const SVC_IF = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface';
const COMMON = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common';

const tem = nsp(TEMPURI);
const r10 = nsp(SVC_IF);
const com = nsp(COMMON);
const mod = nsp(MODEL);
const svc = nsp(SERVICES);

/**
 * A DataContract: its members in order, each optional and nillable unless named in `required` or
 * `notNillable`.
 */
const contract = (
  b: ReturnType<typeof nsp>,
  name: string,
  members: Readonly<Record<string, SimpleType>>,
  rules: { required?: readonly string[]; notNillable?: readonly string[] } = {},
): ComplexType =>
  complex(
    name,
    Object.entries(members).map(([member, type]) =>
      (rules.required?.includes(member) ? b.req : b.opt)(member, type, !rules.notNillable?.includes(member)),
    ),
  );

const INVOKING_R10 = contract(r10, 'InvokingOrganisationR10', {
  OrganisationRef: T.string,
  Password: T.string,
  Ukprn: T.string,
  Username: T.string,
});
const INVOKING = contract(
  com,
  'InvokingOrganisation',
  {
    ChannelCode: enumType('ChannelCode', ['None', 'Batch', 'Portal', 'WebServices', 'LegacyAPI', 'Legacy']),
    Estab: T.int,
    LaNumber: T.int,
    Password: T.string,
    Reference: T.string,
    Ukprn: T.string,
    Username: T.string,
  },
  { notNillable: ['ChannelCode'] },
);
const USER = contract(mod, 'User', { OrgPassword: T.string, OrganisationRef: T.string, UserName: T.string });
const ACHIEVEMENT = contract(
  svc,
  'Achievement',
  {
    AchievementAwardDate: T.dateTime,
    Action: T.int,
    ActionDate: T.dateTime,
    ActionReason: T.string,
    DateofBirth: T.dateTime,
    FamilyName: T.string,
    Gender: T.int,
    GivenName: T.string,
    Grade: T.string,
    LanguageForAssessment: T.string,
    LearnerPostcode: T.string,
    MisIdentifier: T.string,
    ProviderUkprn: T.string,
    Uln: T.string,
    UnitOrQualificationReferenceNumber: T.string,
  },
  {
    required: [
      'AchievementAwardDate',
      'Action',
      'ActionDate',
      'FamilyName',
      'GivenName',
      'ProviderUkprn',
      'Uln',
      'UnitOrQualificationReferenceNumber',
    ],
    notNillable: ['AchievementAwardDate', 'Action', 'ActionDate'],
  },
);

/** String parameters of an R9 operation, in order. */
const strings = (...names: string[]): Particle[] => names.map((n) => tem.req(n, T.string));

/**
 * An R9 operation wrapper: every R9 operation starts with the invoking organisation, the user type, the
 * vendor id and the language, then its own parameters (all required, in order).
 */
const r9 = (
  op: string,
  params: readonly Particle[],
  head: { invoking?: ComplexType; userType?: SimpleType; vendorId?: string } = {},
): { ns: string; type: ComplexType } => ({
  ns: TEMPURI,
  type: complex(op, [
    tem.req('invokingOrganisation', head.invoking ?? INVOKING),
    tem.req('userType', head.userType ?? T.string, head.userType === undefined),
    tem.req(head.vendorId ?? 'vendorId', T.int, false),
    tem.req('language', T.string),
    ...params,
  ]),
});

export const WCF_REQUESTS: Readonly<Record<string, { ns: string; type: ComplexType }>> = {
  GetLearnerLearningEvents: r9(
    'GetLearnerLearningEvents',
    strings('uln', 'givenName', 'familyName', 'dateOfBirth', 'gender', 'getType'),
    { invoking: INVOKING_R10, vendorId: 'vendorID' },
  ),
  LearnerByUln: r9('LearnerByUln', strings('uln', 'givenName', 'familyName', 'findType')),
  UpdateLearnerSubsetFields: r9('UpdateLearnerSubsetFields', [
    ...strings('uln'),
    tem.req('versionNumber', T.int, false),
    ...strings('emailAddress', 'telephoneNumber'),
    tem.req(
      'abilityToShare',
      enumType('AbilityToShare', ['NotProvided', 'FPNNotSeen', 'FPNSeenShareData']),
      false,
    ),
    ...strings('schoolAtAge16', 'preferredGivenName'),
  ]),
  ViewAudit: r9('ViewAudit', [
    ...strings('learnerUln', 'learnerGivenName', 'learnerFamilyName'),
    tem.req('page', T.int, false),
  ]),
  GetOrganisation: r9('GetOrganisation', strings('ukPrn', 'orgRef'), {
    userType: enumType('UserType', ['Unknown', 'LNR', 'ORG', 'SER']),
  }),
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
