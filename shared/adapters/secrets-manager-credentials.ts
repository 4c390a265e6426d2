/**
 * CredentialsSource backed by AWS Secrets Manager: one JSON secret per organisation, named
 * `${secretPrefix}${organisationId}`, validated on load, cached, reloaded once after invalidate().
 *
 * Secret JSON shape (every string is the value itself, never a file path):
 * ```json
 * {
 *   "ukprn": "10012345",               // optional, 8 characters [0-9a-zA-Z]; at least one of ukprn/organisationRef
 *   "organisationRef": "ABC123",       // optional, 6 characters [0-9a-zA-Z]
 *   "orgPassword": "exactly16chars!!", // exactly 16 characters
 *   "userName": "mis-service",         // default LRS UserName, 1-35 characters
 *   "vendorId": 1234,                  // LRS-issued MIS vendor id (integer, or digits as a string)
 *   "certificate": {                   // the LRS client certificate, one of:
 *     "pem": { "key": "-----BEGIN PRIVATE KEY-----…", "cert": "-----BEGIN CERTIFICATE-----… (+ chain)", "passphrase": "…optional" }
 *     // or
 *     "pfx": "<base64 PKCS#12>", "passphrase": "…"
 *   },
 *   "serverCa": "-----BEGIN CERTIFICATE-----…" // optional CA bundle for test environments
 * }
 * ```
 * Errors name the bad field and never the value. Secret values are never logged.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, TLSSocket } from 'node:tls';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ConfigurationError } from '../domain/errors.js';
import type { ClientCertificate, CredentialsSource, OrganisationCredentials } from '../ports/credentials.js';

const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

export const organisationSecretSchema = z
  .object({
    ukprn: z
      .string()
      .regex(/^[0-9a-zA-Z]{8}$/)
      .optional(),
    organisationRef: z
      .string()
      .regex(/^[0-9a-zA-Z]{6}$/)
      .optional(),
    orgPassword: z
      .string()
      .length(16)
      .regex(/[^ \t\n\r]/),
    userName: z
      .string()
      .min(1)
      .max(35)
      .regex(/[^ \t\n\r]/),
    vendorId: z.union([
      z.number().int().min(0),
      z
        .string()
        .regex(/^[0-9]{1,9}$/)
        .transform(Number),
    ]),
    certificate: z.union([
      z.object({
        pem: z.object({
          key: z.string().regex(PEM_KEY),
          cert: z.string().regex(PEM_CERT),
          passphrase: z.string().optional(),
        }),
      }),
      z.object({
        pfx: z
          .string()
          .regex(/^[A-Za-z0-9+/=\s]+$/)
          .min(16),
        passphrase: z.string(),
      }),
    ]),
    serverCa: z.string().regex(PEM_CERT).optional(),
  })
  .refine((s) => s.ukprn !== undefined || s.organisationRef !== undefined, {
    message: 'one of ukprn or organisationRef is required',
    path: ['ukprn'],
  });

export type OrganisationSecret = z.output<typeof organisationSecretSchema>;

export interface SecretsManagerCredentialsOptions {
  readonly client?: SecretsManagerClient;
  /** e.g. `lrs-gateway/prod/org/` (see shared/config/names.ts orgSecretPrefix). */
  readonly secretPrefix: string;
  /** How long a loaded secret is reused (default 5 minutes). */
  readonly cacheTtlMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((i) => {
      const field = i.path.map(String).join('.') || '(secret)';
      if (i.code === 'invalid_union')
        return `${field}: must be { pem: { key, cert } } or { pfx, passphrase }`;
      if (i.code === 'invalid_type') return `${field}: missing or wrong type`;
      return `${field}: ${i.code === 'custom' ? i.message : `fails ${i.code.replace(/_/g, ' ')}`}`;
    })
    .join('; ');

const notAfter = (certPem: Buffer): Date | undefined => {
  try {
    return new Date(new X509Certificate(certPem).validTo);
  } catch {
    return undefined;
  }
};

/**
 * Loads the key material once into a TLS context (so a wrong passphrase or a key that does not match
 * its certificate is found here, not at the first call) and reads the certificate's notAfter.
 */
