/**
 * A broken or hostile LRS stand-in on loopback (mutual TLS, real sockets): redirects to plain HTTP and
 * to another HTTPS server, a gzip bomb, a 50 MB body (declared and chunked), 200 KB bodies built to
 * stall regular expressions, a slow drip and an endless body. Each is refused within the call deadline
 * with bounded memory (the peak RSS over the call is sampled), and the redirect targets record that
 * nothing, and never the organisation's password, reached them.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, LrsRejectedError, LrsUnavailableError } from '../../../shared/domain/errors.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { createLrsClient } from '../../../shared/lrs/soap/client.js';
import { parseResponse } from '../../../shared/lrs/soap/parse.js';
import { testCertificates } from '../../certs.js';
import { SAMPLES } from '../../support/lrs-samples.js';
import { pour } from '../../support/net.js';
import { MTLS_SERVER_OPTIONS, pemCreds, source } from './loopback.js';

const certs = testCertificates();
const PASSWORD = pemCreds().orgPassword;
const DEADLINE_MS = 3_000;
/** Generous, but far below what any of these answers would take if read whole (50 MB to 300 MB). */
const MEMORY_BOUND_BYTES = 96 * 1024 * 1024;

const ENVELOPE_HEAD =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ns2:FindLearnerResponse xmlns:ns2="http://api.lrs.miap.gov.uk/findmsg"><ResponseCode>WSRC0001</ResponseCode><FamilyName>';

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let behaviour: Behaviour = (_req, res) => res.end();

/** What the redirect targets received: raw request bytes. */
const received: { target: string; bytes: string }[] = [];
const recordOn = (name: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  let bytes = `${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`;
  req.setEncoding('utf8');
  req.on('data', (d: string) => {
    bytes += d;
  });
  req.on('end', () => {
    received.push({ target: name, bytes });
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(`${ENVELOPE_HEAD}Attacker</FamilyName></ns2:FindLearnerResponse></s:Body></s:Envelope>`);
  });
};

let lrs: https.Server;
let plainTarget: http.Server;
let tlsTarget: https.Server;
let endpoint = '';
let plainUrl = '';
let tlsUrl = '';
let bomb: Buffer;

const listen = (s: http.Server | https.Server): Promise<number> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

/** About 300 MB of XML text, gzipped to a few hundred KB. */
const makeBomb = (): Promise<Buffer> =>
  new Promise((resolve) => {
    const gz = createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on('data', (d: Buffer) => parts.push(d));
    gz.on('end', () => resolve(Buffer.concat(parts)));
    gz.write(ENVELOPE_HEAD);
    pour(gz, Buffer.alloc(1024 * 1024, 'A'), 300, () =>
      gz.end('</FamilyName></ns2:FindLearnerResponse></s:Body></s:Envelope>'),
    );
  });

beforeAll(async () => {
  bomb = await makeBomb();
  lrs = https.createServer(MTLS_SERVER_OPTIONS, (req, res) => {
    req.resume();
    req.on('end', () => behaviour(req, res));
  });
  plainTarget = http.createServer(recordOn('http'));
  tlsTarget = https.createServer({ key: certs.serverKey, cert: certs.serverCert }, recordOn('https'));
  endpoint = `https://127.0.0.1:${await listen(lrs)}`;
  plainUrl = `http://127.0.0.1:${await listen(plainTarget)}`;
  tlsUrl = `https://127.0.0.1:${await listen(tlsTarget)}`;
});

afterAll(() => {
  for (const s of [lrs, plainTarget, tlsTarget]) {
    s.closeAllConnections();
    s.close();
  }
});

beforeEach(() => {
  received.length = 0;
});

const ctx = { organisationId: 'TEST0001', requestId: 'req-hostile' };
const demo = validateRequest('findLearnerByDemographics', SAMPLES.findLearnerByDemographics[1]);

