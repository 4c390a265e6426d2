/**
 * The catalogue of every known LRS code: WSRC (LearnerService response codes), WSEC (errors; some
 * arrive as faults, 0206/0208 as R9 response codes), WSVRC (verifyLearner) and VRF (failure flags).
 * Unknown codes get a generic entry, never a crash.
 */
import type { Outcome, OutcomeClass, OutcomeInfo } from '../domain/outcome.js';

const e = (
  code: string,
  name: string,
  cls: OutcomeClass,
  final: boolean,
  description: string,
): OutcomeInfo => ({
  code,
  name,
  class: cls,
  final,
  description,
});

/** The gateway's outcome for a change the LRS may or may not have made (its answer was lost). */
export const UNKNOWN_OUTCOME = 'UNKNOWN_OUTCOME';

const CATALOGUE: readonly OutcomeInfo[] = [
  e('WSRC0001', 'NO_MATCH', 'match-result', true, 'No match: no learner matches the details given'),
  e('WSRC0002', 'TOO_MANY_MATCHES', 'match-result', true, 'Too many matches: refine the search'),
  e('WSRC0003', 'POSSIBLE_MATCHES', 'match-result', true, 'Possible matches: one or more similar learners'),
  e('WSRC0004', 'EXACT_MATCH', 'match-result', true, 'Exact match'),
  e('WSRC0005', 'REGISTERED', 'success', true, 'Learner successfully registered; ULN returned'),
  e('WSRC0006', 'UPDATED', 'success', true, 'Learner successfully updated'),
  e('WSRC0007', 'BATCH_SUBMITTED', 'success', true, 'Batch learner registration successfully submitted'),
  e('WSRC0008', 'BATCH_INCOMPLETE', 'retry-later', false, 'Batch job not complete yet: ask again later'),
  e('WSRC0009', 'BATCH_SUCCESSFUL', 'success', true, 'Batch job completed successfully'),
  e('WSRC0010', 'BATCH_FAILED', 'business-refusal', true, 'Batch job failed'),
  e(
    'WSRC0013',
    'STALE_VERSION',
    'business-refusal',
    true,
    'The ULN was updated since you last obtained its details',
  ),
  e(
    'WSRC0014',
    'INVALID_ABILITY_TO_SHARE_CHANGE',
    'business-refusal',
    true,
    'Invalid change of ability to share',
  ),
  e('WSRC0015', 'INSUFFICIENT_DATA', 'business-refusal', true, 'Insufficient data'),
  e('WSRC0017', 'RECORD_COUNT_INCORRECT', 'caller-error', true, 'Record count incorrect'),
  e('WSRC0018', 'UNKNOWN_JOB', 'business-refusal', true, 'Unknown job'),
  e('WSRC0019', 'ULN_NOT_FOUND_FOR_UPDATE', 'business-refusal', true, 'ULN not found for update'),
  e('WSRC0020', 'NO_CHANGES', 'business-refusal', true, 'No changes found, so the learner was not updated'),
  e(
    'WSRC0021',
    'NOT_REGISTERED',
    'business-refusal',
    true,
    'Could not be registered: a learner with the same details exists, or no recent search preceded it',
  ),
  e('WSRC0022', 'LINKED_LEARNER', 'match-result', true, 'Master record substituted for a linked learner'),
  e('WSRC0023', 'REPORT_ULNS_NOT_FOUND', 'business-refusal', true, 'ULNs for report not found'),
  e('WSRC0024', 'REPORT_NO_ULNS', 'business-refusal', true, 'No ULNs for report'),
  e(
    'WSEC0001',
    'INVALID_REQUEST',
    'caller-error',
    true,
    'Invalid request: schema validation failed or data missing',
  ),
  e('WSEC0002', 'UNKNOWN_REQUEST', 'caller-error', true, 'Unknown request: operation not supported'),
  e(
    'WSEC0003',
    'UNKNOWN_ORGANISATION',
    'caller-error',
    true,
    'Unknown organisation: not recognised or not authorised',
  ),
  e('WSEC0004', 'OUT_OF_HOURS', 'retry-later', false, 'The LRS is outside its service hours'),
  e('WSEC0005', 'INCORRECT_PASSWORD', 'caller-error', true, 'Incorrect organisation password'),
  e('WSEC0006', 'INSUFFICIENT_ACCESS', 'caller-error', true, 'Insufficient access for this operation'),
  e('WSEC0136', 'INVALID_ULN', 'caller-error', true, 'The supplied ULN is invalid'),
  e(
    'WSEC0206',
    'NOT_SHARED',
    'business-refusal',
    true,
    'The learner has not agreed to share their learning record',
  ),
  e(
    'WSEC0208',
    'NOT_VERIFIED',
    'business-refusal',
    true,
    'The learner could not be verified from the details given',
  ),
  e('WSVRC001', 'VERIFIED', 'match-result', true, 'Successful match: every detail matches'),
  e('WSVRC002', 'VERIFIED_LINKED', 'match-result', true, 'Successful match of a linked learner'),
  e(
    'WSVRC003',
    'SIMILAR_MATCH',
    'match-result',
    true,
    'Similar match: names similar but not a successful match',
  ),
  e('WSVRC004', 'SIMILAR_LINKED_MATCH', 'match-result', true, 'Similar match of a linked learner'),
  e('WSVRC005', 'DOES_NOT_MATCH', 'match-result', true, 'ULN found but the details do not match'),
  e('WSVRC006', 'ULN_NOT_FOUND', 'match-result', true, 'ULN not found'),
  e('VRF1', 'GIVEN_NAME_VS_GIVEN_NAME', 'match-result', true, 'Given name does not match the LRS given name'),
  e(
    'VRF2',
    'GIVEN_NAME_VS_FAMILY_NAME',
    'match-result',
    true,
    'Given name does not match the LRS family name',
  ),
  e(
    'VRF3',
    'GIVEN_NAME_VS_PREVIOUS_FAMILY_NAME',
    'match-result',
    true,
    'Given name does not match the LRS previous family name',
  ),
  e(
    'VRF4',
    'FAMILY_NAME_VS_GIVEN_NAME',
    'match-result',
    true,
    'Family name does not match the LRS given name',
  ),
  e(
    'VRF5',
    'FAMILY_NAME_VS_FAMILY_NAME',
    'match-result',
    true,
    'Family name does not match the LRS family name',
  ),
  e(
    'VRF6',
    'FAMILY_NAME_VS_PREVIOUS_FAMILY_NAME',
    'match-result',
    true,
    'Family name does not match the LRS previous family name',
  ),
  e('VRF7', 'DATE_OF_BIRTH_MISMATCH', 'match-result', true, 'Date of birth does not match'),
  e('VRF8', 'GENDER_MISMATCH', 'match-result', true, 'Gender does not match'),
  // Outcomes the adapter derives when the LRS sends no code of its own.
  e('OK', 'COMPLETED', 'success', true, 'The LRS answered (this operation has no response code)'),
  e('JOB_IN_PROGRESS', 'JOB_IN_PROGRESS', 'retry-later', false, 'The job is still waiting or in progress'),
  // Achievement batch error file rows (ErrorType column).
  e(
    'FieldDataError',
    'ACHIEVEMENT_FIELD_DATA_ERROR',
    'caller-error',
    true,
    'Achievement rejected: a field is invalid (provider UKPRN, qualification reference)',
  ),
  e(
    'LearnerDataError',
    'ACHIEVEMENT_LEARNER_DATA_ERROR',
    'business-refusal',
    true,
    'Achievement rejected: the ULN and learner details do not identify a learner',
  ),
  e(
    'BusinessRuleError',
    'ACHIEVEMENT_BUSINESS_RULE_ERROR',
    'business-refusal',
    true,
    'Achievement rejected: the action is not allowed for this achievement (e.g. create of an existing one)',
  ),
  e(
    UNKNOWN_OUTCOME,
    'UNKNOWN_OUTCOME',
    'business-refusal',
    true,
    'The LRS may or may not have made this change: its answer was lost after the request reached it and the LRS offers no way to check. Do not send it again as it is: look the learner (or achievement) up first and act on what the LRS holds',
  ),
];

const BY_CODE: ReadonlyMap<string, OutcomeInfo> = new Map(CATALOGUE.map((o) => [o.code, o]));

export const OUTCOME_CATALOGUE: readonly OutcomeInfo[] = CATALOGUE;

/** The catalogue entry for a code; unknown codes get a generic, non-final entry. */
export function outcomeFor(code: string): OutcomeInfo {
  const known = BY_CODE.get(code.trim());
  if (known) return known;
  const cls: OutcomeClass = /^WSEC/.test(code) ? 'caller-error' : 'business-refusal';
  return {
    code,
    name: 'UNKNOWN_CODE',
    class: cls,
    final: false,
    description: 'A code this gateway does not know; see the LRS interface specification',
  };
}

/** Default wait before asking again about a running batch job. */
export const JOB_POLL_SECONDS = 60;

export const toOutcome = (info: OutcomeInfo, retryAfterSeconds?: number): Outcome =>
  info.class === 'retry-later' ? { ...info, retryAfterSeconds: retryAfterSeconds ?? JOB_POLL_SECONDS } : info;
