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

interface AnswerFigures {
  readonly bytes: number;
  readonly p50: number;
  readonly p99: number;
  readonly firstMs: number;
}

const answerRow = (label: string, f: AnswerFigures, result: string, target: string): string[] => [
  label,
  kib(f.bytes),
  ms(f.p50),
  ms(f.p99),
  ms(f.firstMs),
  result,
  target,
];

export const parseTable = (parse: ParseFigures): string =>
  table(
    '3. Parsing (shared/lrs/soap/parse.ts, warm, in-process)',
    ['answer', 'size', 'p50', 'p99', 'first', 'result', 'target'],
    [
      answerRow(
        'PLR, 1,000 learning events',
        parse.plr,
        `${parse.plr.events} events`,
        `${verdict(parse.plr.p50 <= TARGETS.plrParseMs)} (<=${TARGETS.plrParseMs} ms)`,
      ),
      answerRow(
        'learnerByDemographics, 10 matches',
        parse.demographics,
        `${parse.demographics.matches} learners`,
        '',
      ),
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
