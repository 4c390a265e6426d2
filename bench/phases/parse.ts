/** 3. Parsing: a 1,000-event PLR answer and a 10-match demographics answer, in-process. */

import { log, PHASES, QUICK } from '../harness.js';
import { runParseBenchmark } from '../parse.js';
import { kib, ms, table, verdict } from '../report.js';
import { TARGETS } from '../targets.js';

export type ParseFigures = ReturnType<typeof runParseBenchmark>;

export const runParse = (): ParseFigures | undefined => {
  if (!PHASES.has('parse')) return undefined;
  log('[bench] 3. parsing');
  return runParseBenchmark({ iterations: QUICK ? 30 : 100 });
};

export const parseTable = (parse: ParseFigures): string =>
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
  );
