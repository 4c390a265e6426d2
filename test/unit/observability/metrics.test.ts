/**
 * The metrics the dashboard and the alarms read (shared/config/names.ts METRICS), as the functions write
 * them (CloudWatch EMF on stdout): names, dimension sets and values, one document per result.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS } from '../../../shared/config/names.js';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}
let lines: Emf[];

beforeEach(() => {
  lines = [];
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'verify-learner');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'LrsGateway/test');
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n'))
      if (line.startsWith('{"_aws"')) lines.push(JSON.parse(line));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const emitted = () =>
  lines.flatMap((l) =>
    l._aws.CloudWatchMetrics.map((m) => {
      const name = m.Metrics[0]?.Name ?? '';
      // Every dimension of a directive has its value in the document.
      for (const d of m.Dimensions[0] ?? []) expect(typeof l[d], d).toBe('string');
      return { name, dimensions: m.Dimensions[0], value: l[name], namespace: m.Namespace };
    }),
  );
const load = async () => (await import('../../../shared/observability/metrics.js')).appMetrics;

describe('appMetrics', () => {
  it('records an outcome by LRS code and by class, and the LRS latency', async () => {
    (await load()).outcome('verifyLearner', 'WSVL0001', 321, 'match-result');
    expect(emitted()).toEqual([
      {
        name: METRICS.lrsOutcome,
        dimensions: ['service', 'operation', 'outcome'],
        value: 1,
        namespace: 'LrsGateway/test',
      },
      {
        name: METRICS.lrsOutcomeClass,
        dimensions: ['service', 'operation', 'class'],
        value: 1,
        namespace: 'LrsGateway/test',
      },
      {
        name: METRICS.lrsDuration,
        dimensions: ['service', 'operation'],
        value: 321,
        namespace: 'LrsGateway/test',
      },
    ]);
    // One document for the three.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'verify-learner',
      operation: 'verifyLearner',
      outcome: 'WSVL0001',
      class: 'match-result',
    });
  });

  it('puts data whose dimensions disagree in documents of their own, and nothing when disabled', async () => {
    const { publishMetrics } = await import('../../../shared/observability/metrics.js');
    const datum = (operation: string) => ({
      name: 'X',
      unit: 'Count' as const,
      value: 1,
      dimensions: { operation },
    });
    publishMetrics([datum('a'), datum('b')]);
    expect(lines.map((l) => [l.operation, l.X])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    publishMetrics([datum('c')]);
    expect(lines).toHaveLength(2);
  });

  it('counts an LRS failure by kind, and as an error unless the LRS was out of hours', async () => {
    const m = await load();
    m.failure('verifyLearner', 'LRS_UNAVAILABLE', 'TIMEOUT');
    m.failure('verifyLearner', 'LRS_UNAVAILABLE', 'OUT_OF_HOURS');
    m.failure('verifyLearner', 'VALIDATION_FAILED');
    expect(emitted().map((e) => [e.name, e.dimensions?.at(-1)])).toEqual([
      [METRICS.requestFailed, 'error'],
      [METRICS.lrsUnavailable, 'reason'],
      [METRICS.lrsError, 'operation'],
      [METRICS.requestFailed, 'error'],
      [METRICS.lrsUnavailable, 'reason'],
      [METRICS.requestFailed, 'error'],
    ]);
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => METRICS.lrsUnavailable in l).map((l) => l.reason)).toEqual([
      'TIMEOUT',
      'OUT_OF_HOURS',
    ]);
  });
});
