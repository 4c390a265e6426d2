/**
 * The organisation and caller registry: which organisations the gateway acts for (and where their LRS
 * secret is), which callers may use it, with which scopes, and for which organisations. Managed at run
 * time by the operator CLI (tools/admin); read by every function (through a short cache).
 */
import type { Scope } from '../config/scopes.js';

export type RegistryStatus = 'active' | 'suspended';

export interface OrganisationRecord {
  /** UKPRN (8) or LRS organisation reference (6): what callers name in X-LRS-Organisation. */
  readonly organisationId: string;
  readonly status: RegistryStatus;
  /** Secrets Manager name of its LRS secret (`lrs-gateway/<stage>/org/<id>`). */
  readonly secretName: string;
  /** The version of the secret last written by the operator (a newer one makes functions reload it). */
  readonly secretVersionId?: string;
  /** Subject of the client certificate, e.g. `CN=lrs-client,O=College`. */
  readonly certificateSubject?: string;
  /** ISO time the client certificate stops being valid. */
  readonly certificateNotAfter?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the LRS last said for an organisation (recorded by the operation pipeline, at most once a minute). */
export interface LrsStatusRecord {
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  /** LRS code (WSEC0005…) or gateway reason (TLS, CONNECTION…) of the last failure. */
  readonly lastFailureCode?: string;
}

export interface CallerRecord {
  /** The token's client id (Cognito `client_id`, Entra `azp`/`appid`) or subject. */
  readonly callerId: string;
  readonly name: string;
  readonly status: RegistryStatus;
  /** Scopes the caller may use (a token's scopes beyond these are ignored). */
  readonly scopes: readonly Scope[];
  /** SQS sender ids (IAM principal or role ids) whose messages act as this caller. */
  readonly queueSenders?: readonly string[];
  /** The usage-plan API key value the authorizer hands to API Gateway (throttle, quota; never identity). */
  readonly usagePlanKey?: string;
  /** Secrets Manager name of the caller's webhook signing secret (reserved; not used yet). */
  readonly webhookSecretName?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface GrantRecord {
  readonly callerId: string;
  readonly organisationId: string;
  /** The caller may read every stored request and job of the organisation, not only its own. */
  readonly readAll: boolean;
  readonly createdAt: string;
}

/** The read side every function uses. */
export interface RegistryReader {
  getOrganisation(organisationId: string): Promise<OrganisationRecord | undefined>;
  getCaller(callerId: string): Promise<CallerRecord | undefined>;
  getGrant(callerId: string, organisationId: string): Promise<GrantRecord | undefined>;
  /** The caller a queue sender id belongs to. */
  callerForSender(senderId: string): Promise<string | undefined>;
  getLrsStatus(organisationId: string): Promise<LrsStatusRecord | undefined>;
}

/** The write side (operator CLI, the pipeline's LRS status). */
/** The fields of a record an update may change: all but its key and when it was created. */
export type Changes<T, Key extends keyof T> = Partial<Omit<T, Key | 'createdAt'>>;

export interface Registry extends RegistryReader {
  listOrganisations(): Promise<OrganisationRecord[]>;
  listCallers(): Promise<CallerRecord[]>;
  listGrants(callerId: string): Promise<GrantRecord[]>;
  putOrganisation(record: OrganisationRecord): Promise<void>;
  /** Changes fields of an existing organisation; false when there is none. */
  updateOrganisation(
    organisationId: string,
    changes: Changes<OrganisationRecord, 'organisationId'>,
  ): Promise<boolean>;
  /** Removes the organisation, its LRS status and every grant of it. */
  removeOrganisation(organisationId: string): Promise<void>;
  putCaller(record: CallerRecord): Promise<void>;
  updateCaller(callerId: string, changes: Changes<CallerRecord, 'callerId'>): Promise<boolean>;
  /** Removes the caller, its grants, its queue senders and its local client. */
  removeCaller(callerId: string): Promise<void>;
  putGrant(record: GrantRecord): Promise<void>;
  removeGrant(callerId: string, organisationId: string): Promise<boolean>;
  /**
   * Notes an LRS success or failure, unless one of the same kind was noted less than `minIntervalMs` ago
   * (a conditional update: cheap on a busy organisation).
   */
  noteLrsResult(
    organisationId: string,
    result: { ok: true; at: Date } | { ok: false; at: Date; code: string },
    minIntervalMs: number,
  ): Promise<void>;
  /** Local runtime only: the token issuer's client secret (a salted hash, never the secret). */
  putLocalClient(callerId: string, secretHash: string): Promise<void>;
  getLocalClient(callerId: string): Promise<string | undefined>;
}
