/**
 * The catalogue of every known LRS code: WSRC (LearnerService response codes), WSEC (errors; some
 * arrive as faults, 0206/0208 as R9 response codes), WSVRC (verifyLearner) and VRF (failure flags),
 * plus the outcomes the gateway names itself when the LRS sent no code (an operation without a response
 * code, a job still running, the LRS unavailable). Each entry says what the calling MIS should do next
 * (docs/outcomes.md is generated from it). Unknown codes get a generic entry, never a crash.
 */
import type { Outcome, OutcomeClass, OutcomeInfo, OutcomeView } from '../../domain/outcome.js';

export interface CatalogueEntry extends OutcomeInfo {
  /** What the calling MIS should do next. */
  readonly action: string;
  /** False for the outcomes the gateway names itself: they carry no LRS code. */
  readonly fromLrs: boolean;
}

const entry =
  (fromLrs: boolean) =>
  (
    code: string,
    name: string,
    cls: OutcomeClass,
    final: boolean,
    description: string,
    action: string,
  ): CatalogueEntry => ({ code, name, class: cls, final, description, action, fromLrs });

const e = entry(true);
const g = entry(false);

/** The gateway's outcome for a change the LRS may or may not have made (its answer was lost). */
export const UNKNOWN_OUTCOME = 'UNKNOWN_OUTCOME';

