/**
 * Delivering one job callback (the job-callbacks function, one SQS message per attempt):
 * sign the event with the caller's secret, POST it, record the attempt on the job (time, status code or
 * error, next attempt) and, when it failed, queue the next attempt with exponential backoff until the
 * retry window (24 hours) is used up. SQS delays a message at most 15 minutes: a longer wait is a chain
 * of delayed copies carrying `notBefore`, each re-sent without calling the receiver.
 *
 * The POST follows no redirects (a 3xx is a failed attempt), reads at most a few KB of the answer, gives
 * up after a timeout and never connects to a private, loopback or link-local address (checked on the
 * resolved address, so DNS cannot point it inside).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import * as z from 'zod';
import type { AppLog } from '../observability/logger.js';
import type { CallbackSecrets } from '../ports/callback-secrets.js';
import type { CallbackAttempt, JobsStore } from '../ports/jobs-store.js';
import type { CallbackSettings } from './callback-settings.js';
import {
  EVENT_ID_HEADER,
  isBlockedAddress,
  nextCallbackDelay,
  SIGNATURE_HEADER,
  signatureHeader,
} from './callbacks.js';
import { MAX_DELAY_SECONDS } from './settings.js';

export const callbackMessageSchema = z
  .object({
    jobId: z.string().min(1).max(128),
    eventId: z.string().min(1).max(64),
    event: z.enum(['job.completed', 'job.cancelled', 'job.items_dead_lettered']),
    url: z.string().min(1).max(2048),
    caller: z.string().min(1).max(2048),
    body: z
      .string()
      .min(2)
      .max(64 * 1024),
    /** Attempts made so far. */
    attempt: z.number().int().min(0),
    /** Epoch ms of the first attempt (the retry window starts there). */
    firstAttemptAt: z.number().int().optional(),
    /** Epoch ms before which this copy only waits. */
    notBefore: z.number().int().optional(),
  })
  .strict();

export type CallbackMessage = z.output<typeof callbackMessageSchema>;

export type PostResult =
  | { readonly statusCode: number; readonly durationMs: number }
  | { readonly error: string; readonly durationMs: number };

export type CallbackPoster = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
) => Promise<PostResult>;

export interface DeliveryDependencies {
  readonly jobs: Pick<JobsStore, 'recordCallbackAttempt'>;
  readonly secrets: CallbackSecrets;
  readonly post: CallbackPoster;
  /** Queue a copy of the message, delivered after `delaySeconds` (≤ 900). */
  readonly resend: (body: string, delaySeconds: number) => Promise<void>;
  readonly settings: Pick<CallbackSettings, 'retryBaseSeconds' | 'retryMaxSeconds' | 'retryWindowSeconds'>;
  readonly log: AppLog;
  readonly now?: () => Date;
}

export type DeliveryOutcome = 'WAITING' | 'DELIVERED' | 'RETRYING' | 'FAILED';

export const deliverCallback = async (
  deps: DeliveryDependencies,
  message: CallbackMessage,
): Promise<DeliveryOutcome> => {
  const now = (deps.now ?? (() => new Date()))().getTime();
  const ids = { jobId: message.jobId, callbackEvent: message.event };
  if (message.notBefore !== undefined && message.notBefore > now) {
    const wait = Math.min(MAX_DELAY_SECONDS, Math.ceil((message.notBefore - now) / 1000));
    await deps.resend(JSON.stringify(message), wait);
    return 'WAITING';
  }
  const attemptNo = message.attempt + 1;
  const first = message.firstAttemptAt ?? now;
  const secret = await deps.secrets.signingSecret(message.caller);
  const result: PostResult = secret
    ? await deps.post(
        message.url,
        {
          'content-type': 'application/json',
          'user-agent': 'lrs-gateway-callbacks/1',
          [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(now / 1000), message.body),
          [EVENT_ID_HEADER]: message.eventId,
        },
        message.body,
      )
    : { error: 'No callback signing secret is configured for the caller', durationMs: 0 };
  const at = new Date(now).toISOString();
  const delivered = 'statusCode' in result && result.statusCode >= 200 && result.statusCode < 300;
  const base: CallbackAttempt = {
    at,
    durationMs: result.durationMs,
    ...('statusCode' in result ? { statusCode: result.statusCode } : { error: result.error }),
  };
  const log = {
    ...ids,
    attempts: attemptNo,
    httpStatus: 'statusCode' in result ? result.statusCode : undefined,
  };
  if (delivered) {
    await deps.jobs.recordCallbackAttempt(message.jobId, message.eventId, base, 'DELIVERED');
    deps.log.info('Job callback delivered', log);
    return 'DELIVERED';
  }
  const delay = nextCallbackDelay(deps.settings, attemptNo, first, now);
  if (delay === undefined) {
    await deps.jobs.recordCallbackAttempt(message.jobId, message.eventId, base, 'FAILED');
    deps.log.warn('Job callback given up: the retry window is used up', log);
    return 'FAILED';
  }
  const nextAt = now + delay * 1000;
  await deps.jobs.recordCallbackAttempt(
    message.jobId,
    message.eventId,
    { ...base, nextAttemptAt: new Date(nextAt).toISOString() },
    'PENDING',
  );
  const next: CallbackMessage = { ...message, attempt: attemptNo, firstAttemptAt: first, notBefore: nextAt };
  await deps.resend(JSON.stringify(next), Math.min(MAX_DELAY_SECONDS, delay));
  deps.log.warn('Job callback failed; next attempt queued', { ...log, retryAfterSeconds: delay });
  return 'RETRYING';
};

export interface PosterOptions {
  readonly timeoutMs: number;
  readonly allowLoopback: boolean;
  /** Bytes of the answer read before the connection is closed (default 4096). */
  readonly maxResponseBytes?: number;
}

class BlockedAddressError extends Error {
  readonly code = 'BLOCKED_ADDRESS';
}

const errorText = (e: unknown): string => {
  const code = (e as { code?: unknown })?.code;
  if (code === 'BLOCKED_ADDRESS') return 'The callback host resolves to a private or loopback address';
  if (code === 'TIMEOUT') return 'No answer within the timeout';
  return typeof code === 'string' ? `Connection failed (${code})` : 'Connection failed';
};

/** POSTs with node:http(s): no redirects, a timeout, a bounded read, public addresses only. */
export const httpCallbackPoster =
  (options: PosterOptions): CallbackPoster =>
  (url, headers, body) =>
    new Promise<PostResult>((resolve) => {
      const started = Date.now();
      const done = (r: { statusCode: number } | { error: string }) =>
        resolve({ ...r, durationMs: Date.now() - started });
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && isBlockedAddress(host, options.allowLoopback)) {
        done({ error: errorText(new BlockedAddressError()) });
        return;
      }
      const lookup = (
        hostname: string,
        opts: object,
        cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
      ) =>
        dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
          if (err) return cb(err, []);
          const list = addresses as LookupAddress[];
          if (list.length === 0 || list.some((a) => isBlockedAddress(a.address, options.allowLoopback))) {
            return cb(new BlockedAddressError(), []);
          }
          const chosen = list[0] as LookupAddress;
          return (opts as { all?: boolean }).all ? cb(null, list) : cb(null, chosen.address, chosen.family);
        });
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: lookup as never,
        agent: false,
      });
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
        options.timeoutMs,
      );
      req.on('response', (res) => {
        let read = 0;
        const status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > (options.maxResponseBytes ?? 4096)) res.destroy();
        });
        res.on('close', () => {
          clearTimeout(timer);
          done({ statusCode: status });
        });
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        done({ error: errorText(e) });
      });
      req.end(body);
    });
