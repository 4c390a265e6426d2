/**
 * 7. The cost model: the AWS bill per 10,000 learners at eu-west-2 list prices, from this run's figures.
 * The AWS requests per learner are counted by bench/aws-meter.ts (HTTP path: phase 6; queue path: the
 * metered run of phase 4); the function's duration and CPU are measured; what is not measured is an
 * assumption named in ASSUMPTIONS and in bench/README.md. Lambda gives a function CPU in proportion to its
 * memory (one full vCPU at 1,769 MB), so the CPU part of a call stretches below that size while the wait
 * for the LRS and DynamoDB does not: the bill per learner is memory x (wait + CPU x 1769 / memory).
 */

import { STAGES } from '../../infra/config/stages.js';
import type { AwsCounts } from '../aws-meter.js';
import { table } from '../report.js';

/** eu-west-2 (London) list prices, USD. */
export const PRICES = {
  /** Lambda, Arm (the functions' architecture), per GB-second and per request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway REST API, first 333 million requests a month. */
  apiRequest: 3.7 / 1e6,
  /** DynamoDB on-demand, per write and per read request unit. */
  ddbWriteUnit: 0.7068 / 1e6,
  ddbReadUnit: 0.1413 / 1e6,
  /** SQS standard queue, per request (each 64 KiB chunk of a message is one request). */
  sqsRequest: 0.4 / 1e6,
  secretsCall: 0.05 / 10_000,
  kmsCall: 0.03 / 10_000,
} as const;

export const ASSUMPTIONS = {
  learners: 10_000,
  /** Learners one function instance serves before it is recycled (cold starts = learners / this). */
  learnersPerInstance: 1_000,
  /** An instance's life, for the caches that expire (secret cache 5 min, DynamoDB's table key 5 min). */
  instanceMinutes: 15,
  /** One secret read a cold start and one per 5 minutes after (the credentials cache). */
  secretReadsPerInstance: 3,
  /** Secrets Manager decrypts each read with the organisation's KMS key: one KMS call per read. */
  kmsPerSecretRead: 1,
  /** DynamoDB asks KMS for the table key about every 5 minutes per instance. */
  kmsTableKeyPerInstance: 3,
  /** A bulk job of this many learners: one POST and this many status reads. */
  jobLearners: 1_000,
  jobStatusReads: 20,
  /** CPU of a full vCPU here = a Lambda vCPU (1,769 MB). */
  fullCpuMemoryMb: 1769,
  /** Memory sizes compared; the smallest allowed is the handler's peak RSS with one invocation + 25 %. */
  memorySizes: [256, 384, 512, 768, 1024, 1536, 1769, 2048] as readonly number[],
  /** Cold start at a full vCPU, when phase 2 did not run (ms). */
  coldStartMs: 250,
} as const;

/** One path's measured figures per learner. */
export interface PathInput {
  readonly label: string;
  /** Billed function time per learner, ms, split into CPU and the rest (waits). */
  readonly durationMs: number;
  readonly cpuMs: number;
  /** Function invocations per learner (HTTP: 1; queue: 1 per batch). */
  readonly invocations: number;
  readonly apiRequests: number;
  readonly counts: AwsCounts;
  /** Learners the counts are for. */
  readonly learners: number;
  /** Requests counted from the code rather than by the meter (bulk job bookkeeping), per learner. */
  readonly extra?: { readonly writeUnits: number; readonly readUnits: number; readonly sqs: number };
}

export interface PathCost {
  readonly label: string;
  readonly memoryMb: number;
  readonly usd: Record<string, number>;
  readonly total: number;
  /** Per learner: DynamoDB write units, read units, SQS requests, as counted. */
  readonly perLearner: { readonly writeUnits: number; readonly readUnits: number; readonly sqs: number };
  /** CPU stretch added to each learner's function time at this memory (ms). */
  readonly addedByCpuMs: number;
}

const sumWhere = (m: Record<string, number>, keep: (k: string) => boolean): number =>
  Object.entries(m).reduce((s, [k, v]) => (keep(k) ? s + v : s), 0);

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

