/**
 * `npm run bench`: what the gateway costs next to the LRS round trip, all measured in one run against the
 * LRS simulator over mutual TLS on loopback and the local AWS emulators (dynalite, fauxqs, the Secrets
 * Manager stand-in), which this process hosts. Measurements run in child processes so that each one has a
 * process of its own, as a function has:
 *   1. warm overhead: the real handler (production bundle) vs. a bare soap client, interleaved;
 *   2. cold start of every function's production bundle in a fresh Node process, and bundle sizes;
 *   3. parsing a 1,000-event PLR answer and a 10-match demographics answer;
 *   4. queue throughput (SQS emulator -> poller -> handler -> simulator -> DynamoDB) vs. bare calls, with
 *      the simulator answering in 50 ms;
 *   5. peak RSS of the handler process during 4.
 * Prints a table with pass/miss against the targets and writes bench/results/latest.json.
 *
 * Options (environment): BENCH_QUICK=1 runs fewer iterations (a quick check, not for the README figures);
 * BENCH_PHASES=warm,cold,parse,queue runs only some phases; BENCH_PROFILE=warm|queue|cold writes CPU profiles
 * of that phase's processes (readable bundles) to bench/results/profiles; BENCH_COLD_NODE_OPTIONS overrides
 * NODE_OPTIONS for the cold starts; BENCH_VERBOSE=1 shows the workers' stderr.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FUNCTION_BASE_ENVIRONMENT } from '../infra/constructs/gateway-function.js';
import { REPO_ROOT } from '../infra/support/paths.js';
import { uniqueStage } from '../local/resources.js';
import { startLocalRuntime } from '../local/runtime.js';
import { JOBS_PATH } from '../shared/handlers/jobs-handler.js';
import {
  kebab,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
  SERVICES,
} from '../shared/lrs/contract/operations.js';
import { validateRequest } from '../shared/lrs/contract/schemas.js';
import { buildRequestBody } from '../shared/lrs/soap/request.js';
import type { OrganisationCredentials } from '../shared/ports/credentials.js';
import { SIMULATOR_ORGANISATIONS, verifiableLearners } from '../simulator/seed.js';
import { testCertificates } from '../test/certs.js';
import { buildFunctionBundles, buildWorkers, type FunctionBundle } from './bundle.js';
import { runParseBenchmark } from './parse.js';
import { BENCH_ORGANISATION, operationEvent, readRequestEvent, sampleRequests } from './requests.js';
import { round, summarise } from './stats.js';
import type {
  BareRunRequest,
  ColdResult,
  LrsTarget,
  QueueRunRequest,
  RunResult,
  WarmCaseResult,
  WarmRequest,
  WorkerReply,
} from './workers/protocol.js';

const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_PROFILE=warm|queue|cold: that phase's worker(s) write V8 CPU profiles to bench/results/profiles. */
const PROFILE = process.env.BENCH_PROFILE ?? '';
/** BENCH_PHASES=warm,cold,parse,queue (default all): run only these measurements. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'warm,cold,parse,queue').split(',').map((p) => p.trim()));
const PROFILE_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');
const profileArgs = (phase: string): string[] =>
  PROFILE === phase ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];

export const TARGETS = {
  warmRatio: 1.1,
  warmAddedMs: 2,
  coldStartMs: 300,
  bundleBytes: 1.5 * 1024 * 1024,
  plrParseMs: 20,
  /** 8x the events may cost at most 20x the time (a quadratic scan would be ~64x). */
  parseScalingRatio: 20,
  queueRatio: 0.95,
} as const;

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
const QUEUE_OPERATION: OperationId = 'verifyLearner';
const SIMULATOR_LATENCY_MS = 50;
const COLD_RUNS = QUICK ? 1 : 3;

// ---------------------------------------------------------------- worker processes

const log = (line: string) => process.stderr.write(`${line}\n`);

