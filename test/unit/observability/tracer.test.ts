/**
 * The tracer's spans as X-Ray receives them: the module runs as in Lambda (trace header, daemon address)
 * and sends its subsegments over UDP to a stand-in daemon on loopback. Outside Lambda, unsampled or
 * without a trace header it sends nothing; hostile headers and daemon addresses never break a call.
 */
import { Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isTracingEnabled, traced, tracedLrs } from '../../../shared/observability/tracer.js';
import {
  DEFAULT_DAEMON,
  datagram,
  MAX_DATAGRAM_BYTES,
  parseDaemonAddress,
  parseTraceHeader,
  type SubsegmentDocument,
} from '../../../shared/observability/xray.js';
import type { LrsPort } from '../../../shared/ports/lrs.js';
import {
  type Daemon,
  HEADER_LINE,
  HEX16,
  inLambda,
  outsideLambda,
  PARENT,
  ROOT,
  startDaemon,
  traceHeader,
} from './xray-daemon.js';

let daemon: Daemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(() => daemon.close());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const lrs = (fail: boolean): LrsPort => ({
  call: async () => {
    if (fail) throw new Error('Refused: family name Smith does not match');
    return { outcome: { code: 'WSRC0004' }, response: {}, durationMs: 5 } as never;
  },
});

describe('tracer in Lambda', () => {
  it('sends one subsegment per LRS call, annotated with the operation, flagged (without the message) on failure', async () => {
    inLambda(daemon.address);
    const from = daemon.docs.length;
    const rawFrom = daemon.raw.length;
    const before = Date.now() / 1000;

    const r = await tracedLrs(lrs(false)).call('findLearnerByUln', {} as never, {} as never);
    expect(r.durationMs).toBe(5);
    await expect(tracedLrs(lrs(true)).call('verifyLearner', {} as never, {} as never)).rejects.toThrow(
      /Refused: family name Smith/,
    );
    const docs = await daemon.next(2, from);
    const after = Date.now() / 1000;

    const ok = docs.find((s) => s.name === 'LRS findLearnerByUln');
    const failed = docs.find((s) => s.name === 'LRS verifyLearner');
    expect(ok).toEqual({
      type: 'subsegment',
      id: expect.stringMatching(HEX16),
      trace_id: ROOT,
      parent_id: PARENT,
      name: 'LRS findLearnerByUln',
      namespace: 'remote',
      annotations: { operation: 'findLearnerByUln' },
      start_time: expect.any(Number),
      end_time: expect.any(Number),
    });
    expect(failed).toMatchObject({
      annotations: { operation: 'verifyLearner' },
      error: true,
      namespace: 'remote',
    });
    expect(failed).not.toHaveProperty('fault');
    expect(failed).not.toHaveProperty('cause');
    for (const d of docs) {
      expect(d.start_time as number).toBeGreaterThanOrEqual(before - 0.001);
      expect(d.end_time as number).toBeGreaterThanOrEqual(d.start_time as number);
      expect(d.end_time as number).toBeLessThanOrEqual(after + 0.001);
    }
    expect(ok?.id).not.toBe(failed?.id);
    // Each datagram: exactly the daemon's header line, a newline and one JSON document.
    for (const text of daemon.raw.slice(rawFrom)) {
      const [header, body, ...rest] = text.split('\n');
      expect(header).toBe(HEADER_LINE);
      expect(rest).toEqual([]);
      expect(() => JSON.parse(body as string)).not.toThrow();
    }
    expect(daemon.raw.slice(rawFrom).join('')).not.toMatch(/Smith|family name|Refused/);
  });

  it('reads the trace header at each span: two invocations in one process get their own trace and parent', async () => {
    const from = daemon.docs.length;
    const roots = ['1-5759e988-00000000000000000000000a', '1-5759e989-00000000000000000000000b'];
    const parents = ['00000000000000a1', '00000000000000b2'];
    for (const [i, root] of roots.entries()) {
      inLambda(daemon.address, traceHeader(root, parents[i]));
      await traced('LRS getOrganisation', 'getOrganisation', async () => i);
    }
    const docs = await daemon.next(2, from);
    expect(docs.map((d) => [d.trace_id, d.parent_id])).toEqual([
      [roots[0], parents[0]],
      [roots[1], parents[1]],
    ]);
  });

  it('keeps a send failure to itself: an unresolvable daemon host neither fails the call nor breaks later sends', async () => {
    inLambda('xray-daemon.invalid:2000');
    await expect(traced('LRS getOrganisation', 'getOrganisation', async () => 7)).resolves.toBe(7);
    await expect(traced('LRS getOrganisation', 'getOrganisation', async () => 8)).resolves.toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const from = daemon.docs.length;
    inLambda(daemon.address);
    await traced('LRS marker', 'getOrganisation', async () => 0);
    const [first] = await daemon.next(1, from);
    expect(first?.name).toBe('LRS marker');
  });

  it("takes the header from the runtime's per-invocation store when there is one (several invocations at once)", async () => {
    const g = globalThis as { awslambda?: unknown };
    const from = daemon.docs.length;
    const storeRoot = '1-5759e98a-00000000000000000000000c';
    inLambda(daemon.address, traceHeader());
    try {
      g.awslambda = { InvokeStore: { getXRayTraceId: () => traceHeader(storeRoot, '00000000000000c3') } };
      await traced('LRS getOrganisation', 'getOrganisation', async () => 0);
      g.awslambda = {
        InvokeStore: {
          getXRayTraceId: () => {
            throw new Error('no invocation');
          },
        },
      };
      await traced('LRS getOrganisation', 'getOrganisation', async () => 0);
    } finally {
      delete g.awslambda;
    }
    const docs = await daemon.next(2, from);
    expect(docs.map((d) => [d.trace_id, d.parent_id])).toEqual([
      [storeRoot, '00000000000000c3'],
      [ROOT, PARENT],
    ]);
  });

  it.each([
    ['the invocation is not sampled', () => inLambda(daemon.address, traceHeader(ROOT, PARENT, '0'))],
    ['there is no trace header', () => inLambda(daemon.address, null)],
    ['the trace header is malformed', () => inLambda(daemon.address, 'Root=1-xyz;Parent=53995c3f;Sampled=1')],
    [
      'POWERTOOLS_TRACE_ENABLED is false',
      () => {
        inLambda(daemon.address);
        vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
      },
    ],
    [
      'it runs under the SAM CLI',
      () => {
        inLambda(daemon.address);
        vi.stubEnv('AWS_SAM_LOCAL', 'true');
      },
    ],
    [
      'it runs outside Lambda (only the header and daemon set)',
      () => {
        outsideLambda();
        vi.stubEnv('_X_AMZN_TRACE_ID', traceHeader());
        vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', daemon.address);
      },
    ],
  ])('sends nothing and passes the call straight through when %s', async (_, setup) => {
    setup();
    const from = daemon.docs.length;
    const rawFrom = daemon.raw.length;
    const r = await tracedLrs(lrs(false)).call('getOrganisation', {} as never, {} as never);
    expect(r.durationMs).toBe(5);
    await expect(tracedLrs(lrs(true)).call('getOrganisation', {} as never, {} as never)).rejects.toThrow(
      /Smith/,
    );
    // A sampled span sent after them is the first thing the daemon receives.
    vi.unstubAllEnvs();
    inLambda(daemon.address);
    await traced('LRS marker', 'getOrganisation', async () => 0);
    const [first] = await daemon.next(1, from);
    expect(first?.name).toBe('LRS marker');
    expect(daemon.raw.length).toBe(rawFrom + 1);
  });

  it('is off outside Lambda, as Powertools decided it', () => {
    outsideLambda();
    expect(isTracingEnabled()).toBe(false);
    inLambda(daemon.address);
    expect(isTracingEnabled()).toBe(true);
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_amplify-mock');
    expect(isTracingEnabled()).toBe(false);
  });
});

