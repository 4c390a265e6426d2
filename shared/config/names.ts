/**
 * Names shared by the CDK app, the functions and the local runtime. Dependency-free: infra/ imports it.
 */

/** Environment variables the functions read (parsed once per cold start in shared/config). */
export const ENV = {
  stage: 'STAGE',
  /** The single DynamoDB table (see TABLE below). */
  tableName: 'TABLE_NAME',
  /** LRS base URL, e.g. https://ws.lrs.education.gov.uk (the simulator's URL locally). */
  lrsEndpoint: 'LRS_ENDPOINT',
  lrsTimeoutMs: 'LRS_TIMEOUT_MS',
  /** Secrets Manager name prefix; an organisation's secret is `${prefix}${organisationId}`. */
  orgSecretPrefix: 'ORG_SECRET_PREFIX',
  /** The organisation and caller registry table (see REGISTRY below); read by every function. */
  registryTableName: 'REGISTRY_TABLE_NAME',
  /** Seconds a registry read is reused by a warm function (default 30): a suspension takes effect within it. */
  registryCacheSeconds: 'REGISTRY_CACHE_SECONDS',
  /**
   * Caller tokens (OAuth 2.0 client credentials, JWT access tokens). Cognito by default: set
   * COGNITO_USER_POOL_ID (and optionally TOKEN_CLIENT_IDS). Any other OIDC issuer (e.g. Microsoft Entra
   * ID): set TOKEN_ISSUER, TOKEN_AUDIENCE and TOKEN_JWKS_URI instead.
   */
  cognitoUserPoolId: 'COGNITO_USER_POOL_ID',
  /** Optional comma-separated app client ids accepted from the Cognito pool (unset: any registered caller). */
  tokenClientIds: 'TOKEN_CLIENT_IDS',
  /** OIDC issuer URL (exact `iss` claim). */
  tokenIssuer: 'TOKEN_ISSUER',
  /** Comma-separated accepted `aud` values (OIDC issuers). */
  tokenAudience: 'TOKEN_AUDIENCE',
  /** The issuer's JWKS URI (OIDC issuers). */
  tokenJwksUri: 'TOKEN_JWKS_URI',
  /**
   * What precedes the gateway's scope names in a token, e.g. `lrs-gateway/` (Cognito resource server
   * identifier + '/'; default). Scopes with another prefix are ignored.
   */
  tokenScopePrefix: 'TOKEN_SCOPE_PREFIX',
  /**
   * Comma-separated SQS sender ids of the gateway's own roles (IAM role ids `AROA…`, or full principal ids):
   * messages they send (bulk job fan-out, retries) are trusted to name their caller. Any other sender
   * must be a registered caller's queue sender with a grant for the message's organisation.
   */
  trustedSenderIds: 'TRUSTED_SENDER_IDS',
  /** JSON: { [operationId]: queueUrl } so bulk jobs can fan out to an operation's queue. */
  operationQueueUrls: 'OPERATION_QUEUE_URLS',
  /** Days learner data is kept before DynamoDB TTL removes it. */
  dataTtlDays: 'DATA_TTL_DAYS',
  /** Upper bound of LRS calls in flight per operation queue (event source max concurrency). */
  lrsMaxConcurrency: 'LRS_MAX_CONCURRENCY',
  /**
   * When the LRS is expected to answer, e.g. `Mon-Sat 07:00-22:00 Europe/London` (no source publishes the
   * hours; unset = every day 06:00-24:00 UK time). Sets how long an out-of-hours request waits.
   */
  lrsServiceHours: 'LRS_SERVICE_HOURS',
  /** Optional: the largest LRS answer accepted, in bytes (default 8 MiB: see shared/lrs/soap/transport.ts). */
  lrsMaxResponseBytes: 'LRS_MAX_RESPONSE_BYTES',
  /** No function reads it any more (the registry holds callers and grants); still set by the CDK app. */
  callerAccess: 'CALLER_ACCESS',
  /** No function reads it any more (the registry lists the organisations); still set by the CDK app. */
  organisationIds: 'ORGANISATION_IDS',
} as const;

