/** Sample requests and credentials for the adapter tests (invented data; ULNs pass the check digit). */
import type { OrganisationCredentials } from '../../shared/ports/credentials.js';

/** Credentials for tests; organisationRef may be explicitly undefined to drop it. */
export type OperationCredentialsLike = Omit<OrganisationCredentials, 'organisationRef'> & {
  readonly organisationRef?: string | undefined;
};

export const AWKWARD = "O'Brien & Sons <x>";

export const CREDS: OperationCredentialsLike = {
  organisationId: 'TEST0001',
  ukprn: 'TEST0001',
  organisationRef: 'ABC123',
  orgPassword: 'Pa$$word&<16ch>!',
  userName: 'mis-service',
  vendorId: 42,
  certificate: { kind: 'pem', key: Buffer.from('k'), cert: Buffer.from('c') },
  version: '1',
};

/** Only a UKPRN, as most live clients send. */
export const CREDS_UKPRN_ONLY: OperationCredentialsLike = {
  ...CREDS,
  organisationRef: undefined,
};

const fullLearner = {
  title: 'Ms',
  givenName: AWKWARD,
  middleOtherName: 'Anne',
  familyName: AWKWARD,
  preferredGivenName: 'Annie',
  previousFamilyName: 'Smith',
  familyNameAtAge16: 'Smith',
  schoolAtAge16: `${AWKWARD} Academy`,
  lastKnownAddressLine1: `1 ${AWKWARD} Street`,
  lastKnownAddressLine2: 'Flat 2',
  lastKnownAddressTown: 'Coventry',
  lastKnownAddressCountyOrCity: 'West Midlands',
  lastKnownPostCode: 'CV4 9EE',
  dateOfAddressCapture: '2020-02-29',
  dateOfBirth: '2004-02-29',
  placeOfBirth: 'Coventry',
  gender: '2',
  emailAddress: "o'brien+test@example.co.uk",
  nationality: 'GBR',
  scottishCandidateNumber: '123456789',
  verificationType: '999',
  otherVerificationDescription: AWKWARD,
  abilityToShare: '1',
  notes: `Notes with ${AWKWARD}`,
};

const minimalLearner = {
  givenName: 'Abbie',
  familyName: 'Evans',
  lastKnownPostCode: 'LU49QZ',
  dateOfBirth: '1994-02-06',
  gender: '2',
  verificationType: '0',
  abilityToShare: '1',
};

