/**
 * The function's X-Ray spans (the functions and the API stage run with active tracing): each LRS call is
 * a subsegment `LRS <operation>` (namespace `remote`, annotated with the operation) and each call of a
 * traced AWS SDK v3 client one named after its service (namespace `aws`, with the `aws` block the X-Ray
 * SDK's v3 capture records: operation, region, request id, retries, the table or queue, never item data).
 * Spans carry names, flags and those fields only: never a body, an error message or anything a learner typed.
 *
 * They are sent by the small emitter in xray.ts rather than Powertools Tracer: aws-xray-sdk-core creates a
 * cls-hooked namespace when imported, whose async hook runs for every promise of the function (traced or
 * not), and with semver and the tracer it is ~110 KB of every bundle to compile on a cold start. Without
 * that async context a span cannot know the span it runs inside: every subsegment's parent is the
 * function's segment from the trace header, so an SDK call made during an LRS call sits beside it in the
 * trace, not under it. Outside Lambda (tests, npm start) nothing is traced and calls pass straight through.
 */
import type { OperationId } from '../lrs/contract/operations.js';
import type { LrsPort } from '../ports/lrs.js';
import {
  epochSeconds,
  newSpanId,
  type SubsegmentDocument,
  sampledTrace,
  sendSubsegment,
  type TraceHeader,
} from './xray.js';

export { isTracingEnabled } from './xray.js';

const openSpan = (name: string, trace: TraceHeader, namespace: 'aws' | 'remote'): SubsegmentDocument => ({
  type: 'subsegment',
  id: newSpanId(),
  trace_id: trace.root,
  parent_id: trace.parent,
  name,
  start_time: epochSeconds(),
  namespace,
});

const closeSpan = (span: SubsegmentDocument): void => {
  span.end_time = epochSeconds();
  sendSubsegment(span);
};

/** Runs `fn` in its own subsegment `name`, annotated with the operation; flags it (only) on failure. */
export function traced<T>(name: string, operation: OperationId, fn: () => Promise<T>): Promise<T> {
  const trace = sampledTrace();
  if (trace === undefined) return fn();
  const span = openSpan(name, trace, 'remote');
  span.annotations = { operation };
  return (async () => {
    try {
      return await fn();
    } catch (e) {
      // The flag only: error messages may quote the request.
      span.error = true;
      throw e;
    } finally {
      closeSpan(span);
    }
  })();
}

/** The LRS port with every call in a `LRS <operation>` subsegment (TLS, SOAP and the LRS's answer time). */
export const tracedLrs = (lrs: LrsPort): LrsPort => ({
  call: (op, request, ctx) => traced(`LRS ${op}`, op, () => lrs.call(op, request, ctx)),
});

/** What the SDK's middleware stack hands a build-step middleware, as far as the span reads it. */
interface SdkMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts?: number;
}
interface SdkContext {
  readonly clientName?: string;
  readonly commandName?: string;
}
interface SdkArgs {
  readonly input?: unknown;
  readonly request?: unknown;
}
interface SdkResult {
  readonly output?: { readonly $metadata?: SdkMetadata };
  readonly response?: unknown;
}
type SdkHandler = (args: SdkArgs) => Promise<SdkResult>;
type SdkMiddleware = (next: SdkHandler, context: SdkContext) => SdkHandler;

/** An AWS SDK v3 client, as far as tracing it needs (its stack's overloads are narrowed to the build step). */
export interface TraceableClient {
  readonly config: { readonly region?: unknown };
  readonly middlewareStack: { add: (...args: never[]) => void; remove(toRemove: string): boolean };
}
interface BuildStepStack {
  add(middleware: SdkMiddleware, options: { step: 'build'; name: string }): void;
}

const MIDDLEWARE_NAME = 'lrsGatewayXRaySubsegment';

