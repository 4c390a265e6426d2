/**
 * JSON request models of the 17 LRS operations (camelCase), with the legacy MIAP XSD facets and the
 * ULN check digit. Credentials are never part of a request: they come from the organisation's secret.
 * The same schemas drive the HTTP API validation and the OpenAPI document.
 */
import * as z from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { toFieldIssues } from './field-issues.js';
import {
  abilityToShare,
  email,
  FIND_TYPES,
  gender,
  isMiapDate,
  lineText,
  maxText,
  miapDate,
  name35,
  nameNonEmpty,
  nationality,
  postcode,
  scottishCandidateNumber,
  USER_TYPES,
  uln,
  verificationType,
} from './fields.js';
import { lazyTable } from './lazy-table.js';
import { normaliseDateTime, onStrings } from './normalise.js';
import type { OperationId } from './operations.js';

export type { OperationResponse } from './responses.js';
export { isValidUln } from './uln.js';

const findType = () =>
  z.enum(FIND_TYPES).default('FUL').describe('FUL (full search, default) or CHK (check only)');
const r9Common = () => ({
  userType: z.enum(USER_TYPES).default('ORG').describe('R9 user type: ORG (default), LNR or SER'),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}$/)
    .default('ENG')
    .describe('Language code, default ENG'),
});

/** The optional names from the past and the address lines, in the order the LRS lists them. */
const pastNamesAndAddress = () => ({
  previousFamilyName: name35('Previous family name').optional(),
  familyNameAtAge16: name35('Family name at age 16').optional(),
  schoolAtAge16: lineText(254, 'School at age 16').optional(),
  lastKnownAddressLine1: lineText(50, 'Address line 1').optional(),
  lastKnownAddressLine2: lineText(50, 'Address line 2').optional(),
  lastKnownAddressTown: lineText(50, 'Town').optional(),
  lastKnownAddressCountyOrCity: lineText(50, 'County or city').optional(),
});

/** Fields shared by LearnerToRegister and LearnerToUpdate, in schema order. */
const learnerToRegisterShape = () => ({
  title: name35('Title').optional(),
  givenName: nameNonEmpty('Given name'),
  middleOtherName: name35('Middle or other names').optional(),
  familyName: nameNonEmpty('Family name'),
  preferredGivenName: name35('Preferred given name').optional(),
  ...pastNamesAndAddress(),
  lastKnownPostCode: postcode('Last known postcode'),
  dateOfAddressCapture: miapDate('Date the address was captured').optional(),
  dateOfBirth: miapDate('Date of birth'),
  placeOfBirth: name35('Place of birth').optional(),
  gender: gender(),
  emailAddress: email().optional(),
  nationality: nationality().optional(),
  scottishCandidateNumber: scottishCandidateNumber().optional(),
  verificationType: verificationType(),
  otherVerificationDescription: maxText(255, 'Description when verificationType is 999').optional(),
  abilityToShare: abilityToShare(),
  notes: maxText(4000, 'Notes').optional(),
});

const batchLearner = () =>
  z
    .strictObject({
      uln: uln().optional(),
      misIdentifier: maxText(128, "The caller's own key for this learner").optional(),
      title: name35('Title').optional(),
      givenName: nameNonEmpty('Given name'),
      preferredGivenName: name35('Preferred given name').optional(),
      middleOtherName: name35('Middle or other names').optional(),
      familyName: nameNonEmpty('Family name'),
      ...pastNamesAndAddress(),
      lastKnownPostCode: postcode('Last known postcode').optional(),
      dateOfAddressCapture: miapDate('Date the address was captured').optional(),
      dateOfBirth: miapDate('Date of birth').optional(),
      placeOfBirth: name35('Place of birth').optional(),
      emailAddress: email().optional(),
      gender: gender().optional(),
      nationality: nationality().optional(),
      scottishCandidateNumber: scottishCandidateNumber().optional(),
      abilityToShare: abilityToShare().optional(),
      verificationType: verificationType().optional(),
      otherVerificationDescription: maxText(255, 'Description when verificationType is 999').optional(),
      notes: maxText(4000, 'Notes').optional(),
    })
    .describe('One learner of a batch registration');

const learnerToVerifyShape = () => ({
  uln: uln(),
  familyName: nameNonEmpty('Family name'),
  givenName: nameNonEmpty('Given name'),
  dateOfBirth: miapDate('Date of birth').optional(),
  gender: gender().optional(),
});

/** xs:long: kept as text, because a JSON number cannot hold every 64-bit id exactly. */
const lsJobId = () =>
  z
    .string()
    .regex(/^[0-9]{1,19}$/)
    // zod runs the refinement even when the pattern failed: only digits may reach BigInt.
    .refine((v) => !/^[0-9]{1,19}$/.test(v) || BigInt(v) <= 9223372036854775807n, {
      message: 'must be at most 9223372036854775807 (a 64-bit job id)',
      params: { rule: 'max' },
    })
    .describe('LRS job id returned by the submit operation (digits, a 64-bit number as text)');

