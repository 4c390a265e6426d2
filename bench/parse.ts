/**
 * Parsing benchmark: our response parser (shared/lrs/soap/parse.ts) on a 1,000-event PLR answer and on a
 * learnerByDemographics answer with 10 possible matches. In-process, after a warm-up, so the figures are
 * the steady-state cost of one parse (what a warm function pays per response).
 */
import { performance } from 'node:perf_hooks';
import { parseResponse } from '../shared/lrs/soap/parse.js';
import { demographicsResponseXml, plrResponseXml } from './generators.js';
import { type Summary, summarise } from './stats.js';

export interface ParseFigures {
  readonly plr: Summary & { readonly events: number; readonly bytes: number; readonly firstMs: number };
  readonly demographics: Summary & {
    readonly matches: number;
    readonly bytes: number;
    readonly firstMs: number;
  };
  /** Best-of-5 parse of a 4,000-event PLR over a 500-event one: 8x the events, so a linear parser is ~8x. */
  readonly scaling: { readonly smallMs: number; readonly largeMs: number; readonly ratio: number };
}

const bestOf = (run: () => void, rounds: number): number => {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return min;
};

const timeParse = (run: () => void, iterations: number, warmup: number) => {
  const t0 = performance.now();
  run();
  const firstMs = performance.now() - t0;
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    run();
    samples.push(performance.now() - s);
  }
  return { firstMs, ...summarise(samples) };
};

export const runParseBenchmark = (opts: { iterations?: number } = {}): ParseFigures => {
  const iterations = opts.iterations ?? 100;
  const plrXml = plrResponseXml(1000);
  const demoXml = demographicsResponseXml(10);
  let events = 0;
  let matches = 0;
  const plr = timeParse(
    () => {
      const r = parseResponse('getLearningEvents', plrXml);
      if (r.kind !== 'response') throw new Error(`PLR answer parsed as ${r.kind}`);
      events = r.response.learningEvents?.length ?? 0;
    },
    iterations,
    20,
  );
  const demographics = timeParse(
    () => {
      const r = parseResponse('findLearnerByDemographics', demoXml);
      if (r.kind !== 'response') throw new Error(`demographics answer parsed as ${r.kind}`);
      matches = r.response.learners?.length ?? 0;
    },
    iterations * 5,
    50,
  );
  const small = plrResponseXml(500);
  const large = plrResponseXml(4000);
  bestOf(() => parseResponse('getLearningEvents', small), 3);
  const smallMs = bestOf(() => parseResponse('getLearningEvents', small), 5);
  const largeMs = bestOf(() => parseResponse('getLearningEvents', large), 5);
  return {
    scaling: { smallMs, largeMs, ratio: largeMs / smallMs },
    plr: { ...plr, events, bytes: Buffer.byteLength(plrXml) },
    demographics: { ...demographics, matches, bytes: Buffer.byteLength(demoXml) },
  };
};
