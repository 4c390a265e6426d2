/**
 * 4. Queue throughput (SQS emulator -> poller -> handler -> simulator -> DynamoDB) vs. bare calls, with the
 * simulator answering in 50 ms; 5. the handler process's memory meanwhile. A last, metered run counts the
 * AWS requests of the queue path (bench/aws-meter.ts) for the cost model.
 */
import { kebab, OPERATIONS, type OperationId, SERVICES } from '../../shared/lrs/contract/operations.js';
import { verifiableLearners } from '../../simulator/seed.js';
import { type AwsCounts, startAwsMeter } from '../aws-meter.js';
import { type BenchContext, log, PHASES, QUICK, soapBodyOf, Worker } from '../harness.js';
import { FunctionProcess, runQueueOnce } from '../queue-run.js';
import { columnTable, mib, verdict } from '../report.js';
import { TARGETS } from '../targets.js';
import type { BareRunRequest, RunResult } from '../workers/protocol.js';

/**
 * Concurrency = LRS calls in flight. An invocation handles its batch one record at a time (the queue
 * worker's default QUEUE_RECORD_CONCURRENCY of 1), so that is the number of concurrent invocations (the
 * event source's maximum concurrency), each with the deployed batch size.
 */
const QUEUE_LEVELS = [
  { concurrency: 1, invocations: 1, batchSize: 10, count: QUICK ? 30 : 100 },
  { concurrency: 10, invocations: 10, batchSize: 10, count: QUICK ? 100 : 500 },
  { concurrency: 50, invocations: 50, batchSize: 10, count: QUICK ? 300 : 1500 },
] as const;
export const QUEUE_OPERATION: OperationId = 'verifyLearner';
export const SIMULATOR_LATENCY_MS = 50;
/** Longest a run may take: 1,500 learners at ~25/s on a loaded two-core machine is a minute already. */
const RUN_TIMEOUT_MS = 180_000;

type Measured = RunResult & { hostCpuMsPerItem: number };

export interface QueueLevelFigures {
  readonly concurrency: number;
  readonly invocations: number;
  readonly batchSize: number;
  readonly queue: Measured;
  readonly bare: Measured;
}

/** The metered run: what the queue path asks of AWS for `learners` messages (10 invocations x 10). */
export interface QueueCounts {
  readonly learners: number;
  readonly counts: AwsCounts;
  readonly run: RunResult;
}

export interface QueueFigures {
  readonly levels: QueueLevelFigures[];
  readonly metered?: QueueCounts;
}

export const runQueue = async (ctx: BenchContext): Promise<QueueFigures> => {
  if (!PHASES.has('queue')) return { levels: [] };
  log(`[bench] 4. queue throughput (simulator latency ${SIMULATOR_LATENCY_MS} ms)`);
  const { runtime } = ctx;
  runtime.simulator.setConditions({ latencyMs: SIMULATOR_LATENCY_MS });
  const queueFunction = new FunctionProcess('queue', ctx.workers.queue, ctx.env);
  const bareWorker = new Worker('bare', ctx.workers.bare, ctx.env);
  try {
    const learners = verifiableLearners(Math.max(...QUEUE_LEVELS.map((l) => l.count)));
    const requests = learners.map((l) => ({
      uln: l.uln,
      givenName: l.givenName,
      familyName: l.familyName,
      dateOfBirth: l.dateOfBirth,
      gender: l.gender,
    }));
    const bodies = requests.map((r) => soapBodyOf(QUEUE_OPERATION, r));
    const def = OPERATIONS[QUEUE_OPERATION];
    /** A run, with the CPU the host processes (simulator, emulators, event source) spent per item meanwhile. */
    const withHostCpu = async (count: number, run: () => Promise<RunResult>): Promise<Measured> => {
      const cpu0 = await ctx.hostCpuMs();
      const result = await run();
      return { ...result, hostCpuMsPerItem: ((await ctx.hostCpuMs()) - cpu0) / count };
    };
    const bundle = ctx.bundleOf(QUEUE_OPERATION).file;
    await queueFunction.send({ kind: 'load', bundle });
    const queueOnce = (
      fn: FunctionProcess,
      sqsEndpoint: string,
      invocations: number,
      batchSize: number,
      from: number,
      count: number,
    ) =>
      runQueueOnce({
        fn,
        functionName: kebab(QUEUE_OPERATION),
        op: QUEUE_OPERATION,
        queueUrl: runtime.resources.queueUrls[QUEUE_OPERATION],
        queueArn: runtime.resources.queueArns[QUEUE_OPERATION],
        region: runtime.emulators.region,
        sqsEndpoint,
        requests: requests.slice(from, from + count),
        invocations,
        batchSize,
        timeoutMs: RUN_TIMEOUT_MS,
      });
    const queueRun = (invocations: number, batchSize: number, count: number) =>
      withHostCpu(count, () =>
        queueOnce(queueFunction, runtime.emulators.sqs.url, invocations, batchSize, 0, count),
      );
    const bareRun = (concurrency: number, count: number) =>
      withHostCpu(count, () =>
        bareWorker.request<RunResult>({
          kind: 'bare',
          lrs: ctx.lrs,
          servicePath: SERVICES[def.service].path,
          lrsMethod: def.lrsName,
          soapBodies: bodies.slice(0, count),
          concurrency,
          timeoutMs: RUN_TIMEOUT_MS,
        } satisfies BareRunRequest),
      );
    // Warm-up of both processes (module init, TLS, JIT), not reported.
    await queueRun(4, 10, 40);
    await bareRun(10, 40);
    const levels: QueueLevelFigures[] = [];
    for (const [i, level] of QUEUE_LEVELS.entries()) {
      // Alternate which side goes first, so a slow spell of the shared machine does not always hit one side.
      let q: Measured;
      let b: Measured;
      if (i % 2 === 0) {
        q = await queueRun(level.invocations, level.batchSize, level.count);
        b = await bareRun(level.concurrency, level.count);
      } else {
        b = await bareRun(level.concurrency, level.count);
        q = await queueRun(level.invocations, level.batchSize, level.count);
      }
      levels.push({ ...level, queue: q, bare: b });
      log(
        `[bench]    c=${level.concurrency}: queue ${q.perSecond.toFixed(1)}/s, bare ${b.perSecond.toFixed(1)}/s`,
      );
    }
    return { levels, metered: await meteredRun(ctx, (fn, sqs, n) => queueOnce(fn, sqs, 10, 10, 0, n)) };
  } finally {
    runtime.simulator.setConditions({ latencyMs: 0 });
    queueFunction.stop();
    bareWorker.stop();
  }
};

