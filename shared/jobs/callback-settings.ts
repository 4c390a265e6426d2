/**
 * Settings of job callbacks and of the outbox sweeper, read from the environment once per cold start.
 * Dependency-free (the CDK app imports the names at synth time). Every value has a production default;
 * tests shorten the waits through an injected clock and these settings, never by sleeping.
 */
import { ConfigurationError } from '../domain/errors.js';
import { envInt } from './settings.js';

export const CALLBACK_ENV = {
  /** The queue of callback deliveries (the job-callbacks function's trigger). Unset: no callbacks sent. */
  queueUrl: 'JOB_CALLBACK_QUEUE_URL',
  /** Secrets Manager name prefix of the callers' signing secrets: `${prefix}${callerId}`. */
  secretPrefix: 'CALLBACK_SECRET_PREFIX',
  /**
   * `true` lets callbacks go to plain http on a loopback address (127.0.0.1, ::1, localhost): the local
   * runtime only. Deployed stages never set it: callbacks are https to public addresses only.
   */
  allowLoopbackHttp: 'CALLBACK_ALLOW_LOOPBACK_HTTP',
  /** First wait after a failed delivery, in seconds; doubles with each attempt. */
  retryBaseSeconds: 'CALLBACK_RETRY_BASE_SECONDS',
  /** Longest wait between two attempts, in seconds. */
  retryMaxSeconds: 'CALLBACK_RETRY_MAX_SECONDS',
  /** How long after its first attempt a callback is retried before it is given up, in seconds. */
  retryWindowSeconds: 'CALLBACK_RETRY_WINDOW_SECONDS',
  /** Time allowed for the receiver to answer, in milliseconds. */
  timeoutMs: 'CALLBACK_TIMEOUT_MS',
  /** How long a fan-out or callback hand-off may be overdue before the sweeper does it, in seconds. */
  outboxGraceSeconds: 'JOB_OUTBOX_GRACE_SECONDS',
} as const;

export interface CallbackSettings {
  readonly queueUrl?: string;
  readonly secretPrefix?: string;
  readonly allowLoopbackHttp: boolean;
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  readonly retryWindowSeconds: number;
  readonly timeoutMs: number;
  readonly outboxGraceSeconds: number;
}

export const DEFAULT_CALLBACK_SETTINGS: CallbackSettings = {
  allowLoopbackHttp: false,
  retryBaseSeconds: 30,
  retryMaxSeconds: 3600,
  retryWindowSeconds: 24 * 3600,
  timeoutMs: 10_000,
  outboxGraceSeconds: 120,
};

export const loadCallbackSettings = (
  env: Record<string, string | undefined> = process.env,
): CallbackSettings => {
  const problems: string[] = [];
  const int = envInt(env, problems);
  const d = DEFAULT_CALLBACK_SETTINGS;
  const flag = env[CALLBACK_ENV.allowLoopbackHttp];
  if (flag !== undefined && flag !== '' && flag !== 'true' && flag !== 'false') {
    problems.push(`${CALLBACK_ENV.allowLoopbackHttp} must be true or false`);
  }
  const queueUrl = env[CALLBACK_ENV.queueUrl] || undefined;
  const secretPrefix = env[CALLBACK_ENV.secretPrefix] || undefined;
  const settings: CallbackSettings = {
    ...(queueUrl ? { queueUrl } : {}),
    ...(secretPrefix ? { secretPrefix } : {}),
    allowLoopbackHttp: flag === 'true',
    retryBaseSeconds: int(CALLBACK_ENV.retryBaseSeconds, d.retryBaseSeconds, 1, 3600),
    retryMaxSeconds: int(CALLBACK_ENV.retryMaxSeconds, d.retryMaxSeconds, 1, 24 * 3600),
    retryWindowSeconds: int(CALLBACK_ENV.retryWindowSeconds, d.retryWindowSeconds, 1, 7 * 24 * 3600),
    timeoutMs: int(CALLBACK_ENV.timeoutMs, d.timeoutMs, 100, 60_000),
    outboxGraceSeconds: int(CALLBACK_ENV.outboxGraceSeconds, d.outboxGraceSeconds, 0, 3600),
  };
  if (problems.length > 0)
    throw new ConfigurationError(`Invalid function configuration: ${problems.join('; ')}`);
  return settings;
};