const openCertificate = (organisationId: string, certificate: ClientCertificate): Date | undefined => {
  let context: ReturnType<typeof createSecureContext>;
  try {
    context =
      certificate.kind === 'pem'
        ? createSecureContext({
            key: certificate.key,
            cert: certificate.cert,
            ...(certificate.passphrase ? { passphrase: certificate.passphrase } : {}),
          })
        : createSecureContext({ pfx: certificate.pfx, passphrase: certificate.passphrase });
  } catch {
    const fields = certificate.kind === 'pem' ? 'certificate.pem.key/cert' : 'certificate.pfx/passphrase';
    throw new ConfigurationError(
      `The LRS secret of organisation ${organisationId} is invalid: ${fields} cannot be loaded (wrong passphrase, corrupt data or a key that does not match the certificate)`,
    );
  }
  if (certificate.kind === 'pem') return notAfter(certificate.cert);
  const socket = new TLSSocket(null as never, { secureContext: context });
  try {
    const validTo = (socket.getCertificate() as { valid_to?: string } | null)?.valid_to;
    return validTo ? new Date(validTo) : undefined;
  } finally {
    socket.destroy();
  }
};

/** Converts a validated secret into the port's credentials. */
export const toCredentials = (
  organisationId: string,
  secret: OrganisationSecret,
  version: string,
): OrganisationCredentials => {
  const certificate: ClientCertificate =
    'pem' in secret.certificate
      ? {
          kind: 'pem',
          key: Buffer.from(secret.certificate.pem.key),
          cert: Buffer.from(secret.certificate.pem.cert),
          ...(secret.certificate.pem.passphrase ? { passphrase: secret.certificate.pem.passphrase } : {}),
        }
      : {
          kind: 'pfx',
          pfx: Buffer.from(secret.certificate.pfx.replace(/\s+/g, ''), 'base64'),
          passphrase: secret.certificate.passphrase,
        };
  const certificateNotAfter = openCertificate(organisationId, certificate);
  return {
    organisationId,
    ...(secret.ukprn ? { ukprn: secret.ukprn } : {}),
    ...(secret.organisationRef ? { organisationRef: secret.organisationRef } : {}),
    orgPassword: secret.orgPassword,
    userName: secret.userName,
    vendorId: secret.vendorId,
    certificate,
    ...(secret.serverCa ? { serverCa: Buffer.from(secret.serverCa) } : {}),
    ...(certificateNotAfter ? { certificateNotAfter } : {}),
    version,
  };
};

export class SecretsManagerCredentialsSource implements CredentialsSource {
  private readonly client: SecretsManagerClient;
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; value: Promise<OrganisationCredentials> }>();

  constructor(opts: SecretsManagerCredentialsOptions) {
    this.client = opts.client ?? new SecretsManagerClient({});
    this.prefix = opts.secretPrefix;
    this.ttl = opts.cacheTtlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  get(organisationId: string): Promise<OrganisationCredentials> {
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(organisationId)) {
      return Promise.reject(new ConfigurationError('organisationId has an invalid form'));
    }
    const hit = this.cache.get(organisationId);
    if (hit && this.now() - hit.at < this.ttl) return hit.value;
    const value = this.load(organisationId);
    this.cache.set(organisationId, { at: this.now(), value });
    // A failed load is not cached.
    value.catch(() => {
      if (this.cache.get(organisationId)?.value === value) this.cache.delete(organisationId);
    });
    return value;
  }

  invalidate(organisationId: string): void {
    this.cache.delete(organisationId);
  }

  private async load(organisationId: string): Promise<OrganisationCredentials> {
    const secretId = `${this.prefix}${organisationId}`;
    let out: { SecretString?: string; SecretBinary?: Uint8Array; VersionId?: string };
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      throw new ConfigurationError(`Cannot read the LRS secret of organisation ${organisationId} (${name})`, {
        cause: e,
      });
    }
    const text =
      out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (text === undefined)
      throw new ConfigurationError(`The LRS secret of organisation ${organisationId} is empty`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigurationError(`The LRS secret of organisation ${organisationId} is not JSON`);
    }
    const parsed = organisationSecretSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigurationError(
        `The LRS secret of organisation ${organisationId} is invalid: ${describeIssues(parsed.error)}`,
      );
    }
    return toCredentials(organisationId, parsed.data, out.VersionId ?? String(this.now()));
  }
}