const isoDateTime = (description: string) =>
  z
    .preprocess(
      onStrings(normaliseDateTime),
      z
        .string()
        .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?)?$/)
        .superRefine((v, ctx) => {
          const day = isMiapDate(v.slice(0, 10));
          const hh = Number(v.slice(11, 13) || '0');
          const mm = Number(v.slice(14, 16) || '0');
          const ss = Number(v.slice(17, 19) || '0');
          if (day === 'dateRange') {
            ctx.addIssue({
              code: 'custom',
              message: 'must be between 1800 and 2099',
              params: { rule: 'dateRange' },
            });
          } else if (day === 'calendarDate' || hh > 23 || mm > 59 || ss > 59) {
            ctx.addIssue({
              code: 'custom',
              message: 'must be a real date and time',
              params: { rule: 'calendarDate' },
            });
          }
        }),
    )
    .describe(`${description} (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]; sent as YYYY-MM-DDThh:mm:ss)`);

const achievement = () =>
  z
    .strictObject({
      achievementAwardDate: isoDateTime('Award date'),
      action: z.number().int().min(0).max(2147483647).describe('Achievement action code'),
      actionDate: isoDateTime('Action date'),
      actionReason: maxText(4000, 'Action reason').optional(),
      dateOfBirth: isoDateTime('Date of birth').optional(),
      familyName: nameNonEmpty('Family name'),
      gender: z
        .union([z.literal(0), z.literal(1), z.literal(2), z.literal(9)])
        .optional()
        .describe('Gender: 0, 1, 2 or 9'),
      givenName: nameNonEmpty('Given name'),
      grade: maxText(50, 'Grade').optional(),
      languageForAssessment: maxText(50, 'Language of assessment').optional(),
      learnerPostcode: postcode('Learner postcode').optional(),
      misIdentifier: maxText(128, "The awarding organisation's own key").optional(),
      providerUkprn: z
        .string()
        .regex(/^[0-9a-zA-Z]{8}$/)
        .describe('Provider UKPRN (8 characters)'),
      uln: uln(),
      unitOrQualificationReferenceNumber: z
        .string()
        .regex(/^[0-9A-Za-z/ .-]{1,50}$/)
        .describe('Unit or qualification reference number (e.g. 500/4606/8)'),
    })
    .describe('One achievement');

