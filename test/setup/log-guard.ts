/**
 * Runs before every test file. The functions' structured output (Powertools log lines and EMF metric
 * lines) is kept out of the test report (set SHOW_LOGS=1 to see it) and collected instead; after the
 * file, every collected line is checked for the personal data of the simulator's seeded learners. So the
 * rule "logs carry ids, operations, codes and timings only" is checked over the whole suite, not only
 * in the tests written for it.
 */
import { afterAll, expect } from 'vitest';
import { notableLearners, verifiableLearners } from '../../simulator/seed.js';
import { personalDataIn } from '../support/output.js';

const STRUCTURED = /^\{"(level|_aws)":/;
const show = Boolean(process.env.SHOW_LOGS);
const collected: string[] = [];

const guard = (stream: NodeJS.WriteStream): void => {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (STRUCTURED.test(text)) {
      collected.push(text);
      if (!show) {
        (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
        return true;
      }
    }
    return original(chunk, ...rest);
  }) as typeof stream.write;
};

guard(process.stdout);
guard(process.stderr);

afterAll(() => {
  if (collected.length === 0) return;
  const learners = [...notableLearners(), ...verifiableLearners(1000)];
  expect(
    personalDataIn(collected.join(''), learners),
    'personal data of a seeded learner in a log line',
  ).toEqual([]);
});
