/**
 * Queue throughput in the function's own process: the messages are put on the operation's queue (fauxqs)
 * first, then the SQS event source stand-in (local/poller.ts) runs the production bundle's handler with the
 * given number of concurrent invocations and batch size until every message is done (the handler answered
 * for it without reporting it failed). Throughput is messages / time from poller start to the last one.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startPoller } from '../../local/poller.js';
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import { queueMessage } from '../requests.js';
import type { QueueRunRequest, RunResult } from './protocol.js';
import { startRunMeter } from './sampler.js';
import { type LambdaHandler, loadBundle, serve } from './serve.js';

const POLL_WAIT_SECONDS = 1;

const handlers = new Map<string, Promise<LambdaHandler>>();

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

serve<QueueRunRequest, RunResult>(async (req) => {
  let loading = handlers.get(req.bundle);
  if (!loading) {
    loading = loadBundle(pathToFileURL(req.bundle).href);
    handlers.set(req.bundle, loading);
  }
  const handler = await loading;
  const sqs = new SQSClient({
    region: req.region,
    endpoint: req.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const count = req.requests.length;
  await sendAll(
    sqs,
    req.queueUrl,
    req.requests.map((r) => queueMessage(req.op as OperationId, r)),
  );

  let done = 0;
  let failed = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // Counts each record the function settled (not reported in batchItemFailures).
  const counting = async (event: SQSEvent, context: unknown): Promise<SQSBatchResponse> => {
    const res = (await handler(event, context)) as SQSBatchResponse | undefined;
    const failures = res?.batchItemFailures?.length ?? 0;
    failed += failures;
    done += event.Records.length - failures;
    if (done >= count) finish();
    return res ?? { batchItemFailures: [] };
  };
  const meter = startRunMeter();
  const poller = startPoller({
    sqs,
    region: req.region,
    batchSize: req.batchSize,
    maxConcurrency: req.invocations,
    waitTimeSeconds: POLL_WAIT_SECONDS,
    subscriptions: [
      {
        name: req.functionName,
        queueUrl: req.queueUrl,
        queueArn: req.queueArn,
        handler: async () => counting,
      },
    ],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const deadline = setTimeout(finish, req.timeoutMs);
  const started = performance.now();
  await finished;
  clearTimeout(deadline);
  const figures = meter.stop(done);
  await poller.stop();
  // A long poll the poller gave up on stays open in the emulator for up to its wait time and would take
  // the next run's first messages: let those polls end before anything else is sent.
  await new Promise((resolve) => setTimeout(resolve, (POLL_WAIT_SECONDS + 0.5) * 1000));
  sqs.destroy();
  if (done < count) {
    throw new Error(
      `only ${done} of ${count} messages done after ${Math.round(performance.now() - started)} ms (${failed} reported failed)`,
    );
  }
  return { count, failures: failed, ...figures };
});
