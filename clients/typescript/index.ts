/**
 * A typed TypeScript client of lrs-gateway: the types and routes are generated from openapi.json
 * (schema.d.ts by openapi-typescript, catalogue.ts), the calls go through openapi-fetch, and a thin layer
 * adds what every integration otherwise writes itself:
 * - an access token from the token endpoint (OAuth 2.0 client credentials, HTTP Basic), cached until
 *   shortly before it expires and fetched again once when a call answers 401;
 * - an Idempotency-Key on every call that changes the LRS (and on job submissions), kept across retries;
 * - retries of retryable answers (429, 503, 409 IDEMPOTENCY_KEY_IN_USE, 502/504 from the gateway) after
 *   the Retry-After the API sends, within a budget; network errors are retried only when a repeat is safe;
 * - answers as discriminated unions: `ok` and the outcome `name` for an answer, `ok` and the error `code`
 *   for an error;
 * - a job helper that submits a bulk job, reports progress and resolves with every result.
 *
 *   const lrs = createLrsGatewayClient({ baseUrl, tokenUrl, clientId, clientSecret });
 *   const answer = await lrs.call('findLearnerByUln', { uln, givenName, familyName }, { organisation });
 *   if (answer.ok && answer.name === 'EXACT_MATCH') use(answer.result.learners[0]);
 */
import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { type ErrorCode, OPERATIONS, type OperationId, type OutcomeName } from './catalogue.js';
import type { components, paths } from './schema.js';

export type { ErrorCode, OperationId, OutcomeName } from './catalogue.js';
export { ERROR_CODES, OPERATIONS, OUTCOME_NAMES } from './catalogue.js';
export type { components, paths } from './schema.js';

type Schemas = components['schemas'];
export type ErrorBody = Schemas['ErrorEnvelope']['error'];
export type Outcome = Schemas['Outcome'];
export type Job = Schemas['Job'];
export type JobAccepted = Schemas['JobAccepted'];
export type JobSubmission = Schemas['JobSubmission'];
export type JobResultItem = Schemas['JobResultsPage']['items'][number];

/** The operations answered with one outcome (every LRS operation). */
export type LrsOperationId = {
  [K in OperationId]: (typeof OPERATIONS)[K]['method'] extends 'POST'
    ? (typeof OPERATIONS)[K]['path'] extends '/v1/jobs'
      ? never
      : K
    : never;
}[OperationId];

type PathOf<K extends OperationId> = (typeof OPERATIONS)[K]['path'];
type PostOf<K extends LrsOperationId> = paths[PathOf<K>] extends { post: infer P } ? P : never;
export type RequestOf<K extends LrsOperationId> =
  PostOf<K> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : never;
export type ResponseOf<K extends LrsOperationId> =
  PostOf<K> extends {
    responses: { 200: { content: { 'application/json': infer R } } };
  }
    ? R
    : never;
export type ResultOf<K extends LrsOperationId> = ResponseOf<K> extends { result?: infer R } ? R : never;

/** An answer of an LRS operation: one variant per outcome name, one per error code. */
export type Answer<K extends LrsOperationId> =
  | {
      [N in OutcomeName]: {
        readonly ok: true;
        readonly status: number;
        readonly name: N;
        readonly outcome: Outcome & { readonly name: N };
        readonly result: ResultOf<K>;
        readonly requestId: string;
        /** True when this is the stored answer of an earlier call with the same Idempotency-Key. */
        readonly replayed: boolean;
        readonly body: ResponseOf<K>;
      };
    }[OutcomeName]
  | ErrorAnswer;

export type ErrorAnswer = {
  [C in ErrorCode]: {
    readonly ok: false;
    readonly status: number;
    readonly code: C;
    readonly error: ErrorBody & { readonly code: C };
  };
}[ErrorCode];

/** Thrown by the helpers that cannot return an error answer (jobs), and for an unusable answer. */
export class LrsGatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly error?: ErrorBody,
  ) {
    super(message);
    this.name = 'LrsGatewayError';
  }
}

export interface ClientOptions {
  /** The API base URL, e.g. https://api.example/dev (no trailing /v1). */
  readonly baseUrl: string;
  /** The OAuth 2.0 token endpoint (client credentials grant). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes to ask for; default: what the client is allowed. */
  readonly scope?: string;
  /** Default X-LRS-Organisation of every call. */
  readonly organisation?: string;
  /** Retries of a retryable answer or a safe network error (default 4). */
  readonly maxRetries?: number;
  /** The longest Retry-After the client waits for; a longer one is answered to the caller (default 60 s). */
  readonly maxRetryWaitSeconds?: number;
  /** For tests and custom agents. */
  readonly fetch?: typeof fetch;
  /** Called before each wait for a retry. */
  readonly onRetry?: (info: { attempt: number; waitSeconds: number; status?: number; code?: string }) => void;
}

