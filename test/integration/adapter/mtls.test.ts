/**
 * The adapter over real mutual TLS on loopback: a small https server that requires a client
 * certificate from the test CA and answers SOAP. Proves the certificate handling (PEM, PFX, refused
 * without it or from another CA, untrusted server), SOAPAction and paths for all 17 operations,
 * connection reuse, timeouts, resets, HTTP errors and the reload-once on a certificate failure.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LrsRejectedError, LrsUnavailableError } from '../../../shared/domain/errors.js';
import { OPERATION_IDS, OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { createLrsClient } from '../../../shared/lrs/soap/client.js';
import { parseXml } from '../../../shared/lrs/soap/xml.js';
import { testCertificates } from '../../certs.js';
import { SAMPLES } from '../../support/lrs-samples.js';
import { recorded } from '../../support/reference.js';
import { pemCreds, source } from './loopback.js';

const certs = testCertificates();
const EXACT_MATCH = recorded('wiremock/FindLearnerByDemographics__exact_match_ful.xml');
const ERROR_FUL = recorded('test-resources/error_ful.xml');

interface Seen {
  path: string;
  soapAction: string | undefined;
  contentType: string | undefined;
  rootNs: string;
  rootName: string;
  clientCn: string | undefined;
}

type Mode = 'ok' | 'hang' | 'reset' | 'fault500' | 'html503' | 'empty502';
let mode: Mode = 'ok';
const seen: Seen[] = [];
let tlsSessions = 0;

/** A minimal valid response for each operation (the content of the body element). */
const reply = (op: OperationId): string => {
  const def = OPERATIONS[op];
  if (op === 'findLearnerByDemographics' || op === 'findLearnerByUln') return EXACT_MATCH;
  let inner: string;
  if (def.service === 'LearnerService') {
    const content =
      op === 'verifyLearner'
        ? '<VerifiedLearner><SearchedULN>6936002314</SearchedULN><SearchedFamilyName>T</SearchedFamilyName><SearchedGivenName>S</SearchedGivenName><ResponseCode>WSVRC001</ResponseCode></VerifiedLearner>'
        : op === 'retrieveUlns'
          ? '<RetrievedULNs><VerifiedULN><ULN>1026893096</ULN></VerifiedULN></RetrievedULNs>'
          : '<ResponseCode>WSRC0004</ResponseCode>';
    inner = `<ns2:${def.response.name} xmlns:ns2="${def.response.ns}">${content}</ns2:${def.response.name}>`;
  } else {
    const result = def.result?.name ?? '';
    const content =
      op === 'updateLearnerSubsetFields' ? 'WSRC0006' : '<a:ResponseCode>WSRC0004</a:ResponseCode>';
    inner = `<${def.response.name} xmlns="${def.response.ns}"><${result} xmlns:a="http://api.lrs.qcf.gov.uk/model">${content}</${result}></${def.response.name}>`;
  }
  return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${inner}</s:Body></s:Envelope>`;
};

const opByRoot = new Map(
  OPERATION_IDS.map((op) => [`{${OPERATIONS[op].request.ns}}${OPERATIONS[op].request.name}`, op]),
);

let server: https.Server;
let endpoint = '';

const startServer = (options: https.ServerOptions): Promise<https.Server> =>
  new Promise((resolve) => {
    const s = https.createServer(options, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        if (mode === 'hang') return;
        if (mode === 'reset') {
          req.socket.destroy();
          return;
        }
        if (mode === 'empty502') {
          res.writeHead(502);
          res.end();
          return;
        }
        if (mode === 'html503') {
          res.writeHead(503, { 'content-type': 'text/html' });
          res.end('<html><body>Service Unavailable</body></html>');
          return;
        }
        if (mode === 'fault500') {
          res.writeHead(500, { 'content-type': 'text/xml' });
          res.end(ERROR_FUL);
          return;
        }
        const env = parseXml(body).children[0];
        const root = env?.children.find((c) => c.name === 'Body')?.children[0];
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        seen.push({
          path: req.url ?? '',
          soapAction: req.headers.soapaction as string | undefined,
          contentType: req.headers['content-type'],
          rootNs: root?.ns ?? '',
          rootName: root?.name ?? '',
          clientCn: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined,
        });
        const op = opByRoot.get(`{${root?.ns}}${root?.name}`);
        if (!op) {
          res.writeHead(500, { 'content-type': 'text/xml' });
          res.end(ERROR_FUL);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(reply(op));
      });
    });
    s.on('secureConnection', () => {
      tlsSessions++;
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });

const ctx = { organisationId: 'TEST0001', requestId: 'req-1' };
const demo = validateRequest('findLearnerByDemographics', SAMPLES.findLearnerByDemographics[1]);

beforeAll(async () => {
  server = await startServer({
    key: certs.serverKey,
    cert: certs.serverCert,
    ca: certs.caCert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  mode = 'ok';
  seen.length = 0;
});

/** What a demographics search with these credentials fails with. */
const searchWith = (credentials: Parameters<typeof createLrsClient>[0]['credentials']) =>
  createLrsClient({ endpoint, credentials })
    .call('findLearnerByDemographics', demo, ctx)
    .catch((x) => x);

/**
 * What a demographics search fails with while the server behaves as `m`; a credential version of its own
 * gives the call a fresh TLS agent, so no connection from another case is reused.
 */
const searchFailingIn = (m: Mode, version: string) => {
  mode = m;
  return searchWith(source(pemCreds({ version })));
};

describe('mutual TLS', () => {
  it('succeeds with a PEM key and certificate', async () => {
    const client = createLrsClient({ endpoint, credentials: source(pemCreds()) });
    const r = await client.call('findLearnerByDemographics', demo, ctx);
    expect(r.outcome.name).toBe('EXACT_MATCH');
    expect(r.response.learners[0]?.uln).toBe('1026893096');
    expect(r.durationMs).toBeGreaterThan(0);
    expect(seen[0]?.clientCn).toBeDefined();
  });

  it('succeeds with a PKCS#12 (PFX) and passphrase', async () => {
    const creds = pemCreds({
      certificate: { kind: 'pfx', pfx: certs.clientPfx, passphrase: certs.clientPfxPassphrase },
      version: 'pfx',
    });
    const r = await createLrsClient({ endpoint, credentials: source(creds) }).call(
      'findLearnerByDemographics',
      demo,
      ctx,
    );
    expect(r.outcome.code).toBe('WSRC0004');
  });

  it('the server refuses a TLS client without a certificate', async () => {
    const attempt = new Promise<number>((resolve, reject) => {
      const req = https.request(
        `${endpoint}/LearnerService.svc`,
        { method: 'POST', ca: certs.caCert, agent: false },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('<x/>');
    });
    await expect(attempt).rejects.toThrow();
  });

  it('the adapter is refused with no usable client certificate (non-retryable, after one reload)', async () => {
    const none = pemCreds({
      certificate: { kind: 'pem', key: Buffer.alloc(0), cert: Buffer.alloc(0) },
      version: 'none',
    });
    const creds = source(none);
    const e = await searchWith(creds);
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.lrsCode).toBe('TLS_CLIENT_CERTIFICATE_UNUSABLE');
    expect(e.retryable).toBe(false);
    expect(creds.invalidations).toBe(1);
    expect(seen).toHaveLength(0);
  });

  it('errors never carry the private key or the password (safe to log)', async () => {
    const e = await searchFailingIn('reset', 'leak');
    const dump =
      JSON.stringify(e, Object.getOwnPropertyNames(e)) +
      JSON.stringify(e.cause ?? {}, Object.getOwnPropertyNames(e.cause ?? {}));
    expect(dump).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain('abcdefghijklmnop');
    expect(Object.keys(e.cause ?? {})).not.toContain('config');
  });

  it('a client certificate from an unrelated CA is refused', async () => {
    const rogue = pemCreds({
      certificate: { kind: 'pem', key: certs.rogueClientKey, cert: certs.rogueClientCert },
      version: 'rogue',
    });
    const creds = source(rogue);
    const e = await searchWith(creds);
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.retryable).toBe(false);
    expect(seen).toHaveLength(0);
    // A TLS alert or a close inside the (TLS 1.2) handshake, depending on timing.
    expect(['TLS_CLIENT_CERTIFICATE_REJECTED', 'TLS_HANDSHAKE_REFUSED']).toContain(e.lrsCode);
    // It reloaded the credentials once before giving up.
    expect(creds.invalidations).toBe(1);
    expect(creds.loads).toBe(2);
  });

  it('a server whose certificate comes from a CA we do not trust is refused (no serverCa: public trust only)', async () => {
    const { serverCa: _omit, ...noCa } = pemCreds({ version: 'no-ca' });
    const e = await createLrsClient({ endpoint, credentials: source(noCa) })
      .call('findLearnerByDemographics', demo, ctx)
      .catch((x) => x);
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.lrsCode).toBe('TLS_SERVER_CERTIFICATE_UNTRUSTED');
    expect(e.retryable).toBe(false);
    expect(seen).toHaveLength(0);
  });

  it('a server certificate is refused when serverCa is another CA', async () => {
    const e = await createLrsClient({
      endpoint,
      credentials: source(pemCreds({ serverCa: certs.rogueCaCert, version: 'rogue-ca' })),
    })
      .call('findLearnerByDemographics', demo, ctx)
      .catch((x) => x);
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.lrsCode).toBe('TLS_SERVER_CERTIFICATE_UNTRUSTED');
  });

  it('after a certificate failure it reloads the credentials once and succeeds with the new ones', async () => {
    const rogue = pemCreds({
      certificate: { kind: 'pem', key: certs.rogueClientKey, cert: certs.rogueClientCert },
      version: 'old',
    });
    const creds = source(rogue, pemCreds({ version: 'new' }));
    const r = await createLrsClient({ endpoint, credentials: creds }).call(
      'findLearnerByDemographics',
      demo,
      ctx,
    );
    expect(r.outcome.code).toBe('WSRC0004');
    expect(creds.invalidations).toBe(1);
    expect(creds.loads).toBe(2);
  });

  it('reuses one TLS connection across calls (keep-alive)', async () => {
    const client = createLrsClient({ endpoint, credentials: source(pemCreds({ version: 'keepalive' })) });
    await client.call('findLearnerByDemographics', demo, ctx);
    const before = tlsSessions;
    for (let i = 0; i < 5; i++) await client.call('findLearnerByDemographics', demo, ctx);
    expect(tlsSessions - before).toBe(0);
  });
});

describe('concurrency', () => {
  it('serves 25 calls in flight on one client without listener leaks', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const client = createLrsClient({ endpoint, credentials: source(pemCreds({ version: 'parallel' })) });
      const results = await Promise.all(
        Array.from({ length: 25 }, () => client.call('findLearnerByDemographics', demo, ctx)),
      );
      expect(results.every((r) => r.outcome.code === 'WSRC0004')).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('connection lifetime', () => {
  it("after an earlier call's deadline has passed and the server closed the idle socket, the next call opens a new connection and succeeds", async () => {
    const client = createLrsClient({
      endpoint,
      credentials: source(pemCreds({ version: 'lifetime' })),
      timeoutMs: 150,
    });
    await client.call('findLearnerByDemographics', demo, ctx);
    await new Promise((r) => setTimeout(r, 250));
    server.closeIdleConnections();
    const before = tlsSessions;
    const r = await client.call('findLearnerByDemographics', demo, ctx);
    expect(r.outcome.code).toBe('WSRC0004');
    expect(tlsSessions - before).toBe(1);
  });
});

describe('all 17 operations on the wire', () => {
  it.each(OPERATION_IDS.map((op) => ({ op })))(
    '$op: path, SOAPAction, body root and outcome',
    async ({ op }) => {
      const client = createLrsClient({ endpoint, credentials: source(pemCreds({ version: 'all' })) });
      const request = validateRequest(op, SAMPLES[op][1]);
      const r = await client.call(op, request as never, { ...ctx, userName: 'jane.doe' });
      const def = OPERATIONS[op];
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        path: {
          LearnerService: '/LearnerService.svc',
          LearnerServiceR9: '/LearnerServiceR9.svc',
          ExternalService: '/ExternalService.svc',
        }[def.service],
        soapAction: `"${def.soapAction}"`,
        rootNs: def.request.ns,
        rootName: def.request.name,
      });
      expect(seen[0]?.contentType).toMatch(/^text\/xml/);
      expect(r.outcome.class).not.toBe('caller-error');
    },
  );
});

describe('failures', () => {
  it('a server that does not answer in time gives LrsUnavailableError TIMEOUT', async () => {
    mode = 'hang';
    const client = createLrsClient({
      endpoint,
      credentials: source(pemCreds({ version: 'timeout' })),
      timeoutMs: 300,
    });
    const t = performance.now();
    const e = await client.call('findLearnerByDemographics', demo, ctx).catch((x) => x);
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.reason).toBe('TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('a connection reset gives a retryable LrsUnavailableError', async () => {
    const e = await searchFailingIn('reset', 'reset');
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.reason).toBe('CONNECTION');
    expect(e.retryable).toBe(true);
  });

  it('an HTTP 500 with a MIAPAPIException fault gives LrsRejectedError WSEC0001', async () => {
    const e = await searchFailingIn('fault500', 'f500');
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.lrsCode).toBe('WSEC0001');
  });

  it('an HTTP 503 without a SOAP body gives a retryable HTTP_ERROR', async () => {
    const e = await searchFailingIn('html503', 'h503');
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.reason).toBe('HTTP_ERROR');
  });

  it('an HTTP 502 with no body gives a retryable HTTP_ERROR', async () => {
    const e = await searchFailingIn('empty502', 'e502');
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.reason).toBe('HTTP_ERROR');
    expect(e.message).toContain('502');
  });

  it('a refused connection gives a retryable CONNECTION error', async () => {
    const closed = `https://127.0.0.1:1`;
    const e = await createLrsClient({
      endpoint: closed,
      credentials: source(pemCreds({ version: 'refused' })),
    })
      .call('findLearnerByDemographics', demo, ctx)
      .catch((x) => x);
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.reason).toBe('CONNECTION');
  });

  it('validates before sending', async () => {
    const e = await createLrsClient({ endpoint, credentials: source(pemCreds()) })
      .call('findLearnerByDemographics', { ...demo, gender: '5' } as never, ctx)
      .catch((x) => x);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(seen).toHaveLength(0);
  });
});

describe('end-user name', () => {
  it('refuses a UserName the LRS schema would reject, naming the field, before sending', async () => {
    const e = await createLrsClient({ endpoint, credentials: source(pemCreds()) })
      .call('findLearnerByDemographics', demo, { ...ctx, userName: 'x'.repeat(36) })
      .catch((x) => x);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.issues).toEqual([expect.objectContaining({ field: 'userName', rule: 'maxLength' })]);
    expect(seen).toHaveLength(0);
  });
});
