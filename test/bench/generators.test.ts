/** The parsing benchmark's generators make answers our parser reads in full (harness correctness, no timing). */
import { describe, expect, it } from 'vitest';
import { demographicsResponseXml, plrResponseXml } from '../../bench/generators.js';
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import type { OperationResponse } from '../../shared/lrs/contract/responses.js';
import { parseResponse } from '../../shared/lrs/soap/parse.js';

/** The parsed answer, which must be a response (not a fault or an unreadable message). */
const responseTo = <K extends OperationId>(op: K, xml: string): OperationResponse<K> => {
  const parsed = parseResponse(op, xml);
  expect(parsed.kind).toBe('response');
  if (parsed.kind !== 'response') throw new Error(`expected a response, got ${parsed.kind}`);
  return parsed.response;
};

describe('parsing benchmark generators', () => {
  it('a generated PLR answer parses to 1,000 learning events', () => {
    const response = responseTo('getLearningEvents', plrResponseXml(1000));
    expect(response.responseCode).toBe('WSRC0004');
    expect(response.learningEvents).toHaveLength(1000);
    expect(new Set(response.learningEvents.map((e) => e.id)).size).toBe(1000);
  });

  it('a generated learnerByDemographics answer parses to 10 possible matches', () => {
    const response = responseTo('findLearnerByDemographics', demographicsResponseXml(10));
    expect(response.responseCode).toBe('WSRC0003');
    expect(response.learners).toHaveLength(10);
  });
});
