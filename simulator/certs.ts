/**
 * Generates the certificates the simulator and the local runtime use: a simulator CA, a server
 * certificate for localhost/127.0.0.1, a client certificate signed by that CA (PEM and PKCS#12), and
 * a client certificate from an unrelated CA (to prove it is refused). Generated on first use with the
 * openssl CLI, never committed. Regenerated when missing or within 7 days of expiry.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertificateSet {
  readonly dir: string;
  readonly caCert: Buffer;
  readonly serverKey: Buffer;
  readonly serverCert: Buffer;
  readonly clientKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientPfx: Buffer;
  readonly clientPfxPassphrase: string;
  /** A client certificate signed by a CA the simulator does not trust. */
  readonly rogueClientKey: Buffer;
  readonly rogueClientCert: Buffer;
  readonly rogueCaCert: Buffer;
}

export const CLIENT_PFX_PASSPHRASE = 'lrs-gateway-local';
const FILES = [
  'ca.crt',
  'server.key',
  'server.crt',
  'client.key',
  'client.crt',
  'client.pfx',
  'rogue-ca.crt',
  'rogue-client.key',
  'rogue-client.crt',
] as const;

const openssl = (cwd: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

const stillValid = (dir: string): boolean => {
  if (!FILES.every((f) => existsSync(join(dir, f)))) return false;
  try {
    const soonest = ['ca.crt', 'server.crt', 'client.crt'].map((f) =>
      new Date(new X509Certificate(readFileSync(join(dir, f))).validTo).getTime(),
    );
    return Math.min(...soonest) > Date.now() + 7 * 24 * 3600 * 1000;
  } catch {
    return false;
  }
};

/** The extensions of a server certificate for localhost and 127.0.0.1. */
const SERVER_EXT = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';

/** The words of an openssl command line (file names and options here never hold a space). */
const words = (line: string): string[] => line.trim().split(/\s+/);

/** `openssl req`: a new unencrypted key `<name>.key` for `subject`, written with `options` to `out`. */
const newKey = (dir: string, name: string, subject: string, out: string, options: readonly string[]): void =>
  openssl(dir, ['req', ...options, '-nodes', '-keyout', `${name}.key`, '-out', out, '-subj', subject]);

/** Issues `<name>.key` + `<name>.crt` in `dir`, signed by `<ca>.crt`/`<ca>.key` there (openssl). */
export const issue = (
  dir: string,
  ca: string,
  name: string,
  subject: string,
  ext: string,
  newkey: readonly string[] = ['rsa:2048'],
): void => {
  writeFileSync(join(dir, `${name}.ext`), ext);
  newKey(dir, name, subject, `${name}.csr`, ['-newkey', ...newkey]);
  openssl(
    dir,
    words(
      `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -CAcreateserial -out ${name}.crt -days 825 -sha256 -extfile ${name}.ext`,
    ),
  );
};

const makeCa = (dir: string, name: string, subject: string): void =>
  newKey(dir, name, subject, `${name}.crt`, words('-x509 -newkey rsa:2048 -days 3650 -sha256'));

/** Returns the certificate set in `dir`, generating it first when missing or near expiry. */
export const ensureCertificates = (dir: string): CertificateSet => {
  if (!stillValid(dir)) {
    mkdirSync(dir, { recursive: true });
    makeCa(dir, 'ca', '/CN=LRS Simulator Test CA');
    issue(dir, 'ca', 'server', '/CN=localhost', SERVER_EXT);
    issue(dir, 'ca', 'client', '/CN=lrs-gateway-local', 'extendedKeyUsage=clientAuth\n');
    openssl(
      dir,
      words(
        `pkcs12 -export -inkey client.key -in client.crt -certfile ca.crt -out client.pfx -passout pass:${CLIENT_PFX_PASSPHRASE}`,
      ),
    );
    makeCa(dir, 'rogue-ca', '/CN=Unrelated CA');
    issue(dir, 'rogue-ca', 'rogue-client', '/CN=rogue-client', 'extendedKeyUsage=clientAuth\n');
  }
  const read = (f: (typeof FILES)[number]) => readFileSync(join(dir, f));
  return {
    dir,
    caCert: read('ca.crt'),
    serverKey: read('server.key'),
    serverCert: read('server.crt'),
    clientKey: read('client.key'),
    clientCert: read('client.crt'),
    clientPfx: read('client.pfx'),
    clientPfxPassphrase: CLIENT_PFX_PASSPHRASE,
    rogueClientKey: read('rogue-client.key'),
    rogueClientCert: read('rogue-client.crt'),
    rogueCaCert: read('rogue-ca.crt'),
  };
};

/**
 * A further server certificate for localhost/127.0.0.1 signed by the set's CA, with the key openssl's
 * `-newkey` arguments name (`['rsa:1024']`, `['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']`…): for tests of the client's
 * minimum server key strength. Made once in the set's directory.
 */
export const extraServerCertificate = (
  set: CertificateSet,
  name: string,
  newkey: readonly string[],
): { key: Buffer; cert: Buffer } => {
  if (!existsSync(join(set.dir, `${name}.crt`)) || !existsSync(join(set.dir, `${name}.key`))) {
    issue(set.dir, 'ca', name, '/CN=localhost', SERVER_EXT, newkey);
  }
  return {
    key: readFileSync(join(set.dir, `${name}.key`)),
    cert: readFileSync(join(set.dir, `${name}.crt`)),
  };
};
