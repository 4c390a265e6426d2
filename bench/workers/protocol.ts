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
  /** Mean CPU time (ms, user + system) of one call of each side, measured around each call on its own. */
  readonly cpuMs: { readonly handler: number; readonly bare: number; readonly store: number };
  readonly handlerFailures: number;
}

/** Messages to the queue path's function process (bench/workers/queue.ts), each answered by its id. */
export type QueueWorkerMessage = { readonly id: number } & (
  | { readonly kind: 'load'; readonly bundle: string }
  | { readonly kind: 'invoke'; readonly functionName: string; readonly event: unknown }
  | { readonly kind: 'start' }
  | { readonly kind: 'stop'; readonly count: number; readonly failures: number }
);

export type QueueWorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

export interface BareRunRequest {
  readonly kind: 'bare';
  readonly lrs: LrsTarget;
  readonly servicePath: string;
  readonly lrsMethod: string;
  readonly soapBodies: readonly string[];
  readonly concurrency: number;
  readonly timeoutMs: number;
}

/** Calls against the realistic LRS profile: the HTTP handler and a bare client, one at a time. */
export interface RealisticRequest extends Omit<WarmCase, 'label' | 'expectCode'> {
  readonly kind: 'realistic';
  readonly lrs: LrsTarget;
  readonly apiKeyId: string;
  readonly warmup: number;
  readonly iterations: number;
}

/** One call's start and end, absolute ms (performance.timeOrigin + now), comparable across processes. */
export interface TimedCall {
  readonly side: 'gateway' | 'bare';
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  /** CPU time of the worker process during the call, ms (the gateway side: the function's CPU). */
  readonly cpuMs?: number;
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
  /** Queue path: the invocations' own run time per item, ms (what Lambda bills), and their number. */
  readonly busyMsPerItem?: number;
  readonly invocations?: number;
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
