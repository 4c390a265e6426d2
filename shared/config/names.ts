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
  /** JSON: { [callerId]: string[] } organisation ids each caller may act for ("*" = any). */
  callerAccess: 'CALLER_ACCESS',
  /** JSON: { [operationId]: queueUrl } so bulk jobs can fan out to an operation's queue. */
  operationQueueUrls: 'OPERATION_QUEUE_URLS',
  /** Days learner data is kept before DynamoDB TTL removes it. */
  dataTtlDays: 'DATA_TTL_DAYS',
  /** Upper bound of LRS calls in flight per operation queue (event source max concurrency). */
  lrsMaxConcurrency: 'LRS_MAX_CONCURRENCY',
  /** JSON: string[] of the stage's organisation ids, one secret each (the certificate-expiry check reads them all). */
  organisationIds: 'ORGANISATION_IDS',
  /**
   * When the LRS is expected to answer, e.g. `Mon-Sat 07:00-22:00 Europe/London` (no source publishes the
   * hours; unset = every day 06:00-24:00 UK time). Sets how long an out-of-hours request waits.
   */
  lrsServiceHours: 'LRS_SERVICE_HOURS',
} as const;

/** Secrets Manager naming: one secret per organisation. */
export const orgSecretPrefix = (stage: string): string => `lrs-gateway/${stage}/org/`;

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
} as const;