export interface CallOptions {
  /** X-LRS-Organisation (default: the client's). */
  readonly organisation?: string;
  /** X-LRS-Username: the end user at the organisation. */
  readonly userName?: string;
  /** Use this Idempotency-Key instead of a new one (e.g. one stored with the work item). */
  readonly idempotencyKey?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** Client credentials tokens, fetched once at a time, renewed 30 s before they expire. */
const tokenSource = (options: ClientOptions, doFetch: typeof fetch) => {
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  const fetchToken = async (): Promise<CachedToken> => {
    const basic = Buffer.from(
      `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
    ).toString('base64');
    const res = await doFetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        ...(options.scope ? { scope: options.scope } : {}),
      }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new LrsGatewayError(
        `The token endpoint answered ${res.status} ${String(body.error ?? '')}`.trim(),
        res.status,
      );
    }
    const lifetime = Number(body.expires_in);
    return {
      value: body.access_token,
      expiresAt: Date.now() + (Number.isFinite(lifetime) ? lifetime : 300) * 1000,
    };
  };
  return {
    get: async (): Promise<string> => {
      if (cached && cached.expiresAt - 30_000 > Date.now()) return cached.value;
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      cached = await pending;
      return cached.value;
    },
    invalidate: (): void => {
      cached = undefined;
    },
  };
};

export interface JobRun {
  readonly job: Job;
  readonly accepted: JobAccepted;
  readonly results: JobResultItem[];
}

export interface JobOptions extends CallOptions {
  /** Called with the job after every poll. */
  readonly onProgress?: (job: Job) => void;
  /** Between polls (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Give up waiting after this long (default 1 hour); the job goes on at the gateway. */
  readonly timeoutMs?: number;
}

export const createLrsGatewayClient = (options: ClientOptions) => {
  const doFetch = options.fetch ?? fetch;
  const tokens = tokenSource(options, doFetch);
  const maxRetries = options.maxRetries ?? 4;
  const maxWait = options.maxRetryWaitSeconds ?? 60;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  /** openapi-fetch over the generated paths, with the bearer token on every request. */
  const raw: Client<paths> = createClient<paths>({ baseUrl, fetch: (req: Request) => doFetch(req) });
  raw.use({
    onRequest: async ({ request }) => {
      request.headers.set('authorization', `Bearer ${await tokens.get()}`);
      return request;
    },
  });

  const headersFor = (call: CallOptions, idempotencyKey?: string): Record<string, string> => {
    const organisation = call.organisation ?? options.organisation;
    return {
      ...(organisation ? { 'X-LRS-Organisation': organisation } : {}),
      ...(call.userName ? { 'X-LRS-Username': call.userName } : {}),
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    };
  };

  /**
   * One request with the retry policy: a 401 fetches a new token once; a retryable answer is retried after
   * its Retry-After (at most maxRetryWaitSeconds); a network error only when a repeat is safe.
   */
  const send = async (
    perform: () => Promise<{ response: Response; data?: unknown; error?: unknown }>,
    safeToRepeat: boolean,
  ): Promise<{ response: Response; body: unknown }> => {
    let renewedToken = false;
    for (let attempt = 0; ; attempt++) {
      let out: { response: Response; data?: unknown; error?: unknown };
      try {
        out = await perform();
      } catch (e) {
        if (e instanceof LrsGatewayError || !safeToRepeat || attempt >= maxRetries) throw e;
        const waitSeconds = Math.min(maxWait, 2 ** attempt);
        options.onRetry?.({ attempt: attempt + 1, waitSeconds });
        await sleep(waitSeconds * 1000);
        continue;
      }
      const { response } = out;
      const body = out.data ?? out.error;
      if (response.status === 401 && !renewedToken) {
        renewedToken = true;
        tokens.invalidate();
        attempt--;
        continue;
      }
      const error = (body as { error?: ErrorBody } | undefined)?.error;
      const retryAfter = Number(response.headers.get('retry-after'));
      const retryable = response.status >= 400 && error?.retryable === true && Number.isFinite(retryAfter);
      if (
        retryable &&
        attempt < maxRetries &&
        retryAfter <= maxWait &&
        (safeToRepeat || response.status !== 502)
      ) {
        options.onRetry?.({
          attempt: attempt + 1,
          waitSeconds: retryAfter,
          status: response.status,
          code: error.code,
        });
        await sleep(retryAfter * 1000);
        continue;
      }
      return { response, body };
    }
  };

  const toAnswer = <K extends LrsOperationId>(response: Response, body: unknown): Answer<K> => {
    if (response.ok) {
      const view = body as ResponseOf<K> & { outcome?: Outcome; result?: unknown; requestId?: string };
      if (!view?.outcome) throw new LrsGatewayError('The answer carries no outcome', response.status);
      return {
        ok: true,
        status: response.status,
        name: view.outcome.name as OutcomeName,
        outcome: view.outcome,
        result: view.result as ResultOf<K>,
        requestId: String(view.requestId),
        replayed: response.headers.get('idempotent-replayed') === 'true',
        body: view,
      } as Answer<K>;
    }
    const error = (body as { error?: ErrorBody } | undefined)?.error;
    if (!error?.code)
      throw new LrsGatewayError(`HTTP ${response.status} without the error envelope`, response.status);
    return { ok: false, status: response.status, code: error.code, error } as ErrorAnswer;
  };

  /** An LRS operation. Answers (any outcome) and errors are both returned, told apart by `ok`. */
  const call = async <K extends LrsOperationId>(
    operation: K,
    request: RequestOf<K>,
    call: CallOptions = {},
  ): Promise<Answer<K>> => {
    const def = OPERATIONS[operation];
    const key =
      def.idempotencyKey === 'required' ? (call.idempotencyKey ?? randomUUID()) : call.idempotencyKey;
    const { response, body } = await send(
      () =>
        raw.POST(
          def.path as never,
          { body: request as never, headers: headersFor(call, key) } as never,
        ) as Promise<{
          response: Response;
        }>,
      def.idempotencyKey !== 'required' || key !== undefined,
    );
    return toAnswer<K>(response, body);
  };

  const expectOk = <T>(response: Response, body: unknown, what: string): T => {
    if (response.ok) return body as T;
    const error = (body as { error?: ErrorBody } | undefined)?.error;
    throw new LrsGatewayError(
      `${what}: ${response.status} ${error?.code ?? ''}`.trim(),
      response.status,
      error,
    );
  };

  const jobs = {
    /** Submit a bulk job (an Idempotency-Key is added unless given). */
    submit: async (submission: JobSubmission, call: CallOptions = {}): Promise<JobAccepted> => {
      const key = call.idempotencyKey ?? randomUUID();
      const { response, body } = await send(
        () => raw.POST('/v1/jobs', { body: submission, headers: headersFor(call, key) } as never),
        true,
      );
      return expectOk<JobAccepted>(response, body, 'Submitting the job');
    },
    get: async (jobId: string): Promise<Job> => {
      const { response, body } = await send(
        () => raw.GET('/v1/jobs/{jobId}', { params: { path: { jobId } } }),
        true,
      );
      return expectOk<Job>(response, body, 'Reading the job');
    },
    /** Every result, page after page. */
    results: async (jobId: string): Promise<JobResultItem[]> => {
      const items: JobResultItem[] = [];
      let cursor: string | undefined;
      do {
        const { response, body } = await send(
          () =>
            raw.GET('/v1/jobs/{jobId}/results', {
              params: { path: { jobId }, query: { limit: 500, ...(cursor ? { cursor } : {}) } },
            }),
          true,
        );
        const page = expectOk<Schemas['JobResultsPage']>(response, body, 'Reading the job results');
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
    /** Submit, report progress after every poll, and resolve with the finished job and all its results. */
    run: async (submission: JobSubmission, job: JobOptions = {}): Promise<JobRun> => {
      const accepted = await jobs.submit(submission, job);
      const deadline = Date.now() + (job.timeoutMs ?? 3_600_000);
      for (;;) {
        const current = await jobs.get(accepted.jobId);
        job.onProgress?.(current);
        if (current.status === 'COMPLETED') {
          return { job: current, accepted, results: await jobs.results(accepted.jobId) };
        }
        if (Date.now() > deadline) throw new LrsGatewayError(`The job ${accepted.jobId} is still running`, 0);
        await sleep(job.pollIntervalMs ?? 2000);
      }
    },
  };

  return {
    call,
    jobs,
    /** A stored request and its outcome, by request id. */
    request: async (requestId: string) => {
      const { response, body } = await send(
        () => raw.GET('/v1/requests/{requestId}', { params: { path: { requestId } } }),
        true,
      );
      return expectOk<Schemas['StoredRequest']>(response, body, 'Reading the request');
    },
    /** The openapi-fetch client itself, for anything the helpers do not cover. */
    raw,
  };
};

export type LrsGatewayClient = ReturnType<typeof createLrsGatewayClient>;
