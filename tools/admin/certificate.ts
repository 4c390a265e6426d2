/**
 * Checks an organisation's LRS client certificate before it is stored: it loads (PFX with its
 * passphrase, or PEM certificate + key), the key matches the certificate, it is valid now (and says how
 * long it has left). A PFX in the legacy encryption OpenSSL 3 no longer reads (RC2-40 / 3DES, what older
 * Windows exports produce) is named, with the exact openssl command that re-encrypts it with AES.
 * Everything stays in memory: nothing is logged or written to disk.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, TLSSocket } from 'node:tls';

export type CertificateInput =
  | { readonly kind: 'pfx'; readonly pfx: Buffer; readonly passphrase: string; readonly file: string }
  | { readonly kind: 'pem'; readonly cert: Buffer; readonly key: Buffer; readonly passphrase?: string };

export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly daysLeft: number;
  readonly fingerprint256: string;
}

/** A certificate that cannot be used, with what to do about it. */
export class CertificateProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateProblem';
  }
}

const DAY_MS = 86_400_000;

/** Subjects as `CN=…,O=…` (Node gives them one attribute per line). */
const oneLine = (dn: string): string => dn.split('\n').join(',');

/** The openssl command that turns a legacy-encrypted PFX into one OpenSSL 3 (and this gateway) reads. */
export const legacyPfxFix = (file: string): string => {
  const out = `${file.replace(/\.(pfx|p12)$/i, '')}-aes.pfx`;
  return (
    `PFX_PASSPHRASE='…' openssl pkcs12 -legacy -in '${file}' -nodes -passin env:PFX_PASSPHRASE | ` +
    `openssl pkcs12 -export -out '${out}' -passout env:PFX_PASSPHRASE ` +
    '-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256'
  );
};

const leafOfPfx = (pfx: Buffer, passphrase: string, file: string): X509Certificate => {
  let context: ReturnType<typeof createSecureContext>;
  try {
    context = createSecureContext({ pfx, passphrase });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (
      (e as { code?: string }).code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION' ||
      /unsupported/i.test(message)
    ) {
      throw new CertificateProblem(
        `${file} uses a legacy PKCS#12 encryption (RC2-40 or 3DES) that OpenSSL 3 no longer reads. ` +
          `Re-encrypt it with AES (the key never leaves the pipe), then add that file:\n  ${legacyPfxFix(file)}`,
      );
    }
    if (/mac verify failure|bad decrypt/i.test(message)) {
      throw new CertificateProblem(`${file} cannot be opened with that passphrase (wrong passphrase)`);
    }
    throw new CertificateProblem(
      `${file} cannot be loaded (not a PKCS#12 file, corrupt, or its key does not match its certificate)`,
    );
  }
  const socket = new TLSSocket(null as never, { secureContext: context });
  try {
    const raw = (socket.getCertificate() as { raw?: Buffer } | null)?.raw;
    if (!raw) throw new CertificateProblem(`${file} holds a key but no client certificate`);
    return new X509Certificate(raw);
  } finally {
    socket.destroy();
  }
};

const leafOfPem = (cert: Buffer, key: Buffer, passphrase: string | undefined): X509Certificate => {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new CertificateProblem('The certificate file is not a PEM certificate');
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey({ key, ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw new CertificateProblem(
      'The key file cannot be read (not a PEM private key, or encrypted with another passphrase)',
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CertificateProblem('The private key does not match the certificate (they are not a pair)');
  }
  return x509;
};

/** Loads and checks the certificate; throws CertificateProblem naming what is wrong and what to do. */
export const checkCertificate = (input: CertificateInput, now: Date = new Date()): CertificateFacts => {
  const x509 =
    input.kind === 'pfx'
      ? leafOfPfx(input.pfx, input.passphrase, input.file)
      : leafOfPem(input.cert, input.key, input.passphrase);
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new CertificateProblem(
      `The certificate expired on ${notAfter.toISOString()}: ask the LRS for a new one`,
    );
  }
  if (notBefore.getTime() > now.getTime()) {
    throw new CertificateProblem(`The certificate is not valid before ${notBefore.toISOString()}`);
  }
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    notBefore,
    notAfter,
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    fingerprint256: x509.fingerprint256,
  };
};