/** Each operation's schema is built when it is first read (lazy-table.ts): a function validates one. */
export const requestSchemas = lazyTable({
  findLearnerByUln: () =>
    z
      .strictObject({
        findType: findType(),
        uln: uln(),
        familyName: nameNonEmpty('Family name'),
        givenName: nameNonEmpty('Given name'),
      })
      .describe('Find a learner by ULN, family name and given name'),
  findLearnerByDemographics: () =>
    z
      .strictObject({
        findType: findType(),
        familyName: nameNonEmpty('Family name'),
        givenName: nameNonEmpty('Given name'),
        dateOfBirth: miapDate('Date of birth'),
        gender: gender(),
        lastKnownPostCode: postcode('Last known postcode'),
        previousFamilyName: name35('Previous family name').optional(),
        schoolAtAge16: lineText(254, 'School at age 16').optional(),
        placeOfBirth: name35('Place of birth').optional(),
        emailAddress: email().optional(),
      })
      .describe('Find a learner by demographics'),
  verifyLearner: () =>
    z.strictObject(learnerToVerifyShape()).describe('Verify that a ULN belongs to the named learner'),
  registerLearner: () =>
    z
      .strictObject({ learner: z.strictObject(learnerToRegisterShape()).describe('The learner to register') })
      .describe('Register a learner'),
  updateLearner: () =>
    z
      .strictObject({
        learner: z
          .strictObject({
            ...learnerToRegisterShape(),
            uln: uln(),
            versionNumber: z
              .number()
              .int()
              .min(0)
              .max(2147483647)
              .describe('VersionNumber from the last find (optimistic concurrency)'),
          })
          .describe('The learner as it should be after the update'),
      })
      .describe("Update a learner's details"),
  submitBatchRegistration: () =>
    z
      .strictObject({
        jobType: z.enum(FIND_TYPES).default('FUL').describe('FUL (default) or CHK'),
        learners: z.array(batchLearner()).min(1).max(200).describe('1-200 learners'),
      })
      .describe('Submit a batch registration job'),
  getBatchRegistrationOutput: () =>
    z.strictObject({ jobId: lsJobId() }).describe('Get the output of a batch registration job'),
  submitVerifyBatch: () =>
    z
      .strictObject({
        orgEmail: email('Email address the LRS notifies when the job completes').optional(),
        learners: z
          .array(
            z
              .strictObject({
                misIdentifier: maxText(128, "The caller's own key").optional(),
                ...learnerToVerifyShape(),
              })
              .describe('One learner to verify'),
          )
          .min(1)
          .max(200)
          .describe('1-200 learners'),
      })
      .describe('Submit a batch verification job'),
  getVerifyBatchOutput: () =>
    z.strictObject({ jobId: lsJobId() }).describe('Get the output of a batch verification job'),
  retrieveUlns: () =>
    z
      .strictObject({ ulns: z.array(uln()).min(1).max(200).describe('1-200 ULNs') })
      .describe('Retrieve the current state of ULNs'),
  getLearningEvents: () =>
    z
      .strictObject({
        uln: uln(),
        givenName: nameNonEmpty('Given name'),
        familyName: nameNonEmpty('Family name'),
        dateOfBirth: miapDate('Date of birth').optional(),
        gender: gender().optional(),
        getType: z.enum(['FULL', 'BRIEF']).default('FULL').describe('FULL (default) or BRIEF (unconfirmed)'),
        ...r9Common(),
      })
      .describe("Get a learner's Personal Learning Record"),
  getLearnerByUln: () =>
    z
      .strictObject({
        uln: uln(),
        givenName: nameNonEmpty('Given name'),
        familyName: nameNonEmpty('Family name'),
        findType: findType(),
        ...r9Common(),
      })
      .describe('Get the R9 learner record by ULN'),
  updateLearnerSubsetFields: () =>
    z
      .strictObject({
        uln: uln(),
        versionNumber: z.number().int().min(0).max(2147483647).describe('VersionNumber from the last read'),
        emailAddress: email().optional(),
        telephoneNumber: z
          .string()
          .regex(/^[0-9 +()-]{1,20}$/)
          .optional()
          .describe('Telephone number (digits, spaces, + ( ) -; up to 20)'),
        abilityToShare: z
          .enum(['NotProvided', 'FPNNotSeen', 'FPNSeenShareData'])
          .default('NotProvided')
          .describe('NotProvided (default, leaves it unchanged), FPNNotSeen or FPNSeenShareData'),
        schoolAtAge16: lineText(254, 'School at age 16').optional(),
        preferredGivenName: name35('Preferred given name').optional(),
        ...r9Common(),
      })
      .describe("Update a learner's subset fields"),
  viewAudit: () =>
    z
      .strictObject({
        uln: uln(),
        givenName: nameNonEmpty('Given name'),
        familyName: nameNonEmpty('Family name'),
        page: z.number().int().min(1).max(100000).default(1).describe('Page number, from 1'),
        ...r9Common(),
      })
      .describe('View who accessed a learner record'),
  getOrganisation: () =>
    z
      .strictObject({
        ukprn: z
          .string()
          .regex(/^[0-9a-zA-Z]{8}$/)
          .optional()
          .describe('UKPRN (8 characters)'),
        organisationRef: z
          .string()
          .regex(/^[0-9a-zA-Z]{6}$/)
          .optional()
          .describe('Organisation reference (6 characters)'),
        ...r9Common(),
      })
      .superRefine((v, ctx) => {
        if (v.ukprn === undefined && v.organisationRef === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['ukprn'],
            message: 'one of ukprn or organisationRef is required',
            params: { rule: 'required' },
          });
        }
      })
      .describe('Look up an organisation'),
  submitAchievementBatch: () =>
    z
      .strictObject({
        emailAddress: email('Email address for job notifications').optional(),
        submissionType: maxText(50, 'Submission type').optional(),
        achievements: z.array(achievement()).min(1).max(10000).describe('Achievements'),
      })
      .describe('Submit an achievement batch'),
  getAchievementBatch: () =>
    z
      .strictObject({
        jobId: z.number().int().min(1).max(2147483647).describe('Job id from the submit operation'),
      })
      .describe('Get an achievement batch job'),
});

type Schemas = typeof requestSchemas;

/** The parsed JSON request of an operation (defaults applied). */
export type OperationRequest<K extends OperationId> = z.output<Schemas[K]>;
/** What a caller may send (defaults may be omitted). */
export type OperationRequestInput<K extends OperationId> = z.input<Schemas[K]>;

// Compile-time check that the table covers every operation with the right key type.
const _coverage: { [K in OperationId]: z.ZodType<OperationRequest<K>, OperationRequestInput<K>> } =
  requestSchemas;
void _coverage;

/** The LRS UserName (MIAPNameNonEmpty): the end user's identifier, 1-35 characters, not blank. */
export const userNameSchema = nameNonEmpty('LRS UserName of the end user');

/**
 * Validates a JSON request. Returns the parsed request (defaults applied) or throws a ValidationError
 * listing every bad field; messages name the field and rule and never echo the value.
 */
export function validateRequest<K extends OperationId>(op: K, input: unknown): OperationRequest<K> {
  const schema = requestSchemas[op] as unknown as z.ZodType<OperationRequest<K>>;
  if (!schema) {
    throw new ValidationError([
      {
        field: '(operation)',
        rule: 'unknownOperation',
        message: 'unknown operation (rule: unknownOperation)',
      },
    ]);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldIssues(result.error, input, schema));
}
