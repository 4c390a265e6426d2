/**
 * What the queue worker's tests on the real results store share: an LRS lookup's answer (no match) and the
 * worker's dependencies with quiet logs and metrics, the gateway's own sender and one record at a time.
 */
import { outcomeFor } from '../../shared/lrs/contract/outcomes.js';
import { validateRequest } from '../../shared/lrs/contract/schemas.js';
import type { LrsPort } from '../../shared/ports/lrs.js';
import type { ResultsStore } from '../../shared/ports/results-store.js';
import type { QueueDependencies } from '../../shared/queue/queue-worker.js';

/** The LRS's answer to a find: no match (WSRC0004). */
export const noMatchAnswer = (durationMs = 1): Awaited<ReturnType<LrsPort['call']>> =>
  ({
    outcome: { ...outcomeFor('WSRC0004') },
    response: { responseCode: 'WSRC0004', learners: [] } as never,
    durationMs,
  }) as Awaited<ReturnType<LrsPort['call']>>;

const quiet = () => undefined;

/** The queue of the find-by-ULN function, as an SQS record names it. */
export const FIND_BY_ULN_QUEUE_ARN =
  'arn:aws:sqs:eu-west-2:000000000000:lrs-gateway-test-find-learner-by-uln';

/** A queue message asking to find a learner by ULN under `requestId`. */
export const findByUlnMessage = (requestId: string): string =>
  JSON.stringify({
    requestId,
    operation: 'findLearnerByUln',
    organisationId: 'TEST0001',
    request: { findType: 'FUL', uln: '1000000043', givenName: 'Privatus', familyName: 'Personalis' },
  });

export const queueDependencies = (
  call: LrsPort['call'],
  store: ResultsStore,
  more: Partial<QueueDependencies> = {},
): QueueDependencies => ({
  lrs: { call },
  store,
  outcomeFor,
  dataTtlDays: 30,
  log: { info: quiet, warn: quiet, error: quiet },
  metrics: { outcome: quiet, failure: quiet },
  checkSender: async () => ({ ok: true, caller: 'queue' }),
  validate: validateRequest,
  recordConcurrency: 1,
  ...more,
});
