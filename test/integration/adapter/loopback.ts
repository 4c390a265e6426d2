/** Shared pieces of the adapter's loopback tests: organisation credentials and a counting source. */
import type { CredentialsSource, OrganisationCredentials } from '../../../shared/ports/credentials.js';
import { testCertificates } from '../../certs.js';

const certs = testCertificates();

/** The test organisation's credentials (PEM client certificate from the test CA, the CA as serverCa). */
export const pemCreds = (over: Partial<OrganisationCredentials> = {}): OrganisationCredentials => ({
  organisationId: 'TEST0001',
  ukprn: 'TEST0001',
  orgPassword: 'abcdefghijklmnop',
  userName: 'mis-service',
  vendorId: 7,
  certificate: { kind: 'pem', key: certs.clientKey, cert: certs.clientCert },
  serverCa: certs.caCert,
  version: 'v1',
  ...over,
});

/** A credentials source that hands out a sequence of credentials, one per load. */
export const source = (
  ...list: OrganisationCredentials[]
): CredentialsSource & { loads: number; invalidations: number } => {
  const s = {
    loads: 0,
    invalidations: 0,
    get: async () => {
      const c = list[Math.min(s.loads, list.length - 1)];
      s.loads++;
      if (!c) throw new Error('no credentials');
      return c;
    },
    invalidate: () => {
      s.invalidations++;
    },
  };
  return s;
};

/** Options of a loopback LRS stand-in that requires a client certificate from the test CA. */
export const MTLS_SERVER_OPTIONS = {
  key: certs.serverKey,
  cert: certs.serverCert,
  ca: certs.caCert,
  requestCert: true,
  rejectUnauthorized: true,
} as const;
