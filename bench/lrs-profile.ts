/**
 * A realistic LRS in front of the fast simulator: a loopback TCP proxy that holds each answer back for a
 * time drawn from a long-tailed distribution and now and then resets the connection instead of answering.
 * It works below TLS (the mutual TLS session stays end to end between the caller and the simulator), so
 * the caller sees exactly what a slow, occasionally dropping LRS would do to it, and the simulator stays
 * as it is. Every exchange (first request byte in, last answer byte out, or the reset) is recorded with
 * absolute timestamps (`performance.timeOrigin + performance.now()`, comparable across processes), so a
 * caller's wait can be split into the LRS's share and its own.
 *
 * Request boundaries: HTTP/1.1 sends one request per connection at a time, so the first TLS application
 * data record (content type 23) from the caller after the previous answer was released starts an exchange.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LrsProfile {
  /** Median of the lognormal answer time, ms. */
  readonly medianMs: number;
  /** Standard deviation of its logarithm: the body of the tail. */
  readonly sigma: number;
  /** Share of answers that take `slowMs` instead (a slow spell at the LRS). */
  readonly slowShare: number;
  readonly slowMs: readonly [number, number];
  /** Share of exchanges whose connection is reset after the answer time instead of answered. */
  readonly resetShare: number;
  readonly seed: number;
}

/** 150 ms median, p99 ~480 ms, 2 % of answers 0.8-2.5 s, 1 % of exchanges reset. */
export const REALISTIC_LRS: LrsProfile = {
  medianMs: 150,
  sigma: 0.5,
  slowShare: 0.02,
  slowMs: [800, 2500],
  resetShare: 0.01,
  seed: 16,
};

export interface Exchange {
  /** Absolute ms: the first request byte reached the proxy. */
  readonly start: number;
  /** Absolute ms: the last answer byte left for the caller, or the reset. */
  end: number;
  readonly reset: boolean;
  answered: boolean;
}

export interface ShapingProxy {
  /** https://127.0.0.1:<port>, to use instead of the simulator's URL. */
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

/** Absolute time in ms, comparable between processes on one machine. */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();

/** mulberry32: a small seeded generator, so every run draws the same answer times. */
const seeded = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

export const answerTimes = (profile: LrsProfile): (() => { delayMs: number; reset: boolean }) => {
  const random = seeded(profile.seed);
  return () => {
    const reset = random() < profile.resetShare;
    if (random() < profile.slowShare) {
      const [lo, hi] = profile.slowMs;
      return { delayMs: lo + random() * (hi - lo), reset };
    }
    // Box-Muller: a standard normal from two uniforms.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return { delayMs: profile.medianMs * Math.exp(profile.sigma * z), reset };
  };
};

const APPLICATION_DATA = 23;

export const startShapingProxy = async (
  upstreamUrl: string,
  profile: LrsProfile = REALISTIC_LRS,
): Promise<ShapingProxy> => {
  const upstream = new URL(upstreamUrl);
  const next = answerTimes(profile);
  const exchanges: Exchange[] = [];
  const sockets = new Set<Socket>();

  const onConnection = (caller: Socket) => {
    const lrs = connect(Number(upstream.port), upstream.hostname);
    sockets.add(caller);
    sockets.add(lrs);
    let current: { exchange: Exchange; released: boolean } | undefined;
    const held: Buffer[] = [];
    caller.on('data', (chunk: Buffer) => {
      if (chunk[0] === APPLICATION_DATA && (!current || current.released)) {
        const draw = next();
        const exchange: Exchange = { start: absoluteNow(), end: 0, reset: draw.reset, answered: false };
        exchanges.push(exchange);
        const state = { exchange, released: false };
        current = state;
        setTimeout(() => {
          state.released = true;
          if (draw.reset) {
            exchange.end = absoluteNow();
            held.length = 0;
            caller.resetAndDestroy();
            lrs.destroy();
            return;
          }
          // Stamped before the write, so the caller cannot have the answer before its recorded end.
          if (exchange.answered) exchange.end = absoluteNow();
          for (const b of held.splice(0)) caller.write(b);
        }, draw.delayMs).unref();
      }
      lrs.write(chunk);
    });
    lrs.on('data', (chunk: Buffer) => {
      if (current && !current.released) {
        held.push(chunk);
        current.exchange.answered = true;
        return;
      }
      if (current) {
        current.exchange.answered = true;
        current.exchange.end = absoluteNow();
      }
      caller.write(chunk);
    });
    const closeBoth = () => {
      sockets.delete(caller);
      sockets.delete(lrs);
      if (!caller.destroyed) caller.end();
      if (!lrs.destroyed) lrs.end();
    };
    caller.on('close', closeBoth);
    lrs.on('close', closeBoth);
    caller.on('error', () => lrs.destroy());
    lrs.on('error', () => caller.destroy());
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