/** Secrets Manager naming: one secret per organisation. */
export const orgSecretPrefix = (stage: string): string => `lrs-gateway/${stage}/org/`;

/** The organisation and caller registry table of a stage (its own table: no TTL, nothing expires). */
export const registryTableName = (stage: string): string => `lrs-gateway-${stage}-registry`;

/** The default TOKEN_SCOPE_PREFIX: the Cognito resource server identifier the stage creates, plus '/'. */
export const DEFAULT_TOKEN_SCOPE_PREFIX = 'lrs-gateway/';

/**
 * The registry table's layout: partition key `pk`, sort key `sk` (strings), no TTL.
 * - `pk=ORG#<organisationId>`, `sk=ORG`: an organisation (status, secret name, certificate subject/notAfter)
 * - `pk=ORG#<organisationId>`, `sk=LRS_STATUS`: last LRS success / failure (written at most once a minute)
 * - `pk=CALLER#<callerId>`, `sk=CALLER`: a caller (status, allowed scopes, queue senders)
 * - `pk=CALLER#<callerId>`, `sk=GRANT#<organisationId>`: a grant (optional `readAll`)
 * - `pk=CALLER#<callerId>`, `sk=LOCAL_CLIENT`: the local token issuer's client secret hash (local runtime only)
 * - `pk=SENDER#<senderId>`, `sk=SENDER`: which caller an SQS sender id (IAM principal id) belongs to
 * Every item also has `kind` (`organisation`, `lrs-status`, `caller`, `grant`, `local-client`, `sender`).
 */
export const REGISTRY = {
  partitionKey: 'pk',
  sortKey: 'sk',
  organisationPk: (organisationId: string): string => `ORG#${organisationId}`,
  organisationSk: 'ORG',
  lrsStatusSk: 'LRS_STATUS',
  callerPk: (callerId: string): string => `CALLER#${callerId}`,
  callerSk: 'CALLER',
  grantSk: (organisationId: string): string => `GRANT#${organisationId}`,
  grantSkPrefix: 'GRANT#',
  localClientSk: 'LOCAL_CLIENT',
  senderPk: (senderId: string): string => `SENDER#${senderId}`,
  senderSk: 'SENDER',
} as const;

/** The single-table layout: partition key `pk`, sort key `sk`, TTL attribute `expiresAt` (epoch seconds). */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /**
   * Global secondary indexes (string keys, sparse: only items that carry both keys are in them).
   * `jobsByOrganisation`: the job records, `ORG#<organisationId>` / `<createdAt>#<jobId>` (GET /v1/jobs).
   * `outbox`: work a bulk job still owes (a fan-out to resume, a callback to queue), `OUTBOX` / `<dueAt>#…`.
   */
  indexes: {
    jobsByOrganisation: { name: 'jobs-by-organisation', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    outbox: { name: 'outbox', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export const DEFAULT_DATA_TTL_DAYS = 30;

/**
 * The metric contract between the certificate-expiry function (publishes, with Powertools Metrics) and the
 * CDK app (alarms on it). Namespace = POWERTOOLS_METRICS_NAMESPACE, one data point per organisation per run,
 * dimensions: Powertools' default `service` (= POWERTOOLS_SERVICE_NAME, 'certificate-expiry') and
 * `OrganisationId`.
 */
export const METRICS = {
  namespace: (stage: string): string => `LrsGateway/${stage}`,
  certificateDaysRemaining: 'CertificateDaysRemaining',
  organisationDimension: 'OrganisationId',
  /** Operation functions (shared/observability/metrics.ts), dimensions `service`, `operation` and as named. */
  lrsOutcome: 'LrsOutcome', // + outcome (the LRS code)
  lrsOutcomeClass: 'LrsOutcomeClass', // + class (match-result, success, business-refusal, …)
  lrsDuration: 'LrsDuration', // milliseconds of one LRS call that returned an outcome
  requestFailed: 'RequestFailed', // + error (the AppError code)
  lrsUnavailable: 'LrsUnavailable', // + reason (OUT_OF_HOURS, MAINTENANCE, TIMEOUT, …)
  lrsError: 'LrsError', // an LRS call that failed for any reason but out of hours
} as const;
