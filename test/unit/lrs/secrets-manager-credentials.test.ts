import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  organisationSecretSchema,
  SecretsManagerCredentialsSource,
} from '../../../shared/adapters/secrets-manager-credentials.js';
import { ConfigurationError } from '../../../shared/domain/errors.js';
import { testCertificates } from '../../certs.js';

const certs = testCertificates();
const sm = mockClient(SecretsManagerClient);

const pemSecret = {
  ukprn: 'TEST0001',
  orgPassword: 'abcdefghijklmnop',
  userName: 'mis-service',
  vendorId: 1234,
  certificate: { pem: { key: certs.clientKey.toString(), cert: certs.clientCert.toString() } },
  serverCa: certs.caCert.toString(),
};

const source = (now = () => 1_000) =>
  new SecretsManagerCredentialsSource({
    client: new SecretsManagerClient({ region: 'eu-west-2' }),
    secretPrefix: 'lrs-gateway/test/org/',
    cacheTtlMs: 60_000,
    now,
  });

/** What loading TEST0001 fails with when its secret holds `secret` (a fresh source, nothing cached). */
const refusalOf = (secret: unknown) => {
  sm.reset();
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
  return source()
    .get('TEST0001')
    .catch((x) => x);
};

beforeEach(() => {
  sm.reset();
});

describe('SecretsManagerCredentialsSource', () => {
  it('loads the organisation secret by prefix + id and returns Buffers and the certificate expiry', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'lrs-gateway/test/org/TEST0001' }).resolves({
      SecretString: JSON.stringify(pemSecret),
      VersionId: 'v-1',
    });
    const c = await source().get('TEST0001');
    expect(c).toMatchObject({
      organisationId: 'TEST0001',
      ukprn: 'TEST0001',
      vendorId: 1234,
      version: 'v-1',
    });
    expect(c.certificate.kind).toBe('pem');
    if (c.certificate.kind === 'pem') {
      expect(Buffer.isBuffer(c.certificate.key)).toBe(true);
      expect(Buffer.isBuffer(c.certificate.cert)).toBe(true);
    }
    expect(Buffer.isBuffer(c.serverCa)).toBe(true);
    expect(c.certificateNotAfter?.getTime()).toBeGreaterThan(Date.now());
  });

  it('accepts a base64 PFX with passphrase and a vendor id given as digits', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        organisationRef: 'ABC123',
        orgPassword: 'abcdefghijklmnop',
        userName: 'svc',
        vendorId: '77',
        certificate: { pfx: certs.clientPfx.toString('base64'), passphrase: certs.clientPfxPassphrase },
      }),
    });
    const c = await source().get('ABC123');
    expect(c.vendorId).toBe(77);
    expect(c.certificate).toMatchObject({ kind: 'pfx', passphrase: certs.clientPfxPassphrase });
    if (c.certificate.kind === 'pfx') expect(c.certificate.pfx.equals(certs.clientPfx)).toBe(true);
    // notAfter read from inside the PKCS#12, the same as the PEM copy of the certificate says.
    const { X509Certificate } = await import('node:crypto');
    expect(c.certificateNotAfter?.getTime()).toBe(
      new Date(new X509Certificate(certs.clientCert).validTo).getTime(),
    );
  });

  it('refuses a PFX with the wrong passphrase and a key that does not match its certificate, never echoing them', async () => {
    const e1 = await refusalOf({
      ...pemSecret,
      certificate: { pfx: certs.clientPfx.toString('base64'), passphrase: 'wrong-passphrase-xyz' },
    });
    expect(e1).toBeInstanceOf(ConfigurationError);
    expect(e1.message).toContain('certificate.pfx/passphrase');
    expect(e1.message).not.toContain('wrong-passphrase-xyz');
    const e2 = await refusalOf({
      ...pemSecret,
      certificate: { pem: { key: certs.rogueClientKey.toString(), cert: certs.clientCert.toString() } },
    });
    expect(e2).toBeInstanceOf(ConfigurationError);
    expect(e2.message).toContain('certificate.pem');
    expect(e2.message).not.toContain('PRIVATE KEY');
  });

  it('caches, and reloads once after invalidate()', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(pemSecret), VersionId: 'v-1' });
    const s = source();
    await s.get('TEST0001');
    await s.get('TEST0001');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    s.invalidate('TEST0001');
    await s.get('TEST0001');
    await s.get('TEST0001');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reloads after the cache TTL', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(pemSecret) });
    let t = 0;
    const s = source(() => t);
    await s.get('TEST0001');
    t = 61_000;
    await s.get('TEST0001');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('names the bad field and never the value', async () => {
    const e = await refusalOf({ ...pemSecret, orgPassword: 'short-secret-pw' });
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toContain('orgPassword');
    expect(e.message).not.toContain('short-secret-pw');
  });

  it('requires a UKPRN or an organisation reference, and a certificate of a known shape', () => {
    const { ukprn: _u, ...noId } = pemSecret;
    expect(organisationSecretSchema.safeParse(noId).success).toBe(false);
    expect(organisationSecretSchema.safeParse({ ...pemSecret, certificate: { der: 'x' } }).success).toBe(
      false,
    );
    expect(organisationSecretSchema.safeParse(pemSecret).success).toBe(true);
  });

  it('a missing secret or non-JSON secret is a ConfigurationError, and failures are not cached', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(
      Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }),
    );
    const s = source();
    const e = await s.get('TEST0001').catch((x) => x);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toContain('ResourceNotFoundException');
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'not json' });
    await expect(s.get('TEST0001')).rejects.toThrow(/not JSON/);
  });

  it('refuses an organisation id that could reach another secret', async () => {
    await expect(source().get('../other')).rejects.toBeInstanceOf(ConfigurationError);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
