/**
 * Registering the LRS way: search by demographics first, register only when the LRS says there is no
 * match (WSRC0001). Otherwise hand the matches back, each with the fields that differ from what was
 * searched, so the user can pick an existing learner instead of creating a duplicate.
 */
import * as z from 'zod';
import type { Outcome } from '../domain/outcome.js';
import { type Learner, learnerSchema } from '../lrs/responses.js';
import type { OperationRequest, OperationResponse } from '../lrs/schemas.js';

export const NO_MATCH = 'WSRC0001';

/** Fields a match is compared on (the five demographics, then the optional ones when searched). */
export const COMPARED_FIELDS = [
  'givenName',
  'familyName',
  'dateOfBirth',
  'gender',
  'lastKnownPostCode',
  'previousFamilyName',
  'schoolAtAge16',
  'placeOfBirth',
  'emailAddress',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export const registerLearnerResultSchema = z
  .object({
    registered: z.boolean().describe('True when the LRS registered the learner (outcome WSRC0005)'),
    uln: z.string().optional().describe('The new ULN, when registered'),
    searchResponseCode: z
      .string()
      .describe('Code of the demographic search that preceded the registration (WSRC0001 when none matched)'),
    registerResponseCode: z
      .string()
      .optional()
      .describe('Code of the registration, when one was attempted (WSRC0005 registered, WSRC0021 refused)'),
    matches: z
      .array(
        z.object({
          learner: learnerSchema,
          differences: z
            .array(z.enum(COMPARED_FIELDS))
            .describe('Fields of the search that this learner does not match (empty for an exact match)'),
        }),
      )
      .describe('Learners the search found instead (empty when registered or too many matches)'),
  })
  .describe('Result of a registration: either the new ULN or the learners that already match');

export type RegisterLearnerResult = z.output<typeof registerLearnerResultSchema>;

export const findRequestFor = (
  request: OperationRequest<'registerLearner'>,
): OperationRequest<'findLearnerByDemographics'> => {
  const l = request.learner;
  return {
    findType: 'FUL',
    familyName: l.familyName,
    givenName: l.givenName,
    dateOfBirth: l.dateOfBirth,
    gender: l.gender,
    lastKnownPostCode: l.lastKnownPostCode,
    ...(l.previousFamilyName ? { previousFamilyName: l.previousFamilyName } : {}),
    ...(l.schoolAtAge16 ? { schoolAtAge16: l.schoolAtAge16 } : {}),
    ...(l.placeOfBirth ? { placeOfBirth: l.placeOfBirth } : {}),
    ...(l.emailAddress ? { emailAddress: l.emailAddress } : {}),
  };
};

const normalise = (field: ComparedField, v: string | undefined): string => {
  const s = (v ?? '').trim().toUpperCase();
  // The LRS compares postcodes without spaces (CV49EE matches CV4 9EE).
  return field === 'lastKnownPostCode' ? s.replace(/\s+/g, '') : s.replace(/\s+/g, ' ');
};

/** The searched fields this learner does not match. */
export const differencesFrom = (
  searched: OperationRequest<'findLearnerByDemographics'>,
  learner: Learner,
): ComparedField[] => {
  const out: ComparedField[] = [];
  for (const field of COMPARED_FIELDS) {
    const wanted = searched[field];
    if (wanted === undefined || wanted === '') continue;
    const w = normalise(field, wanted);
    const same =
      field === 'givenName'
        ? w === normalise(field, learner.givenName) || w === normalise(field, learner.preferredGivenName)
        : w === normalise(field, learner[field]);
    if (!same) out.push(field);
  }
  return out;
};

/** One LRS call as the use case sees it. */
export type LrsCall = <K extends 'findLearnerByDemographics' | 'registerLearner'>(
  op: K,
  request: OperationRequest<K>,
) => Promise<{ outcome: Outcome; response: OperationResponse<K>; durationMs: number }>;

export const registerTheLrsWay = async (
  request: OperationRequest<'registerLearner'>,
  call: LrsCall,
): Promise<{ outcome: Outcome; result: RegisterLearnerResult; durationMs: number }> => {
  const search = findRequestFor(request);
  const found = await call('findLearnerByDemographics', search);
  if (found.outcome.code !== NO_MATCH) {
    return {
      outcome: found.outcome,
      durationMs: found.durationMs,
      result: {
        registered: false,
        searchResponseCode: found.response.responseCode,
        matches: found.response.learners.map((learner) => ({
          learner,
          differences: differencesFrom(search, learner),
        })),
      },
    };
  }
  const registered = await call('registerLearner', request);
  const uln = registered.response.uln;
  return {
    outcome: registered.outcome,
    durationMs: found.durationMs + registered.durationMs,
    result: {
      registered: registered.outcome.code === 'WSRC0005' && uln !== undefined,
      ...(uln ? { uln } : {}),
      searchResponseCode: found.response.responseCode,
      registerResponseCode: registered.response.responseCode,
      matches: [],
    },
  };
};
