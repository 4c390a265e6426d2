/**
 * The TLS settings of the LRS client: TLS 1.2 as the floor with 1.3 allowed, and a minimum strength of
 * the server certificate's key (RSA 2048 bits, EC P-256), as unit tests of the settings and the key
 * check, and over loopback against servers that offer only one protocol version or a weak key.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, SecureVersion } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { LrsRejectedError } from '../../../shared/domain/errors.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { createLrsClient } from '../../../shared/lrs/soap/client.js';
import { checkServerKey, LRS_TLS_SETTINGS, tlsConnection } from '../../../shared/lrs/soap/tls.js';
import { extraServerCertificate } from '../../../simulator/certs.js';
import { testCertificates } from '../../certs.js';
import { SAMPLES } from '../../support/lrs-samples.js';
import { pemCreds, source } from './loopback.js';

const certs = testCertificates();
const weakRsa = extraServerCertificate(certs, 'weak-rsa1024-server', ['rsa:1024']);
const ecP256 = extraServerCertificate(certs, 'ec-p256-server', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);

const REPLY =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ns2:FindLearnerResponse xmlns:ns2="http://api.lrs.miap.gov.uk/findmsg"><ResponseCode>WSRC0001</ResponseCode></ns2:FindLearnerResponse></s:Body></s:Envelope>';

let servers: https.Server[] = [];
const negotiated: string[] = [];

const start = (opts: {
  key?: Buffer;
  cert?: Buffer;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}): Promise<string> =>
  new Promise((resolve) => {
    const s = https.createServer(
      {
        key: opts.key ?? certs.serverKey,
        cert: opts.cert ?? certs.serverCert,
        ca: certs.caCert,
        requestCert: true,
        rejectUnauthorized: true,
        ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        // Let the server offer what the test asks for, whatever OpenSSL's default level.
        ciphers: 'DEFAULT:@SECLEVEL=0',
      },
      (req, res) => {
        negotiated.push((req.socket as import('node:tls').TLSSocket).getProtocol() ?? '');
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
          res.end(REPLY);
        });
      },
    );
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${(s.address() as AddressInfo).port}`));
  });

afterEach(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  servers = [];
  negotiated.length = 0;
});

const ctx = { organisationId: 'TEST0001', requestId: 'req-tls' };
const demo = validateRequest('findLearnerByDemographics', SAMPLES.findLearnerByDemographics[1]);
const call = (endpoint: string, version: string) =>
  createLrsClient({ endpoint, credentials: source(pemCreds({ version })), timeoutMs: 5_000 }).call(
    'findLearnerByDemographics',
    demo,
    ctx,
  );

/** The fields Node gives checkServerIdentity, read from a real certificate. */
const peer = (pem: Buffer): PeerCertificate => {
  const x = new X509Certificate(pem);
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const der = key.export({ format: 'der', type: 'spki' });
  if (key.asymmetricKeyType === 'rsa')
    return { modulus: 'AB', bits: details.modulusLength, pubkey: der } as unknown as PeerCertificate;
  if (key.asymmetricKeyType === 'ec')
    return {
      asn1Curve: details.namedCurve,
      nistCurve: 'P-256',
      bits: 256,
      pubkey: der,
    } as unknown as PeerCertificate;
  return { pubkey: der } as unknown as PeerCertificate;
};

describe('TLS settings (unit)', () => {
  it('TLS 1.2 is the floor and 1.3 is allowed', () => {
    expect(LRS_TLS_SETTINGS.minVersion).toBe('TLSv1.2');
    expect(LRS_TLS_SETTINGS.maxVersion).toBe('TLSv1.3');
    const { agent } = tlsConnection(pemCreds({ version: 'unit' }));
    const o = agent.options as https.AgentOptions;
    expect(o.minVersion).toBe('TLSv1.2');
    expect(o.maxVersion).toBe('TLSv1.3');
    expect(o.rejectUnauthorized).toBe(true);
    expect(typeof o.checkServerIdentity).toBe('function');
    agent.destroy();
  });

  it('a 1024-bit RSA server key is refused, 2048-bit RSA and EC P-256 are accepted', () => {
    expect(checkServerKey(peer(weakRsa.cert))?.message).toMatch(/1024-bit RSA key \(minimum 2048\)/);
    expect(checkServerKey(peer(certs.serverCert))).toBeUndefined();
    expect(checkServerKey(peer(ecP256.cert))).toBeUndefined();
  });

  it('a small EC key or a key of another kind is refused', () => {
    expect(
      checkServerKey({ asn1Curve: 'secp224r1', bits: 224 } as unknown as PeerCertificate)?.message,
    ).toMatch(/224-bit EC key/);
    expect(checkServerKey({} as PeerCertificate)?.message).toMatch(/cannot be read|not accepted/);
  });
});

describe('TLS over loopback', () => {
  it('talks TLS 1.3 to a server that offers only TLS 1.3', async () => {
    const endpoint = await start({ minVersion: 'TLSv1.3' });
    const r = await call(endpoint, 'tls13');
    expect(r.outcome.code).toBe('WSRC0001');
    expect(negotiated).toEqual(['TLSv1.3']);
  });

  it('talks TLS 1.2 to a server that offers only TLS 1.2', async () => {
    const endpoint = await start({ maxVersion: 'TLSv1.2' });
    const r = await call(endpoint, 'tls12');
    expect(r.outcome.code).toBe('WSRC0001');
    expect(negotiated).toEqual(['TLSv1.2']);
  });

  it('refuses a server that offers only TLS 1.1 (nothing is sent)', async () => {
    const endpoint = await start({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
    const e = await call(endpoint, 'tls11').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as { mayHaveReached?: boolean }).mayHaveReached ?? false).toBe(false);
    expect(negotiated).toEqual([]);
  });

  it('refuses a server whose certificate has a 1024-bit RSA key, before sending anything', async () => {
    const endpoint = await start({ key: weakRsa.key, cert: weakRsa.cert });
    const e = await call(endpoint, 'weak').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect((e as LrsRejectedError).lrsCode).toBe('TLS_SERVER_KEY_TOO_WEAK');
    expect((e as LrsRejectedError).retryable).toBe(false);
    expect(negotiated).toEqual([]);
  });

  it('accepts a server whose certificate has an EC P-256 key', async () => {
    const endpoint = await start({ key: ecP256.key, cert: ecP256.cert });
    const r = await call(endpoint, 'ec');
    expect(r.outcome.code).toBe('WSRC0001');
  });
});
