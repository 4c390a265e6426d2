/** Messages between the benchmark's orchestrator (bench/run.ts) and its worker processes. */
import type { Summary } from '../stats.js';

/** Where the simulator is and how to reach it with the client certificate (file paths, never contents). */
export interface LrsTarget {
  readonly url: string;
  readonly caFile: string;
  readonly keyFile: string;
  readonly certFile: string;
}

export interface WarmCase {
  readonly label: string;
  readonly functionName: string;
  readonly bundle: string;
  /** The API Gateway event body (JSON) and headers come from the orchestrator, one event per call. */
  readonly op: string;
  readonly request: unknown;
  /** The same request as the LRS SOAP Body the gateway sends (the bare client sends exactly this). */
  readonly soapBody: string;
  readonly lrsMethod: string;
  readonly servicePath: string;
  readonly expectCode: string;
}

export interface WarmRequest {
  readonly kind: 'warm';
  readonly lrs: LrsTarget;
  readonly apiKeyId: string;
  readonly cases: readonly WarmCase[];
  readonly warmup: number;
  readonly iterations: number;
}

export interface WarmCaseResult {
  readonly label: string;
  readonly handler: Summary;
  readonly bare: Summary;
  /** The results store's two writes of one request (begin + complete) on their own. */
  readonly store: Summary;
  /** Median over iterations of (handler - bare) of the same iteration. */
  readonly pairedAddedP50: number;
  readonly handlerFailures: number;
}

export interface QueueRunRequest {
  readonly kind: 'queue';
  readonly functionName: string;
  readonly bundle: string;
  readonly op: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly requests: readonly unknown[];
  /** Concurrent invocations (the event source's maximum concurrency). */
  readonly invocations: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
}

export interface BareRunRequest {
  readonly kind: 'bare';
  readonly lrs: LrsTarget;
  readonly servicePath: string;
  readonly lrsMethod: string;
  readonly soapBodies: readonly string[];
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface RunResult {
  readonly count: number;
  readonly failures: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** CPU time of the worker process per item, ms (user + system). */
  readonly cpuMsPerItem: number;
  /** Highest RSS sampled during the run, bytes. */
  readonly peakRssBytes: number;
  /** process.resourceUsage().maxRSS at the end of the run, bytes (high-water mark of the process so far). */
  readonly maxRssBytes: number;
  readonly latency?: Summary;
}

export interface ColdResult {
  /** ms since the process started (performance.timeOrigin) when the worker script began. */
  readonly bootMs: number;
  /** Import of the bundle: module init, config, SDK and LRS client creation. */
  readonly importMs: number;
  /** First invocation: secret, TLS handshakes, LRS call, DynamoDB write. */
  readonly firstCallMs: number;
  /** ms since the process started when the first request completed. */
  readonly totalMs: number;
  /** CPU time (user + system) of the process from its start to the first request completed. */
  readonly cpuMs: number;
  readonly statusCode?: number;
  readonly error?: string;
}

export type WorkerReply<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };
