/**
 * One queue-path run, driven from the orchestrator: the messages go on the operation's queue (fauxqs),
 * then the event source stand-in (local/poller.ts) receives them here and hands each batch to the
 * function's own process (bench/workers/queue.ts) over IPC, deleting what it did not report failed.
 * Throughput is messages / time from poller start to the last one done. The function process meters its
 * own CPU, RSS and billed run time meanwhile.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startPoller } from '../local/poller.js';
import type { OperationId } from '../shared/lrs/contract/operations.js';
import { forkWorker, log } from './harness.js';
import { queueMessage } from './requests.js';
import type { QueueWorkerMessage, QueueWorkerReply, RunResult } from './workers/protocol.js';

const POLL_WAIT_SECONDS = 1;

type Outgoing = QueueWorkerMessage extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never;

/** The function's process: any number of requests in flight, each answered by its id. */
export class FunctionProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly stderr: string[];

  constructor(
    readonly name: string,
    file: string,
    env: NodeJS.ProcessEnv,
  ) {
    ({ child: this.child, stderr: this.stderr } = forkWorker(name, file, env, 'queue'));
    this.child.on('message', (reply: QueueWorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(`${name}: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) {
        p.reject(new Error(`${name} exited (${code}): ${this.stderr.slice(-3).join(' | ')}`));
      }
      this.pending.clear();
    });
  }

  send<T>(message: Outgoing): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...message, id });
    });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

export interface QueueRun {
  readonly fn: FunctionProcess;
  readonly functionName: string;
  readonly op: OperationId;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** SQS endpoint of the sender and the event source (the emulator, or the AWS meter in front of it). */
  readonly sqsEndpoint: string;
  readonly requests: readonly unknown[];
  readonly invocations: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
}

const sendAll = async (sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> => {
  const chunks: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) chunks.push(bodies.slice(i, i + 10));
  let next = 0;
  const sender = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as string[];
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((MessageBody, n) => ({ Id: String(n), MessageBody })),
        }),
      );
      if (out.Failed && out.Failed.length > 0)
        throw new Error(`SendMessageBatch: ${out.Failed.length} failed`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
};

export const runQueueOnce = async (run: QueueRun): Promise<RunResult> => {
  const sqs = new SQSClient({
    region: run.region,
    endpoint: run.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const count = run.requests.length;
  await sendAll(
    sqs,
    run.queueUrl,
    run.requests.map((r) => queueMessage(run.op, r)),
  );
  let done = 0;
  let failed = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // Counts each record the function settled (not reported in batchItemFailures).
  const invoke = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const res = await run.fn.send<SQSBatchResponse | undefined>({
      kind: 'invoke',
      functionName: run.functionName,
      event,
    });
    const failures = res?.batchItemFailures?.length ?? 0;
    failed += failures;
    done += event.Records.length - failures;
    if (done >= count) finish();
    return res ?? { batchItemFailures: [] };
  };
  await run.fn.send({ kind: 'start' });
  const poller = startPoller({
    sqs,
    region: run.region,
    batchSize: run.batchSize,
    maxConcurrency: run.invocations,
    waitTimeSeconds: POLL_WAIT_SECONDS,
    subscriptions: [
      { name: run.functionName, queueUrl: run.queueUrl, queueArn: run.queueArn, handler: async () => invoke },
    ],
    log: (line) => log(line),
  });
  const deadline = setTimeout(finish, run.timeoutMs);
  const started = performance.now();
  await finished;
  clearTimeout(deadline);
  const elapsedMs = performance.now() - started;
  const figures = await run.fn.send<RunResult>({ kind: 'stop', count: done, failures: failed });
  await poller.stop();
  // A long poll the poller gave up on stays open in the emulator for up to its wait time and would take
  // the next run's first messages: let those polls end before anything else is sent.
  await new Promise((resolve) => setTimeout(resolve, (POLL_WAIT_SECONDS + 0.5) * 1000));
  sqs.destroy();
  if (done < count) {
    throw new Error(
      `only ${done} of ${count} messages done after ${Math.round(elapsedMs)} ms (${failed} reported failed)`,
    );
  }
  // Throughput from the poller's start, as seen by the orchestrator.
  return { ...figures, elapsedMs, perSecond: count / (elapsedMs / 1000) };
};
