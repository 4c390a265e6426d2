/**
 * Job callbacks, the pure parts: which URLs a job may name, the signed body, and when to try again.
 *
 * A callback is a POST of a small JSON event (job id, status, counts, links: never learner data) to the
 * job's `callbackUrl`, signed the way Stripe signs webhooks:
 *   LRS-Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the caller's secret>
 * A receiver recomputes the HMAC over the raw body, compares in constant time and rejects a timestamp
 * older than 5 minutes. Failed deliveries are retried with exponential backoff for 24 hours by default.
 */
import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { FieldIssue } from '../domain/errors.js';
import type { CallbackEventType, JobRecord } from '../ports/jobs-store.js';
import type { CallbackSettings } from './callback-settings.js';
import type { JobView } from './read-job.js';

export const SIGNATURE_HEADER = 'LRS-Gateway-Signature';
export const EVENT_ID_HEADER = 'LRS-Gateway-Event-Id';
export const MAX_CALLBACK_URL_LENGTH = 2048;
/** What a receiver should allow between our timestamp and its clock (what the README tells receivers). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Problems with a job's callbackUrl (field `callbackUrl`); empty when it is usable. */
export const callbackUrlIssues = (
  url: string,
  settings: Pick<CallbackSettings, 'allowLoopbackHttp'>,
): FieldIssue[] => {
  const issue = (rule: string, what: string): FieldIssue[] => [
    { field: 'callbackUrl', rule, message: `callbackUrl ${what} (rule: ${rule})` },
  ];
  if (url.length > MAX_CALLBACK_URL_LENGTH) {
    return issue('maxLength', `must be at most ${MAX_CALLBACK_URL_LENGTH} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return issue('url', 'must be an absolute https URL, e.g. https://mis.example.ac.uk/lrs-callbacks');
  }
  if (parsed.username || parsed.password)
    return issue('noCredentials', 'must not carry a user name or password');
  if (parsed.hash) return issue('noFragment', 'must not have a #fragment');
  const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
  if (parsed.protocol === 'http:' && settings.allowLoopbackHttp && loopback) return [];
  if (parsed.protocol !== 'https:') return issue('https', 'must be an https URL');
  if (loopback && !settings.allowLoopbackHttp) return issue('publicHost', 'must name a public host');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && isBlockedAddress(host, settings.allowLoopbackHttp)) {
    return issue('publicHost', 'must name a public host, not a private, loopback or link-local address');
  }
  return [];
};

const ipv4 = (a: string): number[] | undefined => {
  const parts = a.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)
    ? parts
    : undefined;
};

/**
 * Addresses a callback must never reach (checked on the resolved address of every delivery, so a public
 * name that resolves to an internal address is refused too): private, loopback (unless allowed),
 * link-local (the instance metadata service), carrier-grade NAT, unspecified, multicast, reserved.
 */
export const isBlockedAddress = (address: string, allowLoopback: boolean): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = ipv4(mapped ?? address);
  if (v4) {
    const [a = 0, b = 0] = v4;
    if (a === 127) return !allowLoopback;
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  if (v6 === '::1') return !allowLoopback;
  return (
    v6 === '::' ||
    v6.startsWith('fc') ||
    v6.startsWith('fd') ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('ff')
  );
};

/** `t=<unix>,v1=<hex>`: the HMAC-SHA256 of `<t>.<body>` with the caller's signing secret. */
export const signatureHeader = (secret: string, unixSeconds: number, body: string): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex')}`;

/** One id per job and event: a receiver that sees an id twice has seen that event already. */
export const callbackEventId = (jobId: string, event: CallbackEventType): string =>
  `evt-${createHash('sha256').update(`${jobId}\n${event}`).digest('hex').slice(0, 32)}`;

/** The event body: what happened to the job and where to read it. Never learner data. */
export const callbackBody = (
  job: Pick<JobRecord, 'jobId' | 'operation' | 'organisationId'>,
  view: Pick<JobView, 'status' | 'total' | 'counts' | 'outcomes' | 'errors' | 'completedAt'>,
  event: CallbackEventType,
  createdAt: Date,
): string => {
  const self = `/v1/jobs/${job.jobId}`;
  return JSON.stringify({
    id: callbackEventId(job.jobId, event),
    type: event,
    createdAt: createdAt.toISOString(),
    data: {
      jobId: job.jobId,
      operation: job.operation,
      organisationId: job.organisationId,
      status: view.status,
      total: view.total,
      counts: view.counts,
      outcomes: view.outcomes,
      errors: view.errors,
      ...(view.completedAt ? { completedAt: view.completedAt } : {}),
      links: { self, results: `${self}/results` },
    },
  });
};

/**
 * Seconds to wait before attempt `attempt + 1` (attempt counts from 1): base × 2^(attempt−1), capped;
 * undefined when that attempt would fall outside the retry window measured from the first attempt.
 */
export const nextCallbackDelay = (
  settings: Pick<CallbackSettings, 'retryBaseSeconds' | 'retryMaxSeconds' | 'retryWindowSeconds'>,
  attempt: number,
  firstAttemptAt: number,
  now: number,
): number | undefined => {
  const delay = Math.min(
    settings.retryMaxSeconds,
    settings.retryBaseSeconds * 2 ** Math.min(30, attempt - 1),
  );
  return now + delay * 1000 > firstAttemptAt + settings.retryWindowSeconds * 1000 ? undefined : delay;
};