/** Requests as a caller sends them (defaults omitted). Index 0 = with optional fields, 1 = minimal. */
export const SAMPLES = {
  findLearnerByUln: [
    { findType: 'CHK', uln: '1026893096', familyName: AWKWARD, givenName: 'Sample' },
    { uln: '1026893096', familyName: 'Test', givenName: 'Sample' },
  ],
  findLearnerByDemographics: [
    {
      familyName: AWKWARD,
      givenName: 'Sample',
      dateOfBirth: '1985-03-27',
      gender: '1',
      lastKnownPostCode: 'AB12 5EQ',
      previousFamilyName: AWKWARD,
      schoolAtAge16: `${AWKWARD} School`,
      placeOfBirth: 'Whittlesey',
      emailAddress: 'sample.test@example.com',
    },
    {
      familyName: 'Test',
      givenName: 'Sample',
      dateOfBirth: '1985-03-27',
      gender: '9',
      lastKnownPostCode: 'BFPO 123',
    },
  ],
  verifyLearner: [
    { uln: '6936002314', familyName: AWKWARD, givenName: 'Sample', dateOfBirth: '1985-03-27', gender: '1' },
    { uln: '6936002314', familyName: 'Test', givenName: 'Sample' },
  ],
  registerLearner: [{ learner: fullLearner }, { learner: minimalLearner }],
  updateLearner: [
    { learner: { ...fullLearner, uln: '7667649978', versionNumber: 3 } },
    { learner: { ...minimalLearner, uln: '7667649978', versionNumber: 1 } },
  ],
  submitBatchRegistration: [
    {
      jobType: 'CHK',
      learners: [
        {
          uln: '1964986809',
          misIdentifier: 'MIS-1',
          title: 'Mr',
          givenName: AWKWARD,
          preferredGivenName: 'Al',
          middleOtherName: 'B',
          familyName: AWKWARD,
          previousFamilyName: 'Jones',
          familyNameAtAge16: 'Jones',
          schoolAtAge16: 'School',
          lastKnownAddressLine1: AWKWARD,
          lastKnownAddressLine2: 'Line 2',
          lastKnownAddressTown: 'Town',
          lastKnownAddressCountyOrCity: 'County',
          lastKnownPostCode: 'SW1A 1AA',
          dateOfAddressCapture: '2019-01-01',
          dateOfBirth: '2001-12-31',
          placeOfBirth: 'London',
          emailAddress: 'al@example.org',
          gender: '1',
          nationality: 'GBR',
          scottishCandidateNumber: '987654321',
          abilityToShare: '2',
          verificationType: '2',
          otherVerificationDescription: 'Passport',
          notes: AWKWARD,
        },
        { givenName: 'Min', familyName: 'Imal' },
      ],
    },
    { learners: [{ givenName: 'Min', familyName: 'Imal' }] },
  ],
  getBatchRegistrationOutput: [{ jobId: '123456789012' }, { jobId: '1' }],
  submitVerifyBatch: [
    {
      orgEmail: 'batch@example.ac.uk',
      learners: [
        {
          misIdentifier: 'MIS-9',
          uln: '8383558804',
          familyName: AWKWARD,
          givenName: 'A',
          dateOfBirth: '1990-01-01',
          gender: '0',
        },
        { uln: '1174112637', familyName: 'B', givenName: 'C' },
      ],
    },
    { learners: [{ uln: '1174112637', familyName: 'B', givenName: 'C' }] },
  ],
  getVerifyBatchOutput: [{ jobId: '77' }, { jobId: '78' }],
  retrieveUlns: [{ ulns: ['1026893096', '6936002314', '4444599390'] }, { ulns: ['1026922983'] }],
  getLearningEvents: [
    {
      uln: '1174112637',
      givenName: AWKWARD,
      familyName: 'Test',
      dateOfBirth: '1990-01-01',
      gender: '2',
      getType: 'FULL',
      userType: 'LNR',
      language: 'ENG',
    },
    { uln: '1174112637', givenName: 'Sample', familyName: 'Test' },
  ],
  getLearnerByUln: [
    { uln: '1026893096', givenName: 'Sample', familyName: AWKWARD, findType: 'CHK', userType: 'SER' },
    { uln: '1026893096', givenName: 'Sample', familyName: 'Test' },
  ],
  updateLearnerSubsetFields: [
    {
      uln: '1026893096',
      versionNumber: 4,
      emailAddress: 'new@example.com',
      telephoneNumber: '+44 (0)20 7946-0000',
      abilityToShare: 'FPNSeenShareData',
      schoolAtAge16: AWKWARD,
      preferredGivenName: 'Sam',
    },
    { uln: '1026893096', versionNumber: 1 },
  ],
  viewAudit: [
    { uln: '1026893096', givenName: AWKWARD, familyName: 'Test', page: 2 },
    { uln: '1026893096', givenName: 'Sample', familyName: 'Test' },
  ],
  getOrganisation: [{ ukprn: '10030488', organisationRef: 'XYZ789' }, { organisationRef: 'XYZ789' }],
  submitAchievementBatch: [
    {
      emailAddress: 'ao@example.org',
      submissionType: 'Full',
      achievements: [
        {
          achievementAwardDate: '2024-07-01',
          action: 1,
          actionDate: '2024-07-02T10:30:00',
          actionReason: AWKWARD,
          dateOfBirth: '2005-05-05',
          familyName: AWKWARD,
          gender: 2,
          givenName: 'Ann',
          grade: 'A*',
          languageForAssessment: 'English',
          learnerPostcode: 'CV4 9EE',
          misIdentifier: 'AO-1',
          providerUkprn: '10030488',
          uln: '1026893096',
          unitOrQualificationReferenceNumber: '500/4606/8',
        },
      ],
    },
    {
      achievements: [
        {
          achievementAwardDate: '2024-07-01',
          action: 0,
          actionDate: '2024-07-01',
          familyName: 'Evans',
          givenName: 'Abbie',
          providerUkprn: '10030488',
          uln: '7667649978',
          unitOrQualificationReferenceNumber: 'K/501/5773',
        },
      ],
    },
  ],
  getAchievementBatch: [{ jobId: 991 }, { jobId: 1 }],
} as const;