const CATALOGUE: readonly CatalogueEntry[] = [
  e(
    'WSRC0001',
    'NO_MATCH',
    'match-result',
    true,
    'No match: no learner matches the details given',
    'Nobody matches: check the details with the learner; to create a ULN call register (it searches first)',
  ),
  e(
    'WSRC0002',
    'TOO_MANY_MATCHES',
    'match-result',
    true,
    'Too many matches: refine the search',
    'Too many learners match: add details (date of birth, postcode, previous family name) and search again',
  ),
  e(
    'WSRC0003',
    'POSSIBLE_MATCHES',
    'match-result',
    true,
    'Possible matches: one or more similar learners',
    'Show the possible matches to the admissions officer to pick the learner; register only when none is them',
  ),
  e(
    'WSRC0004',
    'EXACT_MATCH',
    'match-result',
    true,
    'Exact match',
    'Use the returned ULN and store it against the learner',
  ),
  e(
    'WSRC0005',
    'REGISTERED',
    'success',
    true,
    'Learner successfully registered; ULN returned',
    'Store the new ULN against the learner',
  ),
  e(
    'WSRC0006',
    'UPDATED',
    'success',
    true,
    'Learner successfully updated',
    'Nothing more to do; keep the new versionNumber for the next update',
  ),
  e(
    'WSRC0007',
    'BATCH_SUBMITTED',
    'success',
    true,
    'Batch learner registration successfully submitted',
    'Store the LRS job id and ask for the output later (or let a bulk job poll for you)',
  ),
  e(
    'WSRC0008',
    'BATCH_INCOMPLETE',
    'retry-later',
    false,
    'Batch job not complete yet: ask again later',
    'Ask for the output again after retryAfterSeconds (a bulk job polls by itself)',
  ),
  e(
    'WSRC0009',
    'BATCH_SUCCESSFUL',
    'success',
    true,
    'Batch job completed successfully',
    'Read the per-learner results',
  ),
  e(
    'WSRC0010',
    'BATCH_FAILED',
    'business-refusal',
    true,
    'Batch job failed',
    'Look at the batch output for the failed learners; correct them and submit a new batch',
  ),
  e(
    'WSRC0013',
    'STALE_VERSION',
    'business-refusal',
    true,
    'The ULN was updated since you last obtained its details',
    'Read the learner again (find by ULN) to get the current versionNumber, re-apply the change, update again',
  ),
  e(
    'WSRC0014',
    'INVALID_ABILITY_TO_SHARE_CHANGE',
    'business-refusal',
    true,
    'Invalid change of ability to share',
    'The ability-to-share change is not allowed from the current value: leave it unchanged',
  ),
  e(
    'WSRC0015',
    'INSUFFICIENT_DATA',
    'business-refusal',
    true,
    'Insufficient data',
    'Supply the missing details (see the operation reference) and try again',
  ),
  e(
    'WSRC0017',
    'RECORD_COUNT_INCORRECT',
    'caller-error',
    true,
    'Record count incorrect',
    'Make the record count match the number of learners sent',
  ),
  e(
    'WSRC0018',
    'UNKNOWN_JOB',
    'business-refusal',
    true,
    'Unknown job',
    'Check the LRS job id: it is unknown or expired; submit the batch again if needed',
  ),
  e(
    'WSRC0019',
    'ULN_NOT_FOUND_FOR_UPDATE',
    'business-refusal',
    true,
    'ULN not found for update',
    'Check the ULN: the LRS holds no learner to update with it',
  ),
  e(
    'WSRC0020',
    'NO_CHANGES',
    'business-refusal',
    true,
    'No changes found, so the learner was not updated',
    'Nothing changed, so nothing to do',
  ),
  e(
    'WSRC0021',
    'NOT_REGISTERED',
    'business-refusal',
    true,
    'Could not be registered: a learner with the same details exists, or no recent search preceded it',
    'A learner with the same details exists or no recent search preceded it: search, then use the match',
  ),
  e(
    'WSRC0022',
    'LINKED_LEARNER',
    'match-result',
    true,
    'Master record substituted for a linked learner',
    'Use the master ULN returned, and replace the linked ULN in your records',
  ),
  e(
    'WSRC0023',
    'REPORT_ULNS_NOT_FOUND',
    'business-refusal',
    true,
    'ULNs for report not found',
    'Check the ULNs of the report request',
  ),
  e('WSRC0024', 'REPORT_NO_ULNS', 'business-refusal', true, 'No ULNs for report', 'Send at least one ULN'),
  e(
    'WSEC0001',
    'INVALID_REQUEST',
    'caller-error',
    true,
    'Invalid request: schema validation failed or data missing',
    'Correct the request data the LRS names in detail; the gateway checks the schema first, so report it if it persists',
  ),
  e(
    'WSEC0002',
    'UNKNOWN_REQUEST',
    'caller-error',
    true,
    'Unknown request: operation not supported',
    'Tell the gateway operator: the organisation is not set up for this operation',
  ),
  e(
    'WSEC0003',
    'UNKNOWN_ORGANISATION',
    'caller-error',
    true,
    'Unknown organisation: not recognised or not authorised',
    'Tell the gateway operator: the LRS does not recognise the organisation',
  ),
  e(
    'WSEC0004',
    'OUT_OF_HOURS',
    'retry-later',
    false,
    'The LRS is outside its service hours',
    'Retry after retryAfterSeconds, when the LRS opens (a bulk job waits by itself)',
  ),
  e(
    'WSEC0005',
    'INCORRECT_PASSWORD',
    'caller-error',
    true,
    'Incorrect organisation password',
    'Tell the gateway operator: the organisation’s LRS password needs updating',
  ),
  e(
    'WSEC0006',
    'INSUFFICIENT_ACCESS',
    'caller-error',
    true,
    'Insufficient access for this operation',
    'Tell the gateway operator: the organisation’s LRS account lacks access to this operation',
  ),
  e(
    'WSEC0136',
    'INVALID_ULN',
    'caller-error',
    true,
    'The supplied ULN is invalid',
    'Check the ULN with the learner: the LRS does not accept it',
  ),
  e(
    'WSEC0206',
    'NOT_SHARED',
    'business-refusal',
    true,
    'The learner has not agreed to share their learning record',
    'Ask the learner to share their learning record (ability to share), then ask again',
  ),
  e(
    'WSEC0208',
    'NOT_VERIFIED',
    'business-refusal',
    true,
    'The learner could not be verified from the details given',
    'Check the details with the learner (names, date of birth) and try again',
  ),
  e(
    'WSVRC001',
    'VERIFIED',
    'match-result',
    true,
    'Successful match: every detail matches',
    'The ULN belongs to the learner: use it',
  ),
  e(
    'WSVRC002',
    'VERIFIED_LINKED',
    'match-result',
    true,
    'Successful match of a linked learner',
    'The ULN belongs to a linked learner: use the master ULN returned',
  ),
  e(
    'WSVRC003',
    'SIMILAR_MATCH',
    'match-result',
    true,
    'Similar match: names similar but not a successful match',
    'Names are similar but not a match: confirm the details with the learner before using the ULN',
  ),
  e(
    'WSVRC004',
    'SIMILAR_LINKED_MATCH',
    'match-result',
    true,
    'Similar match of a linked learner',
    'Similar match of a linked learner: confirm the details, then use the master ULN',
  ),
  e(
    'WSVRC005',
    'DOES_NOT_MATCH',
    'match-result',
    true,
    'ULN found but the details do not match',
    'The ULN exists but is not this learner: do not use it; find the learner by demographics',
  ),
  e(
    'WSVRC006',
    'ULN_NOT_FOUND',
    'match-result',
    true,
    'ULN not found',
    'The ULN does not exist: check it with the learner, or find the learner by demographics',
  ),
  e(
    'VRF1',
    'GIVEN_NAME_VS_GIVEN_NAME',
    'match-result',
    true,
    'Given name does not match the LRS given name',
    'Check the given name with the learner',
  ),
  e(
    'VRF2',
    'GIVEN_NAME_VS_FAMILY_NAME',
    'match-result',
    true,
    'Given name does not match the LRS family name',
    'Check the given name against the family name the LRS holds (swapped names?)',
  ),
  e(
    'VRF3',
    'GIVEN_NAME_VS_PREVIOUS_FAMILY_NAME',
    'match-result',
    true,
    'Given name does not match the LRS previous family name',
    'Check the given name against the previous family name the LRS holds',
  ),
  e(
    'VRF4',
    'FAMILY_NAME_VS_GIVEN_NAME',
    'match-result',
    true,
    'Family name does not match the LRS given name',
    'Check the family name against the given name the LRS holds (swapped names?)',
  ),
  e(
    'VRF5',
    'FAMILY_NAME_VS_FAMILY_NAME',
    'match-result',
    true,
    'Family name does not match the LRS family name',
    'Check the family name with the learner',
  ),
  e(
    'VRF6',
    'FAMILY_NAME_VS_PREVIOUS_FAMILY_NAME',
    'match-result',
    true,
    'Family name does not match the LRS previous family name',
    'Check the family name against the previous family name the LRS holds',
  ),
  e(
    'VRF7',
    'DATE_OF_BIRTH_MISMATCH',
    'match-result',
    true,
    'Date of birth does not match',
    'Check the date of birth with the learner',
  ),
  e(
    'VRF8',
    'GENDER_MISMATCH',
    'match-result',
    true,
    'Gender does not match',
    'Check the gender with the learner',
  ),
  // Outcomes the gateway names when the LRS sends no code of its own.
  g(
    'OK',
    'COMPLETED',
    'success',
    true,
    'The LRS answered (this operation has no response code)',
    'Use the result',
  ),
  g(
    'MAINTENANCE',
    'LRS_MAINTENANCE',
    'retry-later',
    false,
    'The LRS is down for maintenance',
    'Retry after retryAfterSeconds (a bulk job waits by itself)',
  ),
  g(
    'TIMEOUT',
    'LRS_TIMEOUT',
    'retry-later',
    false,
    'The LRS did not answer in time',
    'Retry after retryAfterSeconds with the same Idempotency-Key',
  ),
  g(
    'CONNECTION',
    'LRS_CONNECTION',
    'retry-later',
    false,
    'The LRS could not be reached',
    'Retry after retryAfterSeconds',
  ),
  g(
    'TLS',
    'LRS_TLS',
    'retry-later',
    false,
    'A secure connection to the LRS could not be made',
    'Retry after retryAfterSeconds; tell the gateway operator if it persists',
  ),
  g(
    'HTTP_ERROR',
    'LRS_HTTP_ERROR',
    'retry-later',
    false,
    'The LRS answered with an HTTP error and no fault',
    'Retry after retryAfterSeconds',
  ),
  g('THROTTLED', 'LRS_THROTTLED', 'retry-later', false, 'The LRS is busy', 'Retry after retryAfterSeconds'),
  g(
    'JOB_IN_PROGRESS',
    'JOB_IN_PROGRESS',
    'retry-later',
    false,
    'The job is still waiting or in progress',
    'Ask again after retryAfterSeconds',
  ),
  // Achievement batch error file rows (ErrorType column).
  e(
    'FieldDataError',
    'ACHIEVEMENT_FIELD_DATA_ERROR',
    'caller-error',
    true,
    'Achievement rejected: a field is invalid (provider UKPRN, qualification reference)',
    'Correct the field named in the row and submit that achievement again in a new batch',
  ),
  e(
    'LearnerDataError',
    'ACHIEVEMENT_LEARNER_DATA_ERROR',
    'business-refusal',
    true,
    'Achievement rejected: the ULN and learner details do not identify a learner',
    'Verify the ULN and learner details (verify or find by ULN), correct them and submit again',
  ),
  e(
    'BusinessRuleError',
    'ACHIEVEMENT_BUSINESS_RULE_ERROR',
    'business-refusal',
    true,
    'Achievement rejected: the action is not allowed for this achievement (e.g. create of an existing one)',
    'Check what the LRS already holds for the achievement and choose the right action (update instead of create)',
  ),
  g(
    UNKNOWN_OUTCOME,
    'UNKNOWN_OUTCOME',
    'business-refusal',
    true,
    'The LRS may or may not have made this change: its answer was lost after the request reached it and the LRS offers no way to check',
    'Do not send it again as it is: look the learner (or achievement) up first and act on what the LRS holds',
  ),
];

