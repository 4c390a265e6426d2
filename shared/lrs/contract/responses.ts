/**
 * Typed, camelCase, JSON-friendly responses of the 17 operations. Arrays are always arrays; a value
 * the LRS sent as `i:nil`, empty or not at all is absent. Dates stay as the LRS text (YYYY-MM-DD).
 * zod schemas so the API side can put them into the OpenAPI document.
 */
import * as z from 'zod';
import { lazyTable, once } from './lazy-table.js';
import type { OperationId } from './operations.js';

const str = () => z.string().optional();
const int = () => z.number().int().optional();

/** The names from the past, the address and the birth details, in the order the LRS lists them. */
const pastNamesAndAddress = () => ({
  previousFamilyName: str(),
  familyNameAtAge16: str(),
  schoolAtAge16: str(),
  lastKnownAddressLine1: str(),
  lastKnownAddressLine2: str(),
  lastKnownAddressTown: str(),
  lastKnownAddressCountyOrCity: str(),
  lastKnownPostCode: str(),
  dateOfAddressCapture: str(),
  dateOfBirth: str(),
  placeOfBirth: str(),
});

export const learnerSchema = once(() =>
  z
    .object({
      createdDate: str(),
      lastUpdatedDate: str(),
      uln: z.string(),
      /** True when the LRS returned the master record in place of a linked learner (`MasterSubstituted` Y). */
      masterSubstituted: z.boolean(),
      title: str(),
      givenName: str(),
      middleOtherName: str(),
      familyName: str(),
      preferredGivenName: str(),
      ...pastNamesAndAddress(),
      gender: str(),
      emailAddress: str(),
      nationality: str(),
      scottishCandidateNumber: str(),
      verificationType: str(),
      otherVerificationDescription: str(),
      tierLevel: str(),
      abilityToShare: str(),
      learnerStatus: str(),
      linkedUlns: z.array(z.string()),
      notes: str(),
      versionNumber: int(),
    })
    .describe('A learner record from LearnerService'),
);

const findResponse = once(() =>
  z
    .object({
      responseCode: z.string(),
      /** The ULN the search was for (learnerByULN echoes it). */
      searchedUln: str(),
      learners: z.array(learnerSchema()),
    })
    .describe('Result of a find: 0..n learners'),
);

const verifiedLearnerShape = () => ({
  searchedUln: str(),
  searchedFamilyName: str(),
  searchedGivenName: str(),
  searchedDateOfBirth: str(),
  searchedGender: str(),
  responseCode: str(),
  uln: str(),
  familyName: str(),
  givenName: str(),
  dateOfBirth: str(),
  gender: str(),
  failureFlags: z.array(z.string()).describe('VRF1-VRF8: which comparisons failed'),
});

const batchLearnerOut = () =>
  z.object({
    uln: str(),
    misIdentifier: str(),
    title: str(),
    givenName: str(),
    preferredGivenName: str(),
    middleOtherName: str(),
    familyName: str(),
    ...pastNamesAndAddress(),
    emailAddress: str(),
    gender: str(),
    nationality: str(),
    scottishCandidateNumber: str(),
    abilityToShare: str(),
    verificationType: str(),
    otherVerificationDescription: str(),
    notes: str(),
    returnCode: str(),
  });

export const learningEventSchema = once(() =>
  z.object({
    id: int(),
    achievementAwardDate: str(),
    achievementProviderName: str(),
    achievementProviderUkprn: str(),
    awardingOrganisationName: str(),
    awardingOrganisationUkprn: str(),
    collectionType: str(),
    credits: z.number().optional(),
    dateLoaded: str(),
    grade: str(),
    languageForAssessment: str(),
    level: str(),
    participationEndDate: str(),
    participationStartDate: str(),
    qualificationType: str(),
    restriction: str(),
    returnNumber: str(),
    source: str(),
    status: str(),
    subject: str(),
    subjectCode: str(),
    underDataChallenge: str(),
  }),
);

