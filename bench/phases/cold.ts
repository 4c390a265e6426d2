/**
 * 2. Cold start: every function's production bundle in a fresh Node process, to its first completed request.
 *
 * BENCH_COLD_BASELINE=<dir> (a `functions/` build folder of another commit, `<dir>/<name>/index.mjs`) runs
 * that commit's bundles too, alternating with this one's in every round (the order swapped each round), so a
 * before/after comparison shares the machine's load; BENCH_COLD_BASELINE_NODE_OPTIONS runs the baseline side
 * with other NODE_OPTIONS (without BENCH_COLD_BASELINE: the same bundles, to compare runtime flags);
 * BENCH_COLD_RUNS sets the rounds; BENCH_COLD_NODE=<path to a node binary> runs the cold starts (both sides)
 * on another Node version (the functions run on Node 22 on Lambda; this machine has Node 20);
 * BENCH_COLD_FUNCTIONS=verify-learner,requests measures only those functions; BENCH_COLD_BUILD=<dir> measures a
 * saved build's bundles instead of the fresh build (with BENCH_COLD_BASELINE: two saved builds, one step apart).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { JOBS_PATH } from '../../shared/handlers/jobs-handler.js';
import { kebab, OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import type { FunctionBundle } from '../bundle.js';
import { type BenchContext, log, PHASES, profileArgs, QUICK } from '../harness.js';
import { type Column, columnTable, kib, ms, verdict } from '../report.js';
import { operationEvent, readRequestEvent, sampleRequests } from '../requests.js';
import { summarise } from '../stats.js';
import { TARGETS } from '../targets.js';
import type { ColdResult } from '../workers/protocol.js';

export const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? '') || (QUICK ? 1 : 3);
const BASELINE_DIR = process.env.BENCH_COLD_BASELINE ? resolve(process.env.BENCH_COLD_BASELINE) : undefined;
const BASELINE_NODE_OPTIONS = process.env.BENCH_COLD_BASELINE_NODE_OPTIONS;
/** BENCH_COLD_BUILD: a saved build's `functions` folder measured in place of the fresh build (two saved builds compared). */
const BUILD_DIR_OVERRIDE = process.env.BENCH_COLD_BUILD ? resolve(process.env.BENCH_COLD_BUILD) : undefined;
const ONLY = process.env.BENCH_COLD_FUNCTIONS
  ? new Set(process.env.BENCH_COLD_FUNCTIONS.split(','))
  : undefined;

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
  /** Median CPU time of the process to its first completed request. */
  readonly cpuMs: number;
  readonly spawnToAnswerMs: number;
  readonly statusCodes: readonly number[];
  readonly error?: string;
  /** The same function's baseline bundle (BENCH_COLD_BASELINE), measured in the same rounds. */
  readonly baseline?: Omit<ColdFigures, 'name' | 'baseline'>;
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
  nodeOptions = process.env.BENCH_COLD_NODE_OPTIONS,
): Promise<ColdRun> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = fork(workerFile, [], {
      env: {
        ...env,
        // To compare runtime flags, e.g. BENCH_COLD_NODE_OPTIONS=' ' (none) against the deployed ones.
        ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}),
        BENCH_COLD_BUNDLE: bundle.file,
        BENCH_COLD_EVENT: JSON.stringify(event),
        BENCH_COLD_FUNCTION: bundle.name,
      },
      execArgv: profileArgs('cold'),
      ...(process.env.BENCH_COLD_NODE ? { execPath: process.env.BENCH_COLD_NODE } : {}),
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

/** Function `name`'s bundle in another build's `functions` folder, if that build has it. */
const bundleIn = (dir: string, name: string): FunctionBundle | undefined => {
  const file = join(dir, name, 'index.mjs');
  if (!existsSync(file)) return undefined;
  const map = `${file}.map`;
  return {
    name,
    file,
    bytes: statSync(file).size,
    mapBytes: existsSync(map) ? statSync(map).size : 0,
  };
};

const baselineOf = (b: FunctionBundle): FunctionBundle | undefined => {
  if (!BASELINE_DIR) return BASELINE_NODE_OPTIONS !== undefined ? b : undefined;
  return bundleIn(BASELINE_DIR, b.name);
};

/** The bundles measured as "this build": the fresh build, or BENCH_COLD_BUILD's (another saved build). */
const measuredBundles = (fresh: readonly FunctionBundle[]): FunctionBundle[] =>
  BUILD_DIR_OVERRIDE ? fresh.flatMap((b) => bundleIn(BUILD_DIR_OVERRIDE, b.name) ?? []) : [...fresh];

const figures = (b: FunctionBundle, runs: readonly ColdRun[]): Omit<ColdFigures, 'name' | 'baseline'> => {
  const med = (f: (r: ColdRun) => number) => summarise(runs.map(f)).p50;
  const error = runs.find((r) => r.error)?.error;
  return {
    bytes: b.bytes,
    mapBytes: b.mapBytes,
    runs: runs.length,
    totalMs: med((r) => r.totalMs),
    totalMinMs: summarise(runs.map((r) => r.totalMs)).min,
    importMs: med((r) => r.importMs),
    firstCallMs: med((r) => r.firstCallMs),
    bootMs: med((r) => r.bootMs),
    cpuMs: med((r) => r.cpuMs),
    spawnToAnswerMs: med((r) => r.spawnToAnswerMs),
    statusCodes: runs.map((r) => r.statusCode ?? 0),
    ...(error ? { error } : {}),
  };
};

