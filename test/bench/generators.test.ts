/** The parsing benchmark's generators make answers our parser reads in full (harness correctness, no timing). */
import { describe, expect, it } from 'vitest';
import { demographicsResponseXml, plrResponseXml } from '../../bench/generators.js';
import { parseResponse } from '../../shared/lrs/soap/parse.js';

describe('parsing benchmark generators', () => {
  it('a generated PLR answer parses to 1,000 learning events', () => {
    const parsed = parseResponse('getLearningEvents', plrResponseXml(1000));
    expect(parsed.kind).toBe('response');
    if (parsed.kind !== 'response') return;
    expect(parsed.response.responseCode).toBe('WSRC0004');
    expect(parsed.response.learningEvents).toHaveLength(1000);
    expect(new Set(parsed.response.learningEvents.map((e) => e.id)).size).toBe(1000);
  });

  it('a generated learnerByDemographics answer parses to 10 possible matches', () => {
    const parsed = parseResponse('findLearnerByDemographics', demographicsResponseXml(10));
    expect(parsed.kind).toBe('response');
    if (parsed.kind !== 'response') return;
    expect(parsed.response.responseCode).toBe('WSRC0003');
    expect(parsed.response.learners).toHaveLength(10);
  });
});