describe('trace header and daemon address', () => {
  it('parses the runtime header, keeping Lineage for downstream calls and dropping what could break it', () => {
    expect(parseTraceHeader(traceHeader())).toEqual({
      root: ROOT,
      parent: PARENT,
      sampled: true,
      extra: ';Lineage=a87bd80c:1|68fd508a:5',
    });
    expect(parseTraceHeader(`Root=${ROOT}; Parent=${PARENT}; Sampled=0; Self=1-abc; Evil=a\nb`)).toEqual({
      root: ROOT,
      parent: PARENT,
      sampled: false,
      extra: '',
    });
    expect(parseTraceHeader(`Root=${ROOT};Sampled=1`)).toBeUndefined();
    expect(parseTraceHeader(`Root=${ROOT.toUpperCase()};Parent=${PARENT};Sampled=1`)).toBeUndefined();
    expect(parseTraceHeader('')).toBeUndefined();
  });

  it('reads host:port and the tcp/udp form, defaults when unset, refuses anything else', () => {
    expect(parseDaemonAddress('169.254.79.129:2000')).toEqual({ host: '169.254.79.129', port: 2000 });
    expect(parseDaemonAddress('tcp:127.0.0.1:2001 udp:127.0.0.2:2002')).toEqual({
      host: '127.0.0.2',
      port: 2002,
    });
    expect(parseDaemonAddress('udp:xray.local:2002 tcp:xray.local:2001')).toEqual({
      host: 'xray.local',
      port: 2002,
    });
    expect(parseDaemonAddress(undefined)).toEqual(DEFAULT_DAEMON);
    expect(parseDaemonAddress('  ')).toEqual(DEFAULT_DAEMON);
    for (const bad of [
      '127.0.0.1',
      ':2000',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '127.0.0.1:20a0',
      '256.1.1.1:2000',
      '::1:2000',
      'udp:127.0.0.1:2000',
      'udp:127.0.0.1:2000 udp:127.0.0.1:2001',
      'tcp:127.0.0.1:2000 udp:127.0.0.1',
      'a:1 b:2 c:3',
      'host name:2000',
    ]) {
      expect(parseDaemonAddress(bad), bad).toBeUndefined();
    }
  });

  const headerParts = fc.oneof(
    fc.string(),
    fc.constantFrom(`Root=${ROOT}`, `Parent=${PARENT}`, 'Sampled=1', 'Sampled=0', 'Lineage=1:ab:0', '=', ';'),
    fc
      .tuple(fc.constantFrom('Root', 'Parent', 'Sampled', 'Lineage', 'Self'), fc.string())
      .map(([k, v]) => `${k}=${v}`),
  );
  const hostileHeader = fc.oneof(
    fc.string(),
    fc.array(headerParts, { maxLength: 6 }).map((p) => p.join(';')),
    fc.string().map((tail) => `${traceHeader()};${tail}`),
  );
  const hostilePort = fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), fc.string({ maxLength: 6 }));
  const hostileHost = fc.oneof(fc.ipV4(), fc.domain(), fc.ipV6(), fc.string({ maxLength: 12 }));
  const hostileAddress = fc.oneof(
    fc.string(),
    fc
      .tuple(fc.oneof(fc.ipV4(), fc.domain()), fc.integer({ min: 1, max: 65535 }))
      .map(([h, p]) => `${h}:${p}`),
    fc.tuple(hostileHost, hostilePort).map(([h, p]) => `${h}:${p}`),
    fc
      .tuple(hostileHost, hostilePort, hostileHost, hostilePort, fc.boolean())
      .map(([h1, p1, h2, p2, swap]) =>
        swap ? `udp:${h1}:${p1} tcp:${h2}:${p2}` : `tcp:${h1}:${p1} udp:${h2}:${p2}`,
      ),
  );

  it('never throws on a hostile header or address, and yields only well-formed ids and addresses', () => {
    fc.assert(
      fc.property(hostileHeader, hostileAddress, (header, address) => {
        const trace = parseTraceHeader(header);
        if (trace) {
          expect(trace.root).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
          expect(trace.parent).toMatch(HEX16);
          expect(trace.extra).toMatch(/^(;[A-Za-z][\w-]*=[\w:|.-]*)*$/);
        }
        const parsed = parseDaemonAddress(address);
        if (parsed && address.trim() !== '') {
          expect(address).toContain(`${parsed.host}:${parsed.port}`);
          expect(Number.isInteger(parsed.port) && parsed.port >= 1 && parsed.port <= 65535).toBe(true);
          expect(parsed.host).toMatch(/^[A-Za-z0-9.-]+$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('with a hostile header and daemon address, a traced call still returns its own result and sends only to the parsed address', async () => {
    // The socket's send is replaced here so that no datagram leaves for a generated host.
    const sends: { port: number; host: string; doc: SubsegmentDocument }[] = [];
    vi.spyOn(Socket.prototype, 'send').mockImplementation(function (this: Socket, ...args: unknown[]) {
      const [msg, port, host] = args as [Buffer, number, string];
      sends.push({ port, host, doc: JSON.parse(msg.toString('utf8').split('\n')[1] as string) });
    });
    let sentRuns = 0;
    await fc.assert(
      fc.asyncProperty(hostileHeader, hostileAddress, fc.boolean(), async (header, address, fail) => {
        inLambda(address, header);
        sends.length = 0;
        const call = traced('LRS getOrganisation', 'getOrganisation', async () => {
          if (fail) throw new Error('boom');
          return 42;
        });
        if (fail) await expect(call).rejects.toThrow('boom');
        else await expect(call).resolves.toBe(42);
        const parsed = parseDaemonAddress(address);
        const trace = parseTraceHeader(header);
        expect(sends.length).toBe(parsed && trace?.sampled ? 1 : 0);
        sentRuns += sends.length;
        for (const s of sends) {
          expect({ host: s.host, port: s.port }).toEqual(parsed);
          expect(s.doc).toMatchObject({ trace_id: trace?.root, parent_id: trace?.parent });
        }
      }),
      { numRuns: 300 },
    );
    // A good part of the runs did send: the property is not checked on a vacuous handful.
    expect(sentRuns).toBeGreaterThan(10);
  });
});

describe('datagram', () => {
  const doc = (over: Partial<SubsegmentDocument>): SubsegmentDocument => ({
    type: 'subsegment',
    id: '0123456789abcdef',
    trace_id: ROOT,
    parent_id: PARENT,
    name: 'LRS getOrganisation',
    start_time: 1,
    end_time: 2,
    ...over,
  });

  it('stays under the daemon limit: a too-large document loses its optional fields, names are cut at 200', () => {
    const big = datagram(doc({ annotations: { operation: 'x'.repeat(70_000) }, error: true }));
    expect(big?.length).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
    const sent = JSON.parse(big?.toString('utf8').split('\n')[1] as string);
    expect(sent).toEqual(doc({ error: true }));
    const named = JSON.parse(
      datagram(doc({ name: 'n'.repeat(300) }))
        ?.toString()
        .split('\n')[1] as string,
    );
    expect(named.name).toHaveLength(200);
    expect(datagram(doc({}))?.toString()).toBe(`${HEADER_LINE}\n${JSON.stringify(doc({}))}`);
  });
});
