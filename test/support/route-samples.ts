/**
 * Valid requests for every route of the local runtime, for the tests that send every route something:
 * an operation's first sample request, a job, and a stored request and a job to read back.
 */
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import type { LocalStack } from './local-stack.js';
import { SAMPLES } from './lrs-samples.js';

/** A fresh copy of the first valid sample request of an operation. */
export const sampleRequest = (op: OperationId): Record<string, unknown> =>
  structuredClone((SAMPLES as unknown as Record<OperationId, Record<string, unknown>[]>)[op][0] ?? {});

/** A valid body of POST /v1/jobs: a job of one find-by-ULN request. */
export const sampleJob = (): Record<string, unknown> => ({
  operation: 'findLearnerByUln',
  items: [sampleRequest('findLearnerByUln')],
});

/** A stored request and a bulk job of `organisationId`, made through the API, for the GET routes. */
export const storedRequestAndJob = async (
  stack: LocalStack,
  organisationId: string,
): Promise<{ requestId: string; jobId: string }> => {
  const found = await fetch(`${stack.apiUrl}/v1/learners/find-by-uln`, {
    method: 'POST',
    headers: stack.headers(organisationId),
    body: JSON.stringify(sampleRequest('findLearnerByUln')),
  });
  const job = await fetch(`${stack.apiUrl}/v1/jobs`, {
    method: 'POST',
    headers: stack.headers(organisationId),
    body: JSON.stringify(sampleJob()),
  });
  return {
    requestId: ((await found.json()) as { requestId: string }).requestId,
    jobId: ((await job.json()) as { jobId: string }).jobId,
  };
};
