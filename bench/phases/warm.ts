/** 1. Warm overhead: the real handler of the production bundle vs. a bare soap client, interleaved. */
import { kebab, OPERATIONS, type OperationId, SERVICES } from '../../shared/lrs/contract/operations.js';
import { type BenchContext, log, PHASES, QUICK, soapBodyOf, Worker } from '../harness.js';
import { columnTable, ms, verdict } from '../report.js';
import { sampleRequests } from '../requests.js';
import { TARGETS } from '../targets.js';
import type { WarmCaseResult, WarmRequest } from '../workers/protocol.js';

export const runWarm = async (ctx: BenchContext): Promise<WarmCaseResult[]> => {
  if (!PHASES.has('warm')) return [];
  log('[bench] 1. warm overhead');
  const samples = sampleRequests();
  const warmCase = (label: string, op: OperationId) => ({
    label,
    functionName: kebab(op),
    bundle: ctx.bundleOf(op).file,
    op,
    request: samples[op],
    soapBody: soapBodyOf(op, samples[op]),
    lrsMethod: OPERATIONS[op].lrsName,
    servicePath: SERVICES[OPERATIONS[op].service].path,
    expectCode: 'WSRC0004',
  });
  const worker = new Worker('warm', ctx.workers.warm, ctx.env);
  try {
    return await worker.request<WarmCaseResult[]>({
      kind: 'warm',
      lrs: ctx.lrs,
      apiKeyId: ctx.apiKeyId,
      cases: [
        warmCase('learnerByDemographics', 'findLearnerByDemographics'),
        warmCase('PLR (GetLearnerLearningEvents)', 'getLearningEvents'),
      ],
      warmup: QUICK ? 30 : 100,
      iterations: QUICK ? 100 : 500,
    } satisfies WarmRequest);
  } finally {
    worker.stop();
  }
};

export const warmTable = (warm: readonly WarmCaseResult[]): string =>
  columnTable(
    '1. Warm overhead: handler (API Gateway event, validation, adapter, DynamoDB) vs. bare soap client, same simulator',
    warm.map((w) => ({ ...w, ratio: w.handler.p50 / w.bare.p50, added: w.handler.p50 - w.bare.p50 })),
    [
      ['operation', (w) => w.label],
      ['handler p50', (w) => ms(w.handler.p50)],
      ['bare p50', (w) => ms(w.bare.p50)],
      ['ratio', (w) => `${w.ratio.toFixed(2)}x`],
      ['added p50', (w) => ms(w.added)],
      ['of which store', (w) => ms(w.store.p50)],
      [
        'CPU/call: handler, bare, store',
        (w) => `${ms(w.cpuMs.handler)}, ${ms(w.cpuMs.bare)}, ${ms(w.cpuMs.store)}`,
      ],
      ['handler p99', (w) => ms(w.handler.p99)],
      ['bare p99', (w) => ms(w.bare.p99)],
      [
        'target',
        (w) =>
          `${verdict(w.ratio <= TARGETS.warmRatio && w.added <= TARGETS.warmAddedMs)} (<=${TARGETS.warmRatio}x, <=${TARGETS.warmAddedMs} ms)`,
      ],
    ],
  );
