/**
 * 6. The caller's wait against a realistic LRS: bench/lrs-profile.ts in front of the simulator (150 ms
 * median, a long tail, a slow spell now and then, occasional connection resets). The HTTP handler and a
 * bare client take turns; each call's wait is split into the LRS's share (the proxy's record of the
 * exchanges inside it: the answer time, and for the gateway a resent request after a reset) and the rest,
 * which is what the caller waits for the gateway (or the bare client) itself. The function's AWS requests
 * meanwhile go through the meter (bench/aws-meter.ts), for the cost model.
 */
import { kebab, OPERATIONS, type OperationId, SERVICES } from '../../shared/lrs/contract/operations.js';
import { type AwsCounts, startAwsMeter } from '../aws-meter.js';
import { type BenchContext, log, PHASES, QUICK, soapBodyOf, Worker } from '../harness.js';
import { type Exchange, REALISTIC_LRS, startShapingProxy } from '../lrs-profile.js';
import { columnTable, ms, verdict } from '../report.js';
import { sampleRequests } from '../requests.js';
import { round, type Summary, summarise } from '../stats.js';
import { TARGETS } from '../targets.js';
import type { RealisticRequest, TimedCall } from '../workers/protocol.js';

export const REALISTIC_OPERATION: OperationId = 'findLearnerByDemographics';

export interface SideFigures {
  readonly calls: number;
  readonly failed: number;
  readonly wait: Summary;
  /** The caller's wait minus the LRS's exchanges inside it, per call. */
  readonly added: Summary;
  /** Sum of added / sum of waits. */
  readonly addedShare: number;
  /** Mean function CPU per call, ms (gateway side only). */
  readonly cpuMs?: number;
}

export interface RealisticFigures {
  readonly operation: OperationId;
  readonly exchanges: { readonly count: number; readonly resets: number; readonly answer: Summary };
  readonly gateway: SideFigures;
  readonly bare: SideFigures;
  /** The function's AWS requests in a fresh process over `gatewayCalls` calls (its cold start included). */
  readonly aws: AwsCounts;
  readonly gatewayCalls: number;
}

/**
 * The LRS's share of a call: the exchanges that started within it (calls run one at a time, so an exchange
 * that started during a call is that call's), each up to its answer or reset, within the call.
 */
const lrsShare = (call: TimedCall, exchanges: readonly Exchange[]): number =>
  exchanges
    .filter((x) => x.end > 0 && x.start >= call.start && x.start <= call.end)
    .reduce((sum, x) => sum + (Math.min(x.end, call.end) - x.start), 0);

const sideFigures = (calls: readonly TimedCall[], exchanges: readonly Exchange[]): SideFigures => {
  const waits = calls.map((c) => c.end - c.start);
  const added = calls.map((c) => c.end - c.start - lrsShare(c, exchanges));
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const cpu = calls.map((c) => c.cpuMs).filter((v): v is number => v !== undefined);
  return {
    calls: calls.length,
    failed: calls.filter((c) => !c.ok).length,
    wait: summarise(waits),
    added: summarise(added),
    addedShare: sum(added) / sum(waits),
    ...(cpu.length ? { cpuMs: round(sum(cpu) / cpu.length, 3) } : {}),
  };
};

export const runRealistic = async (ctx: BenchContext): Promise<RealisticFigures | undefined> => {
  if (!PHASES.has('realistic')) return undefined;
  log('[bench] 6. realistic LRS profile (150 ms median, long tail, resets)');
  const { runtime } = ctx;
  runtime.simulator.setConditions({ latencyMs: 0 });
  const proxy = await startShapingProxy(runtime.simulator.url, REALISTIC_LRS);
  const op = REALISTIC_OPERATION;
  const def = OPERATIONS[op];
  const request = sampleRequests()[op];
  const callsOf = (env: NodeJS.ProcessEnv, warmup: number, iterations: number) => {
    const worker = new Worker('realistic', ctx.workers.realistic, { ...env, LRS_ENDPOINT: proxy.url });
    return worker
      .request<TimedCall[]>({
        kind: 'realistic',
        lrs: { ...ctx.lrs, url: proxy.url },
        apiKeyId: ctx.apiKeyId,
        functionName: kebab(op),
        bundle: ctx.bundleOf(op).file,
        op,
        request,
        soapBody: soapBodyOf(op, request),
        lrsMethod: def.lrsName,
        servicePath: SERVICES[def.service].path,
        warmup,
        iterations,
      } satisfies RealisticRequest)
      .finally(() => worker.stop());
  };
  try {
    // Timed without the meter (its extra hop would be the gateway's added time); counted after, apart.
    const calls = await callsOf(ctx.env, QUICK ? 5 : 10, QUICK ? 30 : 150);
    const first = calls[0]?.start ?? 0;
    const measured = proxy.exchanges.filter((x) => x.start >= first && x.end > 0);
    const figures = {
      operation: op,
      exchanges: {
        count: measured.length,
        resets: measured.filter((x) => x.reset).length,
        answer: summarise(measured.filter((x) => !x.reset).map((x) => x.end - x.start)),
      },
      gateway: sideFigures(
        calls.filter((c) => c.side === 'gateway'),
        proxy.exchanges,
      ),
      bare: sideFigures(
        calls.filter((c) => c.side === 'bare'),
        proxy.exchanges,
      ),
    };
    const meter = await startAwsMeter({
      dynamodb: runtime.emulators.dynamodb.url,
      sqs: runtime.emulators.sqs.url,
      secretsManager: runtime.emulators.secretsManager.url,
    });
    try {
      const counted = QUICK ? 10 : 20;
      await callsOf({ ...ctx.env, ...meter.env }, 0, counted);
      return { ...figures, aws: meter.snapshot(), gatewayCalls: counted };
    } finally {
      await meter.close();
    }
  } finally {
    await proxy.close();
  }
};

export const realisticTable = (r: RealisticFigures): string =>
  [
    columnTable(
      `6. Realistic LRS: ${r.operation} over HTTP, ${r.exchanges.count} LRS exchanges ` +
        `(answer p50 ${ms(r.exchanges.answer.p50)}, p99 ${ms(r.exchanges.answer.p99)}, max ${ms(r.exchanges.answer.max)}; ` +
        `${r.exchanges.resets} reset)`,
      (['gateway', 'bare'] as const).map((side) => ({ side, ...r[side] })),
      [
        ['side', (f) => (f.side === 'gateway' ? 'gateway (HTTP handler)' : 'bare soap client')],
        ['calls', (f) => String(f.calls)],
        ['failed', (f) => String(f.failed)],
        ['wait p50', (f) => ms(f.wait.p50)],
        ['wait p99', (f) => ms(f.wait.p99)],
        ['added p50', (f) => ms(f.added.p50)],
        ['added mean', (f) => ms(f.added.mean)],
        ['CPU/call', (f) => (f.cpuMs === undefined ? '' : ms(f.cpuMs))],
        ['added share', (f) => `${(f.addedShare * 100).toFixed(1)} %`],
        [
          'target',
          (f) =>
            f.side === 'gateway'
              ? `${verdict(f.addedShare <= TARGETS.realisticAddedShare)} (<=${TARGETS.realisticAddedShare * 100} %)`
              : '',
        ],
      ],
    ),
    "   added = the caller's wait minus the LRS exchanges inside it; a failed call is a reset the LRS client could not resend (a fresh connection: it may have reached the LRS).",
  ].join('\n');