export const pathCost = (input: PathInput, memoryMb: number, coldStartMs: number): PathCost => {
  const a = ASSUMPTIONS;
  const n = a.learners;
  const per = (v: number) => v / input.learners;
  const cap = input.counts.capacity;
  const writeUnits = per(sumWhere(cap, (k) => !READS.has(k))) + (input.extra?.writeUnits ?? 0);
  const readUnits = per(sumWhere(cap, (k) => READS.has(k))) + (input.extra?.readUnits ?? 0);
  const sqs = per(sumWhere(input.counts.requests, (k) => k.startsWith('sqs.'))) + (input.extra?.sqs ?? 0);
  const stretch = Math.max(1, a.fullCpuMemoryMb / memoryMb);
  const addedByCpuMs = input.cpuMs * (stretch - 1);
  const gb = memoryMb / 1024;
  const instances = n / a.learnersPerInstance;
  const lambdaSeconds = (n * (input.durationMs + addedByCpuMs) + instances * coldStartMs * stretch) / 1000;
  const secretReads = instances * a.secretReadsPerInstance;
  const usd: Record<string, number> = {
    'Lambda GB-s': lambdaSeconds * gb * PRICES.lambdaGbSecond,
    'Lambda requests': n * input.invocations * PRICES.lambdaRequest,
    'API Gateway': n * input.apiRequests * PRICES.apiRequest,
    'DynamoDB writes': n * writeUnits * PRICES.ddbWriteUnit,
    'DynamoDB reads': n * readUnits * PRICES.ddbReadUnit,
    SQS: n * sqs * PRICES.sqsRequest,
    'Secrets Manager': secretReads * PRICES.secretsCall,
    KMS: (secretReads * a.kmsPerSecretRead + instances * a.kmsTableKeyPerInstance) * PRICES.kmsCall,
  };
  const total = Object.values(usd).reduce((x, y) => x + y, 0);
  return {
    label: input.label,
    memoryMb,
    usd,
    total,
    perLearner: { writeUnits, readUnits, sqs },
    addedByCpuMs,
  };
};

export interface CostFigures {
  readonly minMemoryMb: number;
  readonly deployedMemoryMb: number;
  readonly paths: ReadonlyArray<{
    readonly deployed: PathCost;
    readonly sizes: readonly PathCost[];
    readonly best: PathCost;
  }>;
}

export const costModel = (
  inputs: readonly PathInput[],
  peakRssBytes: number,
  coldStartMs: number = ASSUMPTIONS.coldStartMs,
  deployedMemoryMb = STAGES.live.functionMemoryMb,
): CostFigures => {
  const minMemoryMb = Math.ceil((peakRssBytes / 1024 / 1024) * 1.25);
  const allowed = ASSUMPTIONS.memorySizes.filter((m) => m >= minMemoryMb);
  return {
    minMemoryMb,
    deployedMemoryMb,
    paths: inputs.map((input) => {
      const sizes = allowed.map((m) => pathCost(input, m, coldStartMs));
      const best = sizes.reduce((x, y) => (y.total < x.total ? y : x), sizes[0] as PathCost);
      return { deployed: pathCost(input, deployedMemoryMb, coldStartMs), sizes, best };
    }),
  };
};

const usd = (v: number) => `$${v < 0.01 ? v.toFixed(4) : v.toFixed(3)}`;

export const costTables = (c: CostFigures): string[] => {
  const first = c.paths[0];
  if (!first) return [];
  const items = Object.keys(first.deployed.usd);
  return [
    table(
      `7. Cost per ${ASSUMPTIONS.learners.toLocaleString('en-GB')} learners, eu-west-2 list prices (USD), at the live stage's ${c.deployedMemoryMb} MB`,
      ['item', ...c.paths.map((p) => p.deployed.label)],
      [
        ...items.map((k) => [k, ...c.paths.map((p) => usd(p.deployed.usd[k] ?? 0))]),
        ['total', ...c.paths.map((p) => usd(p.deployed.total))],
        [
          'per learner: DynamoDB WRU / RRU / SQS requests',
          ...c.paths.map(
            (p) =>
              `${p.deployed.perLearner.writeUnits.toFixed(2)} / ${p.deployed.perLearner.readUnits.toFixed(2)} / ${p.deployed.perLearner.sqs.toFixed(2)}`,
          ),
        ],
      ],
    ),
    table(
      `   by memory size (smallest allowed: the handler's peak RSS with one invocation + 25 % = ${c.minMemoryMb} MB; CPU in proportion to memory, a full vCPU at ${ASSUMPTIONS.fullCpuMemoryMb} MB)`,
      ['memory', ...c.paths.flatMap((p) => [`${p.deployed.label} total`, 'CPU stretch/learner'])],
      (first.sizes ?? []).map((s, i) => [
        `${s.memoryMb} MB`,
        ...c.paths.flatMap((p) => {
          const x = p.sizes[i] as PathCost;
          return [`${usd(x.total)}${x === p.best ? ' (lowest)' : ''}`, `+${x.addedByCpuMs.toFixed(1)} ms`];
        }),
      ]),
    ),
  ];
};
