/**
 * Where an organisation's LRS client certificate and in-body credentials come from.
 * Keyed by organisation id (the UKPRN, or the organisation reference when there is no UKPRN),
 * so that one deployment can serve several organisations.
 */

export type ClientCertificate =
  | {
      readonly kind: 'pem';
      /** PEM private key. */
      readonly key: Buffer;
      /** PEM certificate, optionally followed by its chain. */
      readonly cert: Buffer;
      /** Optional passphrase for an encrypted key. */
      readonly passphrase?: string;
    }
  | {
      readonly kind: 'pfx';
      readonly pfx: Buffer;
      readonly passphrase: string;
    };

export interface OrganisationCredentials {
  /** The id this organisation is known by in lrs-gateway (UKPRN or organisation reference). */
  readonly organisationId: string;
  /** 8 characters, `[0-9a-zA-Z]{8}`. At least one of ukprn / organisationRef is present. */
  readonly ukprn?: string;
  /** 6 characters, `[0-9a-zA-Z]{6}`. */
  readonly organisationRef?: string;
  /** Exactly 16 characters. */
  readonly orgPassword: string;
  /** Default LRS UserName when the caller names no end user (1-35 characters). */
  readonly userName: string;
  /** MIS vendor id issued by the LRS (R9 vendorID / vendorId). */
  readonly vendorId: number;
  readonly certificate: ClientCertificate;
  /** Optional CA bundle (PEM) for test environments whose server certificate is not publicly trusted. */
  readonly serverCa?: Buffer;
  /** When the client certificate stops being valid, read from the certificate itself. */
  readonly certificateNotAfter?: Date;
  /** A value that changes whenever the secret changes; used to rebuild the TLS client. */
  readonly version: string;
}

export interface CredentialsSource {
  get(organisationId: string): Promise<OrganisationCredentials>;
  /** Forget the cached copy (after a TLS or authentication failure), so the next get() reloads once. */
  invalidate(organisationId: string): void;
}