export const runCold = async (ctx: BenchContext): Promise<ColdFigures[]> => {
  if (!PHASES.has('cold')) return [];
  const bundles = measuredBundles(ctx.bundles);
  log(
    `[bench] 2. cold start (${bundles.length} functions x ${COLD_RUNS}` +
      `${BUILD_DIR_OVERRIDE ? ` of the build in ${BUILD_DIR_OVERRIDE}` : ''}` +
      `${BASELINE_DIR ? `, alternating with the baseline in ${BASELINE_DIR}` : ''}` +
      `${BASELINE_NODE_OPTIONS !== undefined ? `, baseline NODE_OPTIONS '${BASELINE_NODE_OPTIONS}'` : ''})`,
  );
  const coldRuns = new Map<string, ColdRun[]>();
  const baseRuns = new Map<string, ColdRun[]>();
  const add = (m: Map<string, ColdRun[]>, name: string, r: ColdRun) =>
    m.set(name, [...(m.get(name) ?? []), r]);
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const b of bundles.filter((f) => !ONLY || ONLY.has(f.name))) {
      // A fresh event for every process: a reused Idempotency-Key would be answered from the store.
      const once = (bundle: FunctionBundle, baseline = false) => {
        const event = coldEventFor(b.name, ctx.apiKeyId);
        if (event === undefined) return undefined;
        return baseline && BASELINE_NODE_OPTIONS !== undefined
          ? coldOnce(ctx.workers.cold, ctx.env, bundle, event, BASELINE_NODE_OPTIONS)
          : coldOnce(ctx.workers.cold, ctx.env, bundle, event);
      };
      const base = baselineOf(b);
      // The baseline goes first in every other round, so that neither side always follows the other.
      if (base && run % 2 === 0) {
        const r = await once(base, true);
        if (r) add(baseRuns, b.name, r);
      }
      const r = await once(b);
      if (r) add(coldRuns, b.name, r);
      if (base && run % 2 === 1) {
        const r2 = await once(base, true);
        if (r2) add(baseRuns, b.name, r2);
      }
    }
  }
  return bundles
    .filter((b) => coldRuns.has(b.name))
    .map((b) => {
      const base = baselineOf(b);
      const baseline = base && baseRuns.has(b.name) ? figures(base, baseRuns.get(b.name) ?? []) : undefined;
      return { name: b.name, ...figures(b, coldRuns.get(b.name) ?? []), ...(baseline ? { baseline } : {}) };
    });
};

const coldOk = (c: Omit<ColdFigures, 'name' | 'baseline'>): boolean =>
  !c.error && c.totalMs <= TARGETS.coldStartMs && c.bytes <= TARGETS.bundleBytes;

/** A column of the baseline's figures, `-` for a function the baseline does not have. */
const baselineColumn = (
  header: string,
  cell: (baseline: NonNullable<ColdFigures['baseline']>) => string,
): Column<ColdFigures> => [header, (c) => (c.baseline ? cell(c.baseline) : '-')];

export const coldTable = (cold: readonly ColdFigures[]): string => {
  const target = `<=${TARGETS.coldStartMs} ms, <=${kib(TARGETS.bundleBytes)}`;
  const withBaseline = cold.some((c) => c.baseline);
  return columnTable(
    `2. Cold start: fresh Node process to first completed request (median of ${COLD_RUNS}); production bundle size` +
      (withBaseline
        ? `; baseline ${BASELINE_DIR ?? 'the same bundles'}${BASELINE_NODE_OPTIONS !== undefined ? ` with NODE_OPTIONS '${BASELINE_NODE_OPTIONS}'` : ''} in the same rounds`
        : ''),
    cold,
    [
      ['function', (c) => c.name],
      ['total', (c) => (c.error ? 'error' : ms(c.totalMs))],
      ['min', (c) => ms(c.totalMinMs)],
      ['import', (c) => ms(c.importMs)],
      ['first call', (c) => ms(c.firstCallMs)],
      ['CPU', (c) => ms(c.cpuMs)],
      ['bundle', (c) => kib(c.bytes)],
      ...(withBaseline
        ? [
            baselineColumn('baseline total', (b) => (b.error ? 'error' : ms(b.totalMs))),
            baselineColumn('baseline CPU', (b) => ms(b.cpuMs)),
            baselineColumn('baseline bundle', (b) => kib(b.bytes)),
          ]
        : []),
      [
        `target (${target})`,
        (c) =>
          `${verdict(coldOk(c))}${c.totalMs > TARGETS.coldStartMs ? ' (time)' : ''}${c.bytes > TARGETS.bundleBytes ? ' (size)' : ''}`,
      ],
    ],
  );
};