class Worker {
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];
  private exited = false;

  constructor(
    readonly name: string,
    file: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = fork(file, [], {
      env,
      execArgv: profileArgs(name),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        this.stderr.push(line);
        if (this.stderr.length > 50) this.stderr.shift();
        if (process.env.BENCH_VERBOSE) log(`[${name}] ${line}`);
      }
    });
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  request<T>(message: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${this.name} worker exited (${code}): ${this.stderr.slice(-5).join(' | ')}`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: WorkerReply<T>) => {
        this.child.off('exit', onExit);
        if (reply.ok) resolve(reply.value);
        else reject(new Error(`${this.name} worker: ${reply.error} ${this.stderr.slice(-3).join(' | ')}`));
      });
      this.child.send(message as object);
    });
  }

  stop(): void {
    if (!this.exited && this.child.connected) this.child.disconnect();
  }
}

/** The function's environment for a child process: the deployed base env plus the local stack's. */
const childEnv = (functionEnv: Readonly<Record<string, string>>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...functionEnv,
  ...FUNCTION_BASE_ENVIRONMENT,
  // Node 20 here, Node 22 on Lambda: the SDK's one-off Node-version notice is not part of the function.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

// ---------------------------------------------------------------- request bodies

const benchCredentials = (): OrganisationCredentials => {
  const org = SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === BENCH_ORGANISATION);
  if (!org) throw new Error(`no seeded organisation ${BENCH_ORGANISATION}`);
  return {
    organisationId: BENCH_ORGANISATION,
    ...(org.ukprn ? { ukprn: org.ukprn } : {}),
    ...(org.organisationRef ? { organisationRef: org.organisationRef } : {}),
    orgPassword: org.orgPassword,
    userName: org.userName,
    vendorId: org.vendorId,
    certificate: { kind: 'pem', key: Buffer.alloc(0), cert: Buffer.alloc(0) },
    version: 'bench',
  } as OrganisationCredentials;
};

/** The SOAP Body the gateway sends for this request (built once, outside any timing). */
const soapBodyOf = (op: OperationId, request: unknown): string => {
  const credentials = benchCredentials();
  return buildRequestBody(op, validateRequest(op, request), { credentials, userName: credentials.userName });
};

// ---------------------------------------------------------------- the phases

const coldEventFor = (name: string, apiKeyId: string): unknown | undefined => {
  const op = OPERATION_IDS.find((id) => kebab(id) === name);
  if (op) return operationEvent(op, sampleRequests()[op], apiKeyId);
  if (name === 'requests') return readRequestEvent(`bench-${randomUUID()}`, apiKeyId);
  if (name === 'jobs') {
    const event = readRequestEvent(`bench-${randomUUID()}`, apiKeyId);
    const jobId = `bench-${randomUUID()}`;
    return {
      ...event,
      path: `${JOBS_PATH}/${jobId}`,
      resource: `${JOBS_PATH}/{jobId}`,
      pathParameters: { jobId },
    };
  }
  return undefined;
};

interface ColdFigures {
  readonly name: string;
  readonly bytes: number;
  readonly mapBytes: number;
  readonly runs: number;
  readonly totalMs: number;
  readonly totalMinMs: number;
  readonly importMs: number;
  readonly firstCallMs: number;
  readonly bootMs: number;
  readonly spawnToAnswerMs: number;
  readonly statusCodes: readonly number[];
  readonly error?: string;
}

const coldOnce = (
  workerFile: string,
  env: NodeJS.ProcessEnv,
  bundle: FunctionBundle,
  event: unknown,
): Promise<ColdResult & { spawnToAnswerMs: number }> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = fork(workerFile, [], {
      env: {
        ...env,
        // To compare runtime flags, e.g. BENCH_COLD_NODE_OPTIONS=' ' (none) against the deployed ones.
        ...(process.env.BENCH_COLD_NODE_OPTIONS !== undefined
          ? { NODE_OPTIONS: process.env.BENCH_COLD_NODE_OPTIONS }
          : {}),
        BENCH_COLD_BUNDLE: bundle.file,
        BENCH_COLD_EVENT: JSON.stringify(event),
        BENCH_COLD_FUNCTION: bundle.name,
      },
      execArgv: profileArgs('cold'),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let answered = false;
    child.once('message', (r: ColdResult) => {
      answered = true;
      resolve({ ...r, spawnToAnswerMs: performance.now() - t0 });
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`${bundle.name}: cold worker exited ${code}: ${stderr.slice(-300)}`));
    });
  });

// ---------------------------------------------------------------- output

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const table = (title: string, header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[i] ?? 0) : lpad(c, widths[i] ?? 0))).join('  ');
  return [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join(
    '\n',
  );
};

// ---------------------------------------------------------------- main

const main = async (): Promise<void> => {
  const began = performance.now();
  const startedAt = new Date().toISOString();
  const load0 = loadavg();

  log('[bench] 3. parsing');
  const parse = PHASES.has('parse') ? runParseBenchmark({ iterations: QUICK ? 30 : 100 }) : undefined;

  log('[bench] building production bundles (CDK esbuild options) and workers');
  const tb = performance.now();
  const [bundles, workers] = await Promise.all([
    buildFunctionBundles({ readable: PROFILE !== '' }),
    buildWorkers(),
  ]);
  const buildMs = performance.now() - tb;

  log('[bench] starting the simulator and the AWS emulators');
  const certs = testCertificates();
  const runtime = await startLocalRuntime({
    stage: uniqueStage('bench'),
    certificates: certs,
    api: false,
    pollers: false,
    setProcessEnv: false,
  });
  const stops: Array<() => void> = [];
  try {
    const env = childEnv(runtime.env);
    const apiKeyId = runtime.callers[0]?.clientId ?? '';
    const lrs: LrsTarget = {
      url: runtime.simulator.url,
      caFile: join(certs.dir, 'ca.crt'),
      keyFile: join(certs.dir, 'client.key'),
      certFile: join(certs.dir, 'client.crt'),
    };
    const bundleOf = (op: OperationId) => {
      const b = bundles.find((x) => x.name === kebab(op));
      if (!b) throw new Error(`no bundle for ${op}`);
      return b;
    };

    // 1. warm overhead
    log('[bench] 1. warm overhead');
    const samples = sampleRequests();
    const warmCase = (label: string, op: OperationId) => ({
      label,
      functionName: kebab(op),
      bundle: bundleOf(op).file,
      op,
      request: samples[op],
      soapBody: soapBodyOf(op, samples[op]),
      lrsMethod: OPERATIONS[op].lrsName,
      servicePath: SERVICES[OPERATIONS[op].service].path,
      expectCode: 'WSRC0004',
    });
    const warmWorker = new Worker('warm', workers.warm, env);
    stops.push(() => warmWorker.stop());
    const warm: WarmCaseResult[] = !PHASES.has('warm')
      ? []
      : await warmWorker.request<WarmCaseResult[]>({
          kind: 'warm',
          lrs,
          apiKeyId,
          cases: [
            warmCase('learnerByDemographics', 'findLearnerByDemographics'),
            warmCase('PLR (GetLearnerLearningEvents)', 'getLearningEvents'),
          ],
          warmup: QUICK ? 30 : 100,
          iterations: QUICK ? 100 : 500,
        } satisfies WarmRequest);
    warmWorker.stop();

    // 2. cold start
    log(`[bench] 2. cold start (${bundles.length} functions x ${COLD_RUNS})`);
    const coldRuns = new Map<string, Array<ColdResult & { spawnToAnswerMs: number }>>();
    for (let run = 0; run < (PHASES.has('cold') ? COLD_RUNS : 0); run++) {
      for (const b of bundles) {
        const event = coldEventFor(b.name, apiKeyId);
        if (event === undefined) continue;
        const r = await coldOnce(workers.cold, env, b, event);
        coldRuns.set(b.name, [...(coldRuns.get(b.name) ?? []), r]);
      }
    }
    const cold: ColdFigures[] = bundles
      .filter((b) => coldRuns.has(b.name))
      .map((b) => {
        const runs = coldRuns.get(b.name) ?? [];
        const med = (f: (r: ColdResult & { spawnToAnswerMs: number }) => number) =>
          summarise(runs.map(f)).p50;
        const error = runs.find((r) => r.error)?.error;
        return {
          name: b.name,
          bytes: b.bytes,
          mapBytes: b.mapBytes,
          runs: runs.length,
          totalMs: med((r) => r.totalMs),
          totalMinMs: summarise(runs.map((r) => r.totalMs)).min,
          importMs: med((r) => r.importMs),
          firstCallMs: med((r) => r.firstCallMs),
          bootMs: med((r) => r.bootMs),
          spawnToAnswerMs: med((r) => r.spawnToAnswerMs),
          statusCodes: runs.map((r) => r.statusCode ?? 0),
          ...(error ? { error } : {}),
        };
      });

    // 4 + 5. queue throughput and memory
    log(`[bench] 4. queue throughput (simulator latency ${SIMULATOR_LATENCY_MS} ms)`);
    runtime.simulator.setConditions({ latencyMs: SIMULATOR_LATENCY_MS });
    const queueWorker = new Worker('queue', workers.queue, env);
    const bareWorker = new Worker('bare', workers.bare, env);
    stops.push(
      () => queueWorker.stop(),
      () => bareWorker.stop(),
    );
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
    /** A run, with the CPU this process (simulator and emulators) spent per item meanwhile. */
    const withHostCpu = async (count: number, run: () => Promise<RunResult>) => {
      const cpu0 = process.cpuUsage();
      const result = await run();
      const cpu = process.cpuUsage(cpu0);
      return { ...result, hostCpuMsPerItem: (cpu.user + cpu.system) / 1000 / count };
    };
    const queueRun = (invocations: number, batchSize: number, count: number) =>
      withHostCpu(count, () =>
        queueWorker.request<RunResult>({
          kind: 'queue',
          functionName: kebab(QUEUE_OPERATION),
          bundle: bundleOf(QUEUE_OPERATION).file,
          op: QUEUE_OPERATION,
          queueUrl: runtime.resources.queueUrls[QUEUE_OPERATION],
          queueArn: runtime.resources.queueArns[QUEUE_OPERATION],
          region: runtime.emulators.region,
          sqsEndpoint: runtime.emulators.sqs.url,
          requests: requests.slice(0, count),
          invocations,
          batchSize,
          timeoutMs: 60_000,
        } satisfies QueueRunRequest),
      );
    const bareRun = (concurrency: number, count: number) =>
      withHostCpu(count, () =>
        bareWorker.request<RunResult>({
          kind: 'bare',
          lrs,
          servicePath: SERVICES[def.service].path,
          lrsMethod: def.lrsName,
          soapBodies: bodies.slice(0, count),
          concurrency,
          timeoutMs: 60_000,
        } satisfies BareRunRequest),
      );
    if (PHASES.has('queue')) {
      // Warm-up of both processes (module init, TLS, JIT), not reported.
      await queueRun(4, 10, 40);
      await bareRun(10, 40);
    }
    const queue: Array<{
      concurrency: number;
      invocations: number;
      batchSize: number;
      queue: RunResult & { hostCpuMsPerItem: number };
      bare: RunResult & { hostCpuMsPerItem: number };
    }> = [];
    for (const [i, level] of (PHASES.has('queue') ? QUEUE_LEVELS : []).entries()) {
      // Alternate which side goes first, so a slow spell of the shared machine does not always hit one side.
      let q: RunResult & { hostCpuMsPerItem: number };
      let b: RunResult & { hostCpuMsPerItem: number };
      if (i % 2 === 0) {
        q = await queueRun(level.invocations, level.batchSize, level.count);
        b = await bareRun(level.concurrency, level.count);
      } else {
        b = await bareRun(level.concurrency, level.count);
        q = await queueRun(level.invocations, level.batchSize, level.count);
      }
      queue.push({ ...level, queue: q, bare: b });
      log(
        `[bench]    c=${level.concurrency}: queue ${q.perSecond.toFixed(1)}/s, bare ${b.perSecond.toFixed(1)}/s`,
      );
    }
    runtime.simulator.setConditions({ latencyMs: 0 });
    queueWorker.stop();
    bareWorker.stop();

    // ------------------------------------------------------------ report
    const totalSeconds = (performance.now() - began) / 1000;
    const out: string[] = [];
    out.push(
      `lrs-gateway benchmark ${startedAt}${QUICK ? ' (BENCH_QUICK: fewer iterations)' : ''}: node ${process.version}, ` +
        `${cpus().length} CPU(s), load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}`,
    );
    out.push(
      table(
        '1. Warm overhead: handler (API Gateway event, validation, adapter, DynamoDB) vs. bare soap client, same simulator',
        [
          'operation',
          'handler p50',
          'bare p50',
          'ratio',
          'added p50',
          'of which store',
          'handler p99',
          'bare p99',
          'target',
        ],
        warm.map((w) => {
          const ratio = w.handler.p50 / w.bare.p50;
          const added = w.handler.p50 - w.bare.p50;
          return [
            w.label,
            ms(w.handler.p50),
            ms(w.bare.p50),
            `${ratio.toFixed(2)}x`,
            ms(added),
            ms(w.store.p50),
            ms(w.handler.p99),
            ms(w.bare.p99),
            `${verdict(ratio <= TARGETS.warmRatio && added <= TARGETS.warmAddedMs)} (<=${TARGETS.warmRatio}x, <=${TARGETS.warmAddedMs} ms)`,
          ];
        }),
      ),
    );
    out.push(
      table(
        `2. Cold start: fresh Node process to first completed request (median of ${COLD_RUNS}); production bundle size`,
        ['function', 'total', 'min', 'import', 'first call', 'bundle', 'target'],
        cold.map((c) => [
          c.name,
          c.error ? 'error' : ms(c.totalMs),
          ms(c.totalMinMs),
          ms(c.importMs),
          ms(c.firstCallMs),
          kib(c.bytes),
          `${verdict(!c.error && c.totalMs <= TARGETS.coldStartMs && c.bytes <= TARGETS.bundleBytes)} (<=${TARGETS.coldStartMs} ms, <=1.5 MiB)`,
        ]),
      ),
    );
    if (parse) {
      out.push(
        table(
          '3. Parsing (shared/lrs/soap/parse.ts, warm, in-process)',
          ['answer', 'size', 'p50', 'p99', 'first', 'result', 'target'],
          [
            [
              'PLR, 1,000 learning events',
              kib(parse.plr.bytes),
              ms(parse.plr.p50),
              ms(parse.plr.p99),
              ms(parse.plr.firstMs),
              `${parse.plr.events} events`,
              `${verdict(parse.plr.p50 <= TARGETS.plrParseMs)} (<=${TARGETS.plrParseMs} ms)`,
            ],
            [
              'learnerByDemographics, 10 matches',
              kib(parse.demographics.bytes),
              ms(parse.demographics.p50),
              ms(parse.demographics.p99),
              ms(parse.demographics.firstMs),
              `${parse.demographics.matches} learners`,
              '',
            ],
            [
              'PLR 4,000 vs 500 events (best of 5)',
              '',
              `${ms(parse.scaling.largeMs)} / ${ms(parse.scaling.smallMs)}`,
              '',
              '',
              `${parse.scaling.ratio.toFixed(1)}x`,
              `${verdict(parse.scaling.ratio <= TARGETS.parseScalingRatio)} (<=${TARGETS.parseScalingRatio}x: linear)`,
            ],
          ],
        ),
      );
    }
    out.push(
      table(
        `4. Queue throughput: ${QUEUE_OPERATION}, simulator answering in ${SIMULATOR_LATENCY_MS} ms (concurrency = LRS calls in flight)`,
        [
          'concurrency',
          'invocations x batch',
          'learners',
          'queue /s',
          'bare /s',
          'ratio',
          'CPU ms/learner: function',
          'emulators+simulator',
          'target',
        ],
        queue.map((q) => {
          const ratio = q.queue.perSecond / q.bare.perSecond;
          return [
            String(q.concurrency),
            `${q.invocations} x ${q.batchSize}`,
            String(q.queue.count),
            q.queue.perSecond.toFixed(1),
            q.bare.perSecond.toFixed(1),
            `${ratio.toFixed(2)}x`,
            `${q.queue.cpuMsPerItem.toFixed(2)} vs ${q.bare.cpuMsPerItem.toFixed(2)}`,
            `${q.queue.hostCpuMsPerItem.toFixed(2)} vs ${q.bare.hostCpuMsPerItem.toFixed(2)}`,
            `${verdict(ratio >= TARGETS.queueRatio)} (>=${TARGETS.queueRatio}x)`,
          ];
        }),
      ),
    );
    out.push(
      table(
        '5. Memory: RSS of the handler process during 4 (sampled every 25 ms)',
        ['concurrency', 'peak RSS', 'bare client process'],
        queue.map((q) => [String(q.concurrency), mib(q.queue.peakRssBytes), mib(q.bare.peakRssBytes)]),
      ),
    );
    const maxRss = Math.max(0, ...queue.map((q) => q.queue.maxRssBytes));
    out.push(`   high-water mark of the handler process (maxRSS): ${mib(maxRss)}`);
    out.push(
      `\nbundles built in ${(buildMs / 1000).toFixed(1)} s; whole run ${totalSeconds.toFixed(0)} s; ` +
        `load average at end ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    const text = out.join('\n');
    process.stdout.write(`${text}\n`);

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
      queue: { operation: QUEUE_OPERATION, simulatorLatencyMs: SIMULATOR_LATENCY_MS, levels: queue },
      memory: { handlerMaxRssBytes: maxRss },
    };
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    log(`[bench] wrote bench/results/latest.json`);
  } finally {
    for (const stop of stops) stop();
    await runtime.stop();
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
