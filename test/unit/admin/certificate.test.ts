/** The certificate checks of `npm run admin -- org add|rotate` (tools/admin/certificate.ts), on the test certificates. */
import { describe, expect, it } from 'vitest';
import { CertificateProblem, checkCertificate, legacyPfxFix } from '../../../tools/admin/certificate.js';
import { testCertificates } from '../../certs.js';

const certs = testCertificates();

describe('certificate checks', () => {
  it('reads subject, issuer and validity from a PEM pair and from a PFX', () => {
    const pem = checkCertificate({ kind: 'pem', cert: certs.clientCert, key: certs.clientKey });
    expect(pem.subject).toContain('CN=');
    expect(pem.daysLeft).toBeGreaterThan(30);
    const pfx = checkCertificate({
      kind: 'pfx',
      pfx: certs.clientPfx,
      passphrase: certs.clientPfxPassphrase,
      file: 'client.pfx',
    });
    expect(pfx.fingerprint256).toBe(pem.fingerprint256);
  });

  it('refuses an expired certificate, one not valid yet, a key of another certificate and a wrong passphrase', () => {
    const facts = checkCertificate({ kind: 'pem', cert: certs.clientCert, key: certs.clientKey });
    const after = new Date(facts.notAfter.getTime() + 1000);
    expect(() =>
      checkCertificate({ kind: 'pem', cert: certs.clientCert, key: certs.clientKey }, after),
    ).toThrow(/expired on/);
    const before = new Date(facts.notBefore.getTime() - 1000);
    expect(() =>
      checkCertificate({ kind: 'pem', cert: certs.clientCert, key: certs.clientKey }, before),
    ).toThrow(/not valid before/);
    expect(() =>
      checkCertificate({ kind: 'pem', cert: certs.clientCert, key: certs.rogueClientKey }),
    ).toThrow(/does not match/);
    expect(() =>
      checkCertificate({ kind: 'pfx', pfx: certs.clientPfx, passphrase: 'wrong', file: 'client.pfx' }),
    ).toThrow(CertificateProblem);
  });

  it('names the openssl command that re-encrypts a legacy PFX with AES, reading the passphrase from the environment', () => {
    expect(legacyPfxFix('/tmp/college.pfx')).toBe(
      "PFX_PASSPHRASE='…' openssl pkcs12 -legacy -in '/tmp/college.pfx' -nodes -passin env:PFX_PASSPHRASE | " +
        "openssl pkcs12 -export -out '/tmp/college-aes.pfx' -passout env:PFX_PASSPHRASE " +
        '-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256',
    );
  });
});
