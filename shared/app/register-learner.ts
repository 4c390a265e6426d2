/**
 * Registering the LRS way: search by demographics first, register only when the LRS says there is no
 * match (WSRC0001). Otherwise hand the matches back, each with the fields that differ from what was
 * searched, so the user can pick an existing learner instead of creating a duplicate.
 *
 * A register whose answer was lost (the connection broke after the request went out) is never sent
 * again blindly: the search tells what happened. The search before it found no one, so an exact match
 * on every submitted field now is the learner that register created: it is reported registered, with
 * that ULN (`reconciled: true`). No match means the register did not happen, and it is sent again.
 * The same holds on a later attempt (`unconfirmed`: a previous attempt lost a register's answer).
 */
import * as z from 'zod';
import type { Outcome } from '../domain/outcome.js';
import { once } from '../lrs/contract/lazy-table.js';
import { outcomeFor, toOutcome } from '../lrs/contract/outcomes.js';
import { type Learner, learnerSchema } from '../lrs/contract/responses.js';
import type { OperationRequest, OperationResponse } from '../lrs/contract/schemas.js';

export const NO_MATCH = 'WSRC0001';
export const EXACT_MATCH = 'WSRC0004';
export const REGISTERED = 'WSRC0005';

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

export const registerLearnerResultSchema = once(() =>
  z
    .object({
      registered: z.boolean().describe('True when the LRS registered the learner (outcome WSRC0005)'),
      uln: z.string().optional().describe('The new ULN, when registered'),
      searchResponseCode: z
        .string()
        .describe(
          'Code of the demographic search that preceded the registration (WSRC0001 when none matched)',
        ),
      registerResponseCode: z
        .string()
        .optional()
        .describe('Code of the registration, when one was attempted (WSRC0005 registered, WSRC0021 refused)'),
      reconciled: z
        .boolean()
        .optional()
        .describe(
          "True when the registration's answer was lost and the learner was found registered by a search afterwards (exact match on every submitted field)",
        ),
      matches: z
        .array(
          z.object({
            learner: learnerSchema(),
            differences: z
              .array(z.enum(COMPARED_FIELDS))
              .describe('Fields of the search that this learner does not match (empty for an exact match)'),
          }),
        )
        .describe('Learners the search found instead (empty when registered or too many matches)'),
    })
    .describe('Result of a registration: either the new ULN or the learners that already match'),
);

export type RegisterLearnerResult = z.output<ReturnType<typeof registerLearnerResultSchema>>;

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
) => Promise<LrsAnswer<K>>;

type LrsAnswer<K extends 'findLearnerByDemographics' | 'registerLearner'> = {
  outcome: Outcome;
  response: OperationResponse<K>;
  durationMs: number;
};

export interface RegisterOptions {
  /** A previous attempt sent a register whose answer was lost. */
  readonly unconfirmed?: boolean;
  /** The error may come after the request reached the LRS (reset, timeout): the register may have happened. */
  readonly isAmbiguous?: (e: unknown) => boolean;
}

/** The one learner of an exact-match search whose every searched field is the submitted one. */
const registeredMatch = (
  search: OperationRequest<'findLearnerByDemographics'>,
  found: { outcome: Outcome; response: OperationResponse<'findLearnerByDemographics'> },
): Learner | undefined => {
  if (found.outcome.code !== EXACT_MATCH || found.response.learners.length !== 1) return undefined;
  const learner = found.response.learners[0];
  return learner?.uln && differencesFrom(search, learner).length === 0 ? learner : undefined;
};

export const registerTheLrsWay = async (
  request: OperationRequest<'registerLearner'>,
  call: LrsCall,
  options: RegisterOptions = {},
): Promise<{ outcome: Outcome; result: RegisterLearnerResult; durationMs: number }> => {
  const search = findRequestFor(request);
  const reconciled = (
    learner: Learner,
    found: { response: OperationResponse<'findLearnerByDemographics'>; durationMs: number },
    registered: Outcome,
  ): { outcome: Outcome; result: RegisterLearnerResult; durationMs: number } => ({
    outcome: registered,
    durationMs: found.durationMs,
    result: {
      registered: true,
      uln: learner.uln as string,
      searchResponseCode: NO_MATCH,
      registerResponseCode: REGISTERED,
      reconciled: true,
      matches: [],
    },
  });
  const found = await call('findLearnerByDemographics', search);
  if (options.unconfirmed) {
    const learner = registeredMatch(search, found);
    if (learner) return reconciled(learner, found, toOutcome(outcomeFor(REGISTERED)));
  }
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
  let registered: LrsAnswer<'registerLearner'>;
  try {
    registered = await call('registerLearner', request);
  } catch (e) {
    if (!options.isAmbiguous?.(e)) throw e;
    // The answer was lost: find out at once whether the learner is there now.
    let again: LrsAnswer<'findLearnerByDemographics'>;
    try {
      again = await call('findLearnerByDemographics', search);
    } catch {
      throw e;
    }
    const learner = registeredMatch(search, again);
    if (learner) return reconciled(learner, again, toOutcome(outcomeFor(REGISTERED)));
    // Not there: the register did not happen. The next attempt searches and registers again.
    throw e;
  }
  const uln = registered.response.uln;
  return {
    outcome: registered.outcome,
    durationMs: found.durationMs + registered.durationMs,
    result: {
      registered: registered.outcome.code === REGISTERED && uln !== undefined,
      ...(uln ? { uln } : {}),
      searchResponseCode: found.response.responseCode,
      registerResponseCode: registered.response.responseCode,
      matches: [],
    },
  };
};
