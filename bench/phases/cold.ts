/** 2. Cold start: every function's production bundle in a fresh Node process, to its first completed request. */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { JOBS_PATH } from '../../shared/handlers/jobs-handler.js';
import { kebab, OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import type { FunctionBundle } from '../bundle.js';
import { type BenchContext, log, PHASES, profileArgs, QUICK } from '../harness.js';
import { kib, ms, table, verdict } from '../report.js';
import { operationEvent, readRequestEvent, sampleRequests } from '../requests.js';
import { summarise } from '../stats.js';
import { TARGETS } from '../targets.js';
import type { ColdResult } from '../workers/protocol.js';

export const COLD_RUNS = QUICK ? 1 : 3;

export interface ColdFigures {
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

type ColdRun = ColdResult & { spawnToAnswerMs: number };

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

const coldOnce = (
  workerFile: string,
  env: NodeJS.ProcessEnv,
  bundle: FunctionBundle,
  event: unknown,
): Promise<ColdRun> =>
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

export const runCold = async (ctx: BenchContext): Promise<ColdFigures[]> => {
  if (!PHASES.has('cold')) return [];
  log(`[bench] 2. cold start (${ctx.bundles.length} functions x ${COLD_RUNS})`);
  const coldRuns = new Map<string, ColdRun[]>();
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const b of ctx.bundles) {
      const event = coldEventFor(b.name, ctx.apiKeyId);
      if (event === undefined) continue;
      const r = await coldOnce(ctx.workers.cold, ctx.env, b, event);
      coldRuns.set(b.name, [...(coldRuns.get(b.name) ?? []), r]);
    }
  }
  return ctx.bundles
    .filter((b) => coldRuns.has(b.name))
    .map((b) => {
      const runs = coldRuns.get(b.name) ?? [];
      const med = (f: (r: ColdRun) => number) => summarise(runs.map(f)).p50;
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
};

export const coldTable = (cold: readonly ColdFigures[]): string =>
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
  );
