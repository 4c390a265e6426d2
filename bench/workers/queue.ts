/**
 * The function's process on the queue path: it imports the production bundle and answers SQS events the
 * orchestrator sends it over IPC, any number at once (one per concurrent invocation). The event source
 * stand-in (local/poller.ts: ReceiveMessage, DeleteMessageBatch) runs in the orchestrator, as AWS runs the
 * event source mapping outside the function, so this process's CPU is the function's alone. Between
 * `start` and `stop` it meters its CPU and RSS and adds up the time its invocations ran (Lambda bills an
 * invocation from its start to its answer).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchContext } from '../context.js';
import type { QueueWorkerMessage, QueueWorkerReply, RunResult } from './protocol.js';
import { startRunMeter } from './sampler.js';
import { type LambdaHandler, loadBundle } from './serve.js';

let handler: LambdaHandler | undefined;
let meter: ReturnType<typeof startRunMeter> | undefined;
let busyMs = 0;
let invocations = 0;

const answer = async (m: QueueWorkerMessage): Promise<unknown> => {
  switch (m.kind) {
    case 'load':
      handler = await loadBundle(pathToFileURL(m.bundle).href);
      return undefined;
    case 'invoke': {
      if (!handler) throw new Error('no bundle loaded');
      const t0 = performance.now();
      try {
        return await handler(m.event, benchContext(m.functionName));
      } finally {
        busyMs += performance.now() - t0;
        invocations++;
      }
    }
    case 'start':
      busyMs = 0;
      invocations = 0;
      meter = startRunMeter();
      return undefined;
    case 'stop': {
      if (!meter) throw new Error('not started');
      const figures = meter.stop(m.count);
      meter = undefined;
      return {
        count: m.count,
        failures: m.failures,
        ...figures,
        busyMsPerItem: busyMs / Math.max(1, m.count),
        invocations,
      } satisfies RunResult;
    }
  }
};

process.on('message', (m: QueueWorkerMessage) => {
  answer(m).then(
    (value) => process.send?.({ id: m.id, ok: true, value } satisfies QueueWorkerReply),
    (e: unknown) =>
      process.send?.({
        id: m.id,
        ok: false,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      } satisfies QueueWorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
