/**
 * The tracer's spans as X-Ray receives them: the module runs as in Lambda (trace header, daemon address)
 * and sends its subsegments over UDP to a stand-in daemon on loopback. Outside Lambda it stays out of the way.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LrsPort } from '../../../shared/ports/lrs.js';

let daemon: Socket;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (msg) => {
    // Each datagram is a JSON header line, then the segment document.
    const [, doc] = msg.toString('utf8').split('\n');
    if (doc) received.push(JSON.parse(doc));
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
});
afterAll(() => {
  daemon.close();
  vi.unstubAllEnvs();
});

const lrs = (fail: boolean): LrsPort => ({
  call: async () => {
    if (fail) throw new Error('Refused: family name Smith does not match');
    return { outcome: { code: 'WSRC0004' }, response: {}, durationMs: 5 } as never;
  },
});

const waitFor = async (predicate: () => boolean) => {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('tracer in Lambda', () => {
  it('sends one subsegment per LRS call, annotated with the operation, flagged (without the message) on failure', async () => {
    vi.resetModules();
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lrs-gateway-test-find-learner-by-uln');
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${(daemon.address() as AddressInfo).port}`);
    vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', 'IGNORE_ERROR');
    const { tracedLrs } = await import('../../../shared/observability/tracer.js');

    await tracedLrs(lrs(false)).call('findLearnerByUln', {} as never, {} as never);
    await expect(tracedLrs(lrs(true)).call('verifyLearner', {} as never, {} as never)).rejects.toThrow(
      /Refused/,
    );
    await waitFor(() => received.length >= 2);

    const ok = received.find((s) => s.name === 'LRS findLearnerByUln');
    const failed = received.find((s) => s.name === 'LRS verifyLearner');
    expect(ok).toMatchObject({
      annotations: { operation: 'findLearnerByUln' },
      trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    });
    expect(ok?.error).toBeUndefined();
    expect(failed).toMatchObject({ annotations: { operation: 'verifyLearner' }, error: true });
    expect(JSON.stringify(received)).not.toMatch(/Smith|family name/);
  });
});

describe('tracer outside Lambda', () => {
  it('passes calls straight through and sends nothing', async () => {
    vi.resetModules();
    vi.unstubAllEnvs();
    const before = received.length;
    const { tracedLrs, tracer } = await import('../../../shared/observability/tracer.js');
    expect(tracer.isTracingEnabled()).toBe(false);
    const r = await tracedLrs(lrs(false)).call('getOrganisation', {} as never, {} as never);
    expect(r.durationMs).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.length).toBe(before);
  });
});
