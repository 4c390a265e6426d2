/**
 * Ids of bulk jobs and of the gateway requests they make. Request ids are derived from the job id, so a
 * job submitted again (same Idempotency-Key) or a message delivered twice maps to the same request and the
 * results store's lease keeps it to one LRS call.
 */
import { createHash, randomUUID } from 'node:crypto';

export const JOB_ID_PATTERN = /^job-[0-9a-f]{32}$/;

export const newJobId = (): string => `job-${randomUUID().replaceAll('-', '')}`;

/**
 * The job id of a submission with an Idempotency-Key: the same key of the same caller and organisation,
 * the same job (another caller's key never meets it).
 */
export const jobIdForKey = (organisationId: string, key: string, caller: string): string =>
  `job-${createHash('sha256').update(`${organisationId}\n${key}\n${caller}`).digest('hex').slice(0, 32)}`;

export const itemRequestId = (jobId: string, index: number): string => `${jobId}:${index}`;
export const batchRequestId = (jobId: string, batch: number): string => `${jobId}:b${batch}`;
export const pollRequestId = (jobId: string, batch: number, poll: number): string =>
  `${jobId}:b${batch}:p${poll}`;

export type JobRequestRef =
  | { readonly kind: 'item'; readonly index: number }
  | { readonly kind: 'submit'; readonly batch: number }
  | { readonly kind: 'poll'; readonly batch: number; readonly poll: number };

/** What a request of job `jobId` is for; undefined when the id is not one of the job's. */
export const parseJobRequestId = (jobId: string, requestId: string): JobRequestRef | undefined => {
  if (!requestId.startsWith(`${jobId}:`)) return undefined;
  const rest = requestId.slice(jobId.length + 1);
  let m = /^(0|[1-9][0-9]{0,5})$/.exec(rest);
  if (m) return { kind: 'item', index: Number(m[1]) };
  m = /^b(0|[1-9][0-9]{0,4})$/.exec(rest);
  if (m) return { kind: 'submit', batch: Number(m[1]) };
  m = /^b(0|[1-9][0-9]{0,4}):p([1-9][0-9]{0,6})$/.exec(rest);
  if (m) return { kind: 'poll', batch: Number(m[1]), poll: Number(m[2]) };
  return undefined;
};
