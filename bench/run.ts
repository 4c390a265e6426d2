/**
 * `npm run bench`: what the gateway costs next to the LRS round trip, all measured in one run against the
 * LRS simulator over mutual TLS on loopback and the local AWS emulators (dynalite, fauxqs, the Secrets
 * Manager stand-in), which this process hosts. Measurements run in child processes so that each one has a
 * process of its own, as a function has (the phases are in bench/phases/):
 *   1. warm overhead: the real handler (production bundle) vs. a bare soap client, interleaved;
 *   2. cold start of every function's production bundle in a fresh Node process, and bundle sizes;
 *   3. parsing a 1,000-event PLR answer and a 10-match demographics answer;
 *   4. queue throughput (SQS emulator -> poller -> handler -> simulator -> DynamoDB) vs. bare calls, with
 *      the simulator answering in 50 ms;
 *   5. peak RSS of the handler process during 4;
 *   6. the caller's wait against a realistic LRS profile (150 ms median, long tail, resets) and the
 *      gateway's share of it;
 *   7. the cost model: the AWS bill per 10,000 learners from the figures of 2, 4 and 6.
 * Prints a table with pass/miss against the targets and writes bench/results/latest.json.
 *
 * Options (environment): BENCH_QUICK=1 runs fewer iterations (a quick check, not for the README figures);
 * BENCH_PHASES=warm,cold,parse,queue,realistic runs only some phases; BENCH_PROFILE=warm|queue|cold writes CPU profiles
 * of that phase's processes (readable bundles) to bench/results/profiles; BENCH_COLD_NODE_OPTIONS overrides
 * NODE_OPTIONS for the cold starts; BENCH_VERBOSE=1 shows the workers' stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '../infra/support/paths.js';
import { uniqueStage } from '../local/resources.js';
import { startLocalRuntime } from '../local/runtime.js';
import { kebab, type OperationId } from '../shared/lrs/contract/operations.js';
import { testCertificates } from '../test/certs.js';
import { buildFunctionBundles, buildWorkers } from './bundle.js';
import { type BenchContext, childEnv, log, PROFILE, QUICK, startDynamodbProcess } from './harness.js';
import { coldTable, runCold } from './phases/cold.js';
import { costTables } from './phases/cost.js';
import { costInputs } from './phases/cost-inputs.js';
import { parseTable, runParse } from './phases/parse.js';
import {
  handlerMaxRss,
  QUEUE_OPERATION,
  queueTables,
  runQueue,
  SIMULATOR_LATENCY_MS,
} from './phases/queue.js';
import { realisticTable, runRealistic } from './phases/realistic.js';
import { runWarm, warmTable } from './phases/warm.js';
import { round } from './stats.js';
import { TARGETS } from './targets.js';

const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const main = async (): Promise<void> => {
  const began = performance.now();
  const startedAt = new Date().toISOString();
  const load0 = loadavg();

  const parse = runParse();

  log('[bench] building production bundles (CDK esbuild options) and workers');
  const tb = performance.now();
  const [bundles, workers] = await Promise.all([
    buildFunctionBundles({ readable: PROFILE !== '' }),
    buildWorkers(),
  ]);
  const buildMs = performance.now() - tb;

  log('[bench] starting the simulator and the AWS emulators (DynamoDB in a process of its own)');
  const certs = testCertificates();
  const dynamodb = await startDynamodbProcess(workers.dynamodb);
  const runtime = await startLocalRuntime({
    stage: uniqueStage('bench'),
    certificates: certs,
    api: false,
    pollers: false,
    setProcessEnv: false,
    dynamodb: { url: dynamodb.url, port: dynamodb.port },
  }).catch((e: unknown) => {
    dynamodb.stop();
    throw e;
  });
  try {
    const ctx: BenchContext = {
      runtime,
      hostCpuMs: async () => {
        const own = process.cpuUsage();
        return (own.user + own.system) / 1000 + (await dynamodb.cpuMs());
      },
      env: childEnv(runtime.env),
      apiKeyId: runtime.callers[0]?.clientId ?? '',
      lrs: {
        url: runtime.simulator.url,
        caFile: join(certs.dir, 'ca.crt'),
        keyFile: join(certs.dir, 'client.key'),
        certFile: join(certs.dir, 'client.crt'),
      },
      bundles,
      workers,
      bundleOf: (op: OperationId) => {
        const b = bundles.find((x) => x.name === kebab(op));
        if (!b) throw new Error(`no bundle for ${op}`);
        return b;
      },
    };
    const warm = await runWarm(ctx);
    const cold = await runCold(ctx);
    const queueRun = await runQueue(ctx);
    const queue = queueRun.levels;
    const realistic = await runRealistic(ctx);
    const cost = costInputs({ queue: queueRun, realistic, cold });

    const totalSeconds = (performance.now() - began) / 1000;
    const out = [
      `lrs-gateway benchmark ${startedAt}${QUICK ? ' (BENCH_QUICK: fewer iterations)' : ''}: node ${process.version}, ` +
        `${cpus().length} CPU(s), load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}`,
      warmTable(warm),
      coldTable(cold),
      ...(parse ? [parseTable(parse)] : []),
      ...queueTables(queue),
      ...(realistic ? [realisticTable(realistic)] : []),
      ...(cost ? costTables(cost) : []),
      `\nbundles built in ${(buildMs / 1000).toFixed(1)} s; whole run ${totalSeconds.toFixed(0)} s; ` +
        `load average at end ${loads()}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);

    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const json = {
      startedAt,
      quick: QUICK,
      node: process.version,
      cpus: cpus().length,
      loadAverage: { start: load0, end: loadavg() },
      seconds: round(totalSeconds, 1),
      targets: TARGETS,
      warm,
      cold,
      parse,
      queue: {
        operation: QUEUE_OPERATION,
        simulatorLatencyMs: SIMULATOR_LATENCY_MS,
        levels: queue,
        metered: queueRun.metered,
      },
      realistic,
      cost,
      memory: { handlerMaxRssBytes: handlerMaxRss(queue) },
    };
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    log(`[bench] wrote bench/results/latest.json`);
  } finally {
    await runtime.stop();
    dynamodb.stop();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