/** Each operation's answer schema is built when it is first read (lazy-table.ts). */
export const responseSchemas = lazyTable({
  findLearnerByUln: findResponse,
  findLearnerByDemographics: findResponse,
  verifyLearner: () =>
    z.object({ responseCode: z.string(), verifiedLearner: z.object(verifiedLearnerShape()) }),
  registerLearner: () => z.object({ responseCode: z.string(), uln: str() }),
  updateLearner: () => z.object({ responseCode: z.string() }),
  submitBatchRegistration: () => z.object({ responseCode: z.string(), jobId: str() }),
  getBatchRegistrationOutput: () =>
    z.object({
      responseCode: z.string(),
      jobStatus: str(),
      newLearnersCount: int(),
      existsUpdatedLearnersCount: int(),
      possibleMatchLearnersCount: int(),
      learnersNotFoundCount: int(),
      rejectedLearnersCount: int(),
      jobStartedDateTime: str(),
      jobFinishedDateTime: str(),
      learners: z.array(batchLearnerOut()),
    }),
  submitVerifyBatch: () => z.object({ responseCode: z.string(), jobId: str() }),
  getVerifyBatchOutput: () =>
    z.object({
      responseCode: z.string(),
      jobStatus: str(),
      jobStartedDateTime: str(),
      jobFinishedDateTime: str(),
      verifiedLearners: z.array(z.object({ misIdentifier: str(), ...verifiedLearnerShape() })),
    }),
  retrieveUlns: () =>
    z.object({
      /** retrieveULNs has no overall code; 'OK' when the LRS answered. */
      responseCode: z.string(),
      retrievedUlns: z.array(
        z.object({
          uln: z.string(),
          masterUln: str(),
          responseCode: str(),
          familyName: str(),
          givenName: str(),
          dateOfBirth: str(),
          gender: str(),
        }),
      ),
    }),
  getLearningEvents: () =>
    z.object({
      responseCode: z.string(),
      foundUln: str(),
      incomingUln: str(),
      learningEvents: z.array(learningEventSchema()),
    }),
  getLearnerByUln: () =>
    z.object({
      responseCode: z.string(),
      uln: str(),
      familyName: str(),
      givenName: str(),
      /**
       * The R9 (MIAPModel) learner: its ~90 members camelCased; `linkedUlns` is an array; `versionNumber`
       * is a number (what UpdateLearnerSubsetFields takes).
       */
      learner: z.record(z.string(), z.union([z.string(), z.number().int(), z.array(z.string())])).optional(),
    }),
  updateLearnerSubsetFields: () => z.object({ responseCode: z.string(), result: str() }),
  viewAudit: () =>
    z.object({
      responseCode: z.string(),
      entries: z.array(z.object({ action: str(), dateTime: str(), organisation: str(), user: str() })),
      pageCount: int(),
      pageIndex: int(),
      pageSize: int(),
      sortIndex: str(),
      sortOrder: str(),
      totalItems: int(),
    }),
  getOrganisation: () =>
    z.object({
      responseCode: z.string(),
      displayName: str(),
      orgRef: str(),
      status: str(),
      ukprn: str(),
    }),
  submitAchievementBatch: () => z.object({ responseCode: z.string(), jobId: int() }),
  getAchievementBatch: () =>
    z.object({
      responseCode: z.string(),
      jobId: int(),
      status: z
        .enum(['Failed', 'Successful', 'Waiting', 'InProgress', 'Cancelled'])
        .or(z.string())
        .optional(),
      achievementBatchErrorFile: str(),
      achievementsCreated: int(),
      achievementsPromotedToFinal: int(),
      achievementsReinstated: int(),
      achievementsUpdated: int(),
      achievementsWithdrawn: int(),
      businessRuleErrors: int(),
      duration: str(),
      endDate: str(),
      fieldDataErrors: int(),
      filename: str(),
      learnerDataErrors: int(),
      numberOfRecords: int(),
      percentageSuccessfulRecords: z.number().optional(),
      rejectionReason: str(),
      startDate: str(),
      submittedDate: str(),
      successfulFinalAchievements: int(),
      successfulProvisionalAchievements: int(),
      type: str(),
      user: str(),
    }),
});

export type Learner = z.output<ReturnType<typeof learnerSchema>>;
export type LearningEvent = z.output<ReturnType<typeof learningEventSchema>>;
export type OperationResponse<K extends OperationId> = z.output<(typeof responseSchemas)[K]>;

const _coverage: { [K in OperationId]: z.ZodType<OperationResponse<K>> } = responseSchemas;
void _coverage;