/** One call with the deadline; returns the error, the time it took and the peak RSS growth during it. */
const attempt = async (version: string): Promise<{ error: unknown; ms: number; peakGrowth: number }> => {
  const client = createLrsClient({
    endpoint,
    credentials: source(pemCreds({ version })),
    timeoutMs: DEADLINE_MS,
  });
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  const t = performance.now();
  const error = await client.call('findLearnerByDemographics', demo, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - t;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { error, ms, peakGrowth: peak - base };
};

describe('redirects are never followed', () => {
  for (const status of [301, 302, 307] as const) {
    for (const to of ['http', 'https'] as const) {
      it(`HTTP ${status} to ${to}: a configuration error naming the status; the target receives nothing`, async () => {
        behaviour = (_req, res) => {
          res.writeHead(status, { location: `${to === 'http' ? plainUrl : tlsUrl}/LearnerService.svc` });
          res.end();
        };
        const { error, ms } = await attempt(`redirect-${status}-${to}`);
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toContain(`HTTP ${status}`);
        expect((error as ConfigurationError).retryable).toBe(false);
        expect(ms).toBeLessThan(DEADLINE_MS);
        // Give a follower time to have connected, then check what the targets saw.
        await new Promise((r) => setTimeout(r, 100));
        expect(received).toEqual([]);
        expect(received.map((r) => r.bytes).join('')).not.toContain(PASSWORD);
      });
    }
  }

  it('the targets do record what reaches them (the check above can fail)', async () => {
    await new Promise<void>((resolve) => {
      const r = http.request(`${plainUrl}/x`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      r.end(`<OrgPassword>${PASSWORD}</OrgPassword>`);
    });
    expect(received.map((r) => r.bytes).join('')).toContain(PASSWORD);
  });

  it('only https: endpoints are accepted', () => {
    expect(() => createLrsClient({ endpoint: plainUrl, credentials: source(pemCreds()) })).toThrow(
      ConfigurationError,
    );
  });
});

/** A 200 XML answer, its body written by `write` after the head. */
const xmlAnswer =
  (write: (res: http.ServerResponse) => void, headers: http.OutgoingHttpHeaders = {}): Behaviour =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', ...headers });
    write(res);
  };

/** Answers too large to read whole, and the code each is refused with. */
const TOO_LARGE: { what: string; version: string; lrsCode: string; answer: () => Behaviour }[] = [
  {
    what: 'a gzip bomb (300 MB of text in a few hundred KB) stops at the decompressed limit',
    version: 'bomb',
    lrsCode: 'RESPONSE_DECOMPRESSED_TOO_LARGE',
    answer: () => xmlAnswer((res) => res.end(bomb), { 'content-encoding': 'gzip' }),
  },
  {
    what: 'a 50 MB body with its Content-Length is refused before reading',
    version: '50mb-declared',
    lrsCode: 'RESPONSE_TOO_LARGE',
    answer: () => {
      const body = Buffer.alloc(50 * 1024 * 1024, 'A');
      return xmlAnswer((res) => res.end(body), { 'content-length': body.length });
    },
  },
  {
    what: 'a 50 MB chunked body (no Content-Length) stops at the size limit',
    version: '50mb-chunked',
    lrsCode: 'RESPONSE_TOO_LARGE',
    answer: () =>
      xmlAnswer((res) => {
        res.write(ENVELOPE_HEAD);
        pour(res, Buffer.alloc(1024 * 1024, 'A'), 50, () => res.end());
      }),
  },
  {
    what: 'an endless body stops at the size limit',
    version: 'endless',
    lrsCode: 'RESPONSE_TOO_LARGE',
    answer: () =>
      xmlAnswer((res) => {
        res.write(ENVELOPE_HEAD);
        pour(res, Buffer.alloc(64 * 1024, 'A'), Number.POSITIVE_INFINITY);
      }),
  },
];

describe('limits on the answer', () => {
  it('the gzip bomb is a few hundred KB on the wire', () => {
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
  });

  for (const { what, version, lrsCode, answer } of TOO_LARGE) {
    it(`${what}: refused for good, within the deadline, in bounded memory`, async () => {
      behaviour = answer();
      const { error, ms, peakGrowth } = await attempt(version);
      expect(error).toBeInstanceOf(LrsRejectedError);
      expect((error as LrsRejectedError).lrsCode).toBe(lrsCode);
      expect((error as LrsRejectedError).retryable).toBe(false);
      expect(ms).toBeLessThan(DEADLINE_MS);
      expect(peakGrowth).toBeLessThan(MEMORY_BOUND_BYTES);
    });
  }

  it('a slow drip (one byte every 50 ms, forever) ends at the call deadline', async () => {
    behaviour = xmlAnswer((res) => {
      const timer = setInterval(() => {
        if (res.destroyed) clearInterval(timer);
        else res.write('<');
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const { error, ms } = await attempt('drip');
    expect(error).toBeInstanceOf(LrsUnavailableError);
    expect((error as LrsUnavailableError).reason).toBe('TIMEOUT');
    // The request was written: the LRS may have received it.
    expect((error as LrsUnavailableError).mayHaveReached).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
  });

  it('a charset other than UTF-8 is refused', async () => {
    behaviour = xmlAnswer(
      (res) => res.end(`${ENVELOPE_HEAD}X</FamilyName></ns2:FindLearnerResponse></s:Body></s:Envelope>`),
      { 'content-type': 'text/xml; charset=iso-8859-1' },
    );
    const { error } = await attempt('charset');
    expect((error as LrsRejectedError).lrsCode).toBe('RESPONSE_CHARSET_UNSUPPORTED');
  });
});

/** Bodies of 200 KB shaped to make backtracking regular expressions (soap's included) take seconds. */
const PATHOLOGICAL: Record<string, string> = {
  // soap's envelope clean-up: /<([^:]*):Envelope([\S\s]*)<\/\1:Envelope>/ backtracks on every start.
  'unclosed envelopes': `<?xml version="1.0"?>${'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'.repeat(3200)}`,
  'no colon after many <': `<${'<'.repeat(200 * 1024)}`,
  // An attribute-matching regex with a greedy name part backtracks on a long run without `=`.
  'one endless attribute name': `<s:Envelope ${'a'.repeat(200 * 1024)}>`,
  'many entity starts': `${ENVELOPE_HEAD}${'&amp'.repeat(50 * 1024)}</FamilyName>`,
  'deep nesting': `${ENVELOPE_HEAD}${'<a>'.repeat(65 * 1024)}`,
};

describe('200 KB bodies that stall regular expressions', () => {
  for (const [name, body] of Object.entries(PATHOLOGICAL)) {
    it(`${name}: the parser refuses it as malformed, well within the call deadline`, () => {
      expect(body.length).toBeGreaterThanOrEqual(190 * 1024);
      const t = performance.now();
      const r = parseResponse('findLearnerByDemographics', body);
      expect(r.kind).toBe('unexpected');
      // Linear work on 200 KB takes milliseconds; soap's backtracking clean-up takes minutes here.
      expect(performance.now() - t).toBeLessThan(DEADLINE_MS);
    });

    it(`${name}: the call is refused within the deadline`, async () => {
      behaviour = xmlAnswer((res) => res.end(body));
      const { error, ms, peakGrowth } = await attempt(`regex-${name}`);
      expect(error).toBeInstanceOf(LrsUnavailableError);
      expect((error as LrsUnavailableError).reason).toBe('HTTP_ERROR');
      expect(ms).toBeLessThan(DEADLINE_MS);
      expect(peakGrowth).toBeLessThan(MEMORY_BOUND_BYTES);
    });
  }
});
