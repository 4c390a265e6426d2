/**
 * The TLS side of an organisation's connection to the LRS: its client certificate held in memory,
 * the server certificate always verified (optional CA bundle for test environments), TLS 1.2 as the
 * floor with 1.3 allowed, and a minimum strength for the server's public key.
 */
import { createPublicKey } from 'node:crypto';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type SecureVersion,
} from 'node:tls';
import type { OrganisationCredentials } from '../../ports/credentials.js';
import { SERVER_KEY_TOO_WEAK, transportError } from './faults.js';

/** The protocol range and key strength every LRS connection uses. */
export const LRS_TLS_SETTINGS = {
  minVersion: 'TLSv1.2' as SecureVersion,
  maxVersion: 'TLSv1.3' as SecureVersion,
  /** Smallest RSA modulus accepted on the server certificate (bits). */
  minRsaBits: 2048,
  /** Smallest elliptic-curve key accepted on the server certificate (bits: P-256 and up). */
  minEcBits: 256,
} as const;

const weak = (what: string): Error =>
  Object.assign(new Error(`The LRS server certificate has a ${what}`), { code: SERVER_KEY_TOO_WEAK });

/**
 * Checks the strength of the server certificate's public key: RSA at least 2048 bits, EC at least
 * 256 bits (P-256, P-384, P-521), Ed25519/Ed448 accepted, anything else (DSA, unknown) refused.
 * Returns an Error to refuse the connection, undefined to accept it.
 */
export const checkServerKey = (cert: PeerCertificate): Error | undefined => {
  const c = cert as PeerCertificate & { modulus?: string; asn1Curve?: string; nistCurve?: string };
  if (typeof c.modulus === 'string' && c.modulus !== '') {
    return (c.bits ?? 0) >= LRS_TLS_SETTINGS.minRsaBits
      ? undefined
      : weak(`${c.bits ?? 0}-bit RSA key (minimum ${LRS_TLS_SETTINGS.minRsaBits})`);
  }
  if (c.asn1Curve || c.nistCurve) {
    return (c.bits ?? 0) >= LRS_TLS_SETTINGS.minEcBits
      ? undefined
      : weak(`${c.bits ?? 0}-bit EC key (minimum ${LRS_TLS_SETTINGS.minEcBits})`);
  }
  try {
    const type = c.pubkey
      ? createPublicKey({ key: c.pubkey, format: 'der', type: 'spki' }).asymmetricKeyType
      : '';
    if (type === 'ed25519' || type === 'ed448') return undefined;
    return weak(`key of a type that is not accepted (${type || 'unknown'})`);
  } catch {
    return weak('key that cannot be read');
  }
};

/** Host name check first (Node's own), then the key strength. */
export const checkLrsServer = (host: string, cert: PeerCertificate): Error | undefined =>
  checkServerIdentity(host, cert) ?? checkServerKey(cert);

/** The TLS side of one organisation's connections. */
export interface TlsConnection {
  readonly agent: https.Agent;
  /**
   * Opens a TLS 1.2-only connection to `url` with the same certificate, handshake only (no request),
   * and says whether the server accepted our client certificate. Under TLS 1.3 a server checks the
   * client certificate after the handshake has completed on our side and answers a refusal by closing
   * the connection, which looks like any reset; under TLS 1.2 the refusal happens inside the handshake.
   * `inconclusive`: the server would not speak TLS 1.2, or did not answer in time.
   */
  probeClientCertificate(url: string, timeoutMs: number): Promise<'accepted' | 'refused' | 'inconclusive'>;
}

/**
 * The keep-alive agent of one organisation. The key material is loaded once, into one TLS context that
 * every connection of the agent shares: it fails early, with a typed error, when the key/certificate/PFX
 * cannot be loaded at all, and a new connection (cold start, fan-out, a replaced stale socket) does not
 * parse the private key again. Certificates are always Buffers.
 */
export const tlsConnection = (c: OrganisationCredentials): TlsConnection => {
  const cert =
    c.certificate.kind === 'pem'
      ? {
          key: Buffer.from(c.certificate.key),
          cert: Buffer.from(c.certificate.cert),
          ...(c.certificate.passphrase ? { passphrase: c.certificate.passphrase } : {}),
        }
      : { pfx: Buffer.from(c.certificate.pfx), passphrase: c.certificate.passphrase };
  const material = { ...cert, ...(c.serverCa ? { ca: Buffer.from(c.serverCa) } : {}) };
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({
      ...material,
      minVersion: LRS_TLS_SETTINGS.minVersion,
      maxVersion: LRS_TLS_SETTINGS.maxVersion,
    });
  } catch (e) {
    throw transportError(e, { mayHaveReached: false });
  }
  const agent = new https.Agent({
    secureContext,
    keepAlive: true,
    rejectUnauthorized: true,
    minVersion: LRS_TLS_SETTINGS.minVersion,
    maxVersion: LRS_TLS_SETTINGS.maxVersion,
    checkServerIdentity: checkLrsServer,
  });
  const probeClientCertificate = (
    url: string,
    timeoutMs: number,
  ): Promise<'accepted' | 'refused' | 'inconclusive'> =>
    new Promise((resolve) => {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      let settled = false;
      const done = (r: 'accepted' | 'refused' | 'inconclusive'): void => {
        if (settled) return;
        settled = true;
        socket.destroy();
        resolve(r);
      };
      const socket = connect({
        host,
        port: Number(u.port || 443),
        ...(isIP(host) ? {} : { servername: host }),
        secureContext: createSecureContext({ ...material, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
        rejectUnauthorized: true,
        checkServerIdentity: checkLrsServer,
      });
      socket.setTimeout(timeoutMs, () => done('inconclusive'));
      socket.once('secureConnect', () => done('accepted'));
      socket.once('error', (e: Error & { code?: string }) => {
        const text = `${e.code ?? ''} ${e.message}`;
        if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|VERSION_TOO_LOW|WRONG_VERSION/i.test(text))
          done('inconclusive');
        else if (/ALERT_|before secure TLS connection was established|ECONNRESET/i.test(text))
          done('refused');
        else done('inconclusive');
      });
    });
  return { agent, probeClientCertificate };
};