/** A fresh function process whose AWS requests (and the event source's) go through the meter. */
const meteredRun = async (
  ctx: BenchContext,
  run: (fn: FunctionProcess, sqsEndpoint: string, count: number) => Promise<RunResult>,
): Promise<QueueCounts> => {
  const { emulators } = ctx.runtime;
  const meter = await startAwsMeter({
    dynamodb: emulators.dynamodb.url,
    sqs: emulators.sqs.url,
    secretsManager: emulators.secretsManager.url,
  });
  const fn = new FunctionProcess('queue-metered', ctx.workers.queue, { ...ctx.env, ...meter.env });
  try {
    await fn.send({ kind: 'load', bundle: ctx.bundleOf(QUEUE_OPERATION).file });
    const learners = QUICK ? 100 : 200;
    const result = await run(fn, meter.env.AWS_ENDPOINT_URL_SQS ?? '', learners);
    return { learners, counts: meter.snapshot(), run: result };
  } finally {
    fn.stop();
    await meter.close();
  }
};

export const handlerMaxRss = (queue: readonly QueueLevelFigures[]): number =>
  Math.max(0, ...queue.map((q) => q.queue.maxRssBytes));

export const queueTables = (queue: readonly QueueLevelFigures[]): string[] => [
  columnTable(
    `4. Queue throughput: ${QUEUE_OPERATION}, simulator answering in ${SIMULATOR_LATENCY_MS} ms (concurrency = LRS calls in flight)`,
    queue.map((q) => ({
      ...q,
      ratio: q.queue.perSecond / q.bare.perSecond,
      cpuRatio: q.queue.cpuMsPerItem / q.bare.cpuMsPerItem,
    })),
    [
      ['concurrency', (q) => String(q.concurrency)],
      ['invocations x batch', (q) => `${q.invocations} x ${q.batchSize}`],
      ['learners', (q) => String(q.queue.count)],
      ['queue /s', (q) => q.queue.perSecond.toFixed(1)],
      ['bare /s', (q) => q.bare.perSecond.toFixed(1)],
      ['ratio', (q) => `${q.ratio.toFixed(2)}x`],
      ['target', (q) => `${verdict(q.ratio >= TARGETS.queueRatio)} (>=${TARGETS.queueRatio}x)`],
      [
        'CPU ms/learner: function',
        (q) =>
          `${q.queue.cpuMsPerItem.toFixed(2)} vs ${q.bare.cpuMsPerItem.toFixed(2)} = ${q.cpuRatio.toFixed(2)}x`,
      ],
      ['target', (q) => `${verdict(q.cpuRatio <= TARGETS.queueCpuRatio)} (<=${TARGETS.queueCpuRatio}x)`],
      [
        'host: emulators, simulator, event source',
        (q) => `${q.queue.hostCpuMsPerItem.toFixed(2)} vs ${q.bare.hostCpuMsPerItem.toFixed(2)}`,
      ],
    ],
  ),
  columnTable('5. Memory: RSS of the handler process during 4 (sampled every 25 ms)', queue, [
    ['concurrency', (q) => String(q.concurrency)],
    ['peak RSS', (q) => mib(q.queue.peakRssBytes)],
    ['bare client process', (q) => mib(q.bare.peakRssBytes)],
  ]),
  `   high-water mark of the handler process (maxRSS): ${mib(handlerMaxRss(queue))}`,
];