const BY_CODE: ReadonlyMap<string, CatalogueEntry> = new Map(CATALOGUE.map((o) => [o.code, o]));

export const OUTCOME_CATALOGUE: readonly CatalogueEntry[] = CATALOGUE;

const UNKNOWN_NAME = 'UNKNOWN_CODE';

/** The catalogue entry for a code; unknown codes get a generic, non-final entry. */
export function outcomeFor(code: string): OutcomeInfo {
  const known = BY_CODE.get(code.trim());
  if (known) {
    const { action: _action, fromLrs: _fromLrs, ...info } = known;
    return info;
  }
  const cls: OutcomeClass = /^WSEC/.test(code) ? 'caller-error' : 'business-refusal';
  return {
    code,
    name: UNKNOWN_NAME,
    class: cls,
    final: false,
    description: 'A code this gateway does not know; see the LRS interface specification',
  };
}

/**
 * The outcome as the API shows it: the gateway's own `code` and `name`, and the LRS code in `lrsCode`
 * only when the LRS sent one (never for the outcomes the gateway names itself).
 */
export const outcomeView = (outcome: Outcome): OutcomeView => {
  const known = BY_CODE.get(outcome.code);
  const fromLrs = known ? known.fromLrs : true;
  return {
    code: outcome.name,
    name: outcome.name,
    ...(fromLrs ? { lrsCode: outcome.code } : {}),
    description: outcome.description,
    class: outcome.class,
    final: outcome.final,
    ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
  };
};

/** Default wait before asking again about a running batch job. */
export const JOB_POLL_SECONDS = 60;

export const toOutcome = (info: OutcomeInfo, retryAfterSeconds?: number): Outcome =>
  info.class === 'retry-later' ? { ...info, retryAfterSeconds: retryAfterSeconds ?? JOB_POLL_SECONDS } : info;