/**
 * The SDK v3 errors X-Ray counts as throttling (the SDK's own retry classification: 429, the services'
 * throttling codes, or an error the service marked as throttling).
 */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const isThrottling = (error: unknown, status: number | undefined): boolean => {
  if (status === 429) return true;
  const e = error as { name?: unknown; $retryable?: { throttling?: unknown } } | undefined;
  return e !== undefined && (THROTTLING_CODES.has(String(e.name)) || e.$retryable?.throttling === true);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const shortString = (v: unknown): v is string => typeof v === 'string' && v.length <= 1024;

/** The resource names the X-Ray capture records for DynamoDB and SQS calls: names only, never item data. */
const resourceFields = (input: unknown): Record<string, string | readonly string[]> => {
  if (!isObject(input)) return {};
  const fields: Record<string, string | readonly string[]> = {};
  if (shortString(input.TableName)) fields.table_name = input.TableName;
  if (shortString(input.IndexName)) fields.index_name = input.IndexName;
  if (isObject(input.RequestItems)) fields.table_names = Object.keys(input.RequestItems).filter(shortString);
  if (shortString(input.QueueUrl)) fields.queue_url = input.QueueUrl;
  return fields;
};

const regionOf = async (config: TraceableClient['config']): Promise<string | undefined> => {
  const region = typeof config.region === 'function' ? await config.region() : config.region;
  return typeof region === 'string' ? region : undefined;
};

const contentLength = (response: unknown): number | undefined => {
  const headers = isObject(response) && isObject(response.headers) ? response.headers : undefined;
  const n = Number(headers?.['content-length']);
  return headers?.['content-length'] !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/** Completes an AWS call's span from the call's metadata (or its error's), then sends it. */
const finishAwsSpan = async (
  span: SubsegmentDocument,
  operation: string,
  config: TraceableClient['config'],
  args: SdkArgs,
  result: SdkResult | undefined,
  error: unknown,
): Promise<void> => {
  span.end_time = epochSeconds();
  const metadata = result?.output?.$metadata ?? (error as { $metadata?: SdkMetadata } | undefined)?.$metadata;
  const status = typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
  const region = await regionOf(config).catch(() => undefined);
  span.aws = {
    operation,
    ...(region ? { region } : {}),
    ...(shortString(metadata?.requestId) ? { request_id: metadata.requestId } : {}),
    // `attempts` counts the first try too.
    retries: typeof metadata?.attempts === 'number' && metadata.attempts > 1 ? metadata.attempts - 1 : 0,
    ...resourceFields(args.input),
  };
  const length = contentLength(result?.response);
  if (status !== undefined || length !== undefined) {
    span.http = {
      response: {
        ...(status !== undefined ? { status } : {}),
        ...(length !== undefined ? { content_length: length } : {}),
      },
    };
  }
  if (error !== undefined && isThrottling(error, status)) span.throttle = true;
  if (status !== undefined && status >= 400 && status < 500) span.error = true;
  // A 5xx, or a call that failed without an answer (network, timeout): the service side.
  else if ((status !== undefined && status >= 500) || (error !== undefined && status === undefined))
    span.fault = true;
  sendSubsegment(span);
};

/** The trace header the called service (SQS passes it on to the consumer) sees: this span is its parent. */
const propagate = (request: unknown, trace: TraceHeader, spanId: string): void => {
  if (isObject(request) && isObject(request.headers)) {
    request.headers['X-Amzn-Trace-Id'] = `Root=${trace.root};Parent=${spanId};Sampled=1${trace.extra}`;
  }
};

const awsSpans =
  (config: TraceableClient['config']): SdkMiddleware =>
  (next, context) =>
  async (args) => {
    const trace = sampledTrace();
    if (trace === undefined) return next(args);
    const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
    const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    const span = openSpan(service, trace, 'aws');
    propagate(args.request, trace, span.id);
    let result: SdkResult;
    try {
      result = await next(args);
    } catch (error) {
      void finishAwsSpan(span, operation, config, args, undefined, error).catch(() => {});
      throw error;
    }
    void finishAwsSpan(span, operation, config, args, result, undefined).catch(() => {});
    return result;
  };

/**
 * An AWS SDK v3 client whose every call (DynamoDB reads and writes, SQS sends) is a subsegment, timed
 * around the SDK's retries (the build step, where the X-Ray SDK's capture sits); the call's result or error
 * passes through unchanged. Tracing a client twice replaces the first middleware.
 */
export const tracedClient = <T extends TraceableClient>(client: T): T => {
  client.middlewareStack.remove(MIDDLEWARE_NAME);
  (client.middlewareStack as unknown as BuildStepStack).add(awsSpans(client.config), {
    step: 'build',
    name: MIDDLEWARE_NAME,
  });
  return client;
};
