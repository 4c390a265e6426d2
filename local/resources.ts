/**
 * Creates, on the local emulators, the same resources the CDK app deploys, from the same constants
 * (shared/config/names.ts and shared/config/resources.ts): the single table, one queue and DLQ per LRS
 * operation with the deployed redrive policy and visibility timeout, one Secrets Manager secret per
 * organisation in the shape the functions read, and the registry table with the local seed (the
 * organisations, the local callers with their client secrets and grants). Returns the queue URL map and
 * the functions' env vars.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbRegistry, registryKeySchema } from '../shared/adapters/dynamodb-registry.js';
import {
  DEFAULT_DATA_TTL_DAYS,
  ENV,
  orgSecretPrefix,
  registryTableName,
  TABLE,
} from '../shared/config/names.js';
import {
  callbackDlqName,
  callbackQueueName,
  callbackSecretPrefix,
  DLQ_RETENTION_SECONDS,
  LRS_TIMEOUT_MS,
  MAX_RECEIVE_COUNT,
  operationDlqName,
  operationQueueName,
  QUEUE_RETENTION_SECONDS,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
  tableName,
} from '../shared/config/resources.js';
import { ALL_SCOPES, type Scope } from '../shared/config/scopes.js';
import { CALLBACK_ENV } from '../shared/jobs/callback-settings.js';
import { JOBS_ENV } from '../shared/jobs/settings.js';
import { OPERATION_IDS, type OperationId } from '../shared/lrs/contract/operations.js';
import { callerSecretKey } from '../shared/ports/callback-secrets.js';
import type { OrganisationCredentials } from '../shared/ports/credentials.js';
import { type Emulators, LOCAL_GATEWAY_SENDER_ID } from './emulators.js';
import { hashClientSecret } from './token-issuer.js';

/** What the seeded secret of one organisation is made from (the simulator's seed has these fields). */
export type LocalOrganisation = Pick<
  OrganisationCredentials,
  'organisationId' | 'ukprn' | 'organisationRef' | 'orgPassword' | 'userName' | 'vendorId'
>;

/** The client certificate and the CA of the LRS (simulator) server certificate. */
export interface LocalCertificates {
  readonly clientKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientPfx: Buffer;
  readonly clientPfxPassphrase: string;
  readonly caCert: Buffer;
}

/**
 * A system allowed to call the local API, seeded in the registry: its OAuth client (id and secret at the
 * local token issuer), its scopes and the organisations it is granted.
 */
export interface LocalCaller {
  /** The client id: the caller id the functions see (`requestContext.authorizer.callerId`). */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name?: string;
  /** Default: every scope. */
  readonly scopes?: readonly Scope[];
  /** Organisation ids granted, or `['*']` for every seeded organisation. */
  readonly organisations: readonly string[];
  /** The grants let it read the organisations' whole history. */
  readonly readAll?: boolean;
  /** SQS sender ids whose messages act as this caller. */
  readonly queueSenders?: readonly string[];
}

/** Where the functions verify tokens: the local token issuer. */
export interface LocalTokenIssuerInfo {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly scopePrefix: string;
}

/** The secret JSON the functions read (`${orgSecretPrefix(stage)}${organisationId}`). */
export type OrganisationSecret = {
  ukprn?: string;
  organisationRef?: string;
  orgPassword: string;
  userName: string;
  vendorId: number;
  certificate: { pem: { key: string; cert: string } } | { pfx: string; passphrase: string };
  serverCa?: string;
};

export interface CreateLocalResourcesOptions {
  readonly emulators: Emulators;
  readonly stage: string;
  /** Base URL of the LRS (the simulator), no trailing slash. */
  readonly lrsEndpoint: string;
  readonly organisations: readonly LocalOrganisation[];
  readonly certificates: LocalCertificates;
  /**
   * How each organisation's client certificate is stored: PEM strings, base64 PKCS#12, or alternating
   * (PEM for the first organisation, PFX for the second, …) so both code paths run. Default 'pem'.
   */
  readonly certificateFormat?: 'pem' | 'pfx' | 'alternate';
  readonly callers: readonly LocalCaller[];
  readonly tokenIssuer: LocalTokenIssuerInfo;
  /** How long the functions reuse a registry read (default 30 s; tests use less). */
  readonly registryCacheSeconds?: number;
  readonly operations?: readonly OperationId[];
  /** Overrides for tests that need fast redelivery; the defaults are the deployed values. */
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly lrsTimeoutMs?: number;
  readonly dataTtlDays?: number;
  readonly lrsMaxConcurrency?: number;
}

export interface LocalResources {
  readonly stage: string;
  readonly tableName: string;
  readonly registryTableName: string;
  readonly queueUrls: Readonly<Record<OperationId, string>>;
  readonly dlqUrls: Readonly<Record<OperationId, string>>;
  readonly queueArns: Readonly<Record<OperationId, string>>;
  readonly secretNames: readonly string[];
  /** The job callback queue (the job-callbacks function's trigger) and its DLQ. */
  readonly callbackQueueUrl: string;
  readonly callbackQueueArn: string;
  readonly callbackDlqUrl: string;
  /** Each caller's callback signing secret (by caller id), seeded at random. */
  readonly callbackSecrets: Readonly<Record<string, string>>;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly lrsMaxConcurrency: number;
  /** Everything a function needs in process.env: the ENV names plus the AWS endpoint overrides. */
  readonly env: Readonly<Record<string, string>>;
}

/** The local default for LRS_MAX_CONCURRENCY (the deployed stages set theirs in infra/config/stages.ts). */
export const LOCAL_LRS_MAX_CONCURRENCY = 2;

/** A short random stage name, valid for the functions' STAGE rule, for tests that share a machine. */
export const uniqueStage = (prefix = 't'): string => `${prefix}${randomBytes(4).toString('hex')}`;

/** Fresh SDK clients aimed at the emulators (explicit endpoints: they do not depend on process.env). */
export const localClients = (emulators: Emulators) => {
  const common = {
    region: emulators.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: emulators.dynamodb.url }),
    sqs: new SQSClient({ ...common, endpoint: emulators.sqs.url }),
    secretsManager: new SecretsManagerClient({ ...common, endpoint: emulators.secretsManager.url }),
  };
};

export const organisationSecret = (
  org: LocalOrganisation,
  certs: LocalCertificates,
  format: 'pem' | 'pfx',
): OrganisationSecret => ({
  ...(org.ukprn !== undefined ? { ukprn: org.ukprn } : {}),
  ...(org.organisationRef !== undefined ? { organisationRef: org.organisationRef } : {}),
  orgPassword: org.orgPassword,
  userName: org.userName,
  vendorId: org.vendorId,
  certificate:
    format === 'pem'
      ? { pem: { key: certs.clientKey.toString('utf8'), cert: certs.clientCert.toString('utf8') } }
      : { pfx: certs.clientPfx.toString('base64'), passphrase: certs.clientPfxPassphrase },
  serverCa: certs.caCert.toString('utf8'),
});

const createQueue = async (
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> => {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attrs.Attributes?.QueueArn;
  if (!arn) throw new Error(`Queue ${name} has no QueueArn`);
  return { url, arn };
};

/**
 * Creates the registry table (the deployed table's keys, on demand, no TTL) on a local DynamoDB emulator;
 * returns once it is ACTIVE.
 */
export const createRegistryTable = async (dynamodb: DynamoDBClient, name: string): Promise<void> => {
  await dynamodb.send(
    new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', ...registryKeySchema }),
  );
  await untilActive(dynamodb, name);
};

/** The subject and notAfter of a PEM certificate, as the registry records them. */
export const certificateFacts = (pem: Buffer | string): { subject: string; notAfter: string } => {
  const x = new X509Certificate(pem);
  return { subject: x.subject.split('\n').join(','), notAfter: new Date(x.validTo).toISOString() };
};

/** Seeds the registry: every organisation active, every caller with its local client secret and grants. */
export const seedRegistry = async (
  registry: DynamoDbRegistry,
  input: {
    readonly organisations: ReadonlyArray<{
      organisationId: string;
      secretName: string;
      secretVersionId?: string;
    }>;
    readonly certificate: { subject: string; notAfter: string };
    readonly callers: readonly LocalCaller[];
  },
): Promise<void> => {
  const now = new Date().toISOString();
  for (const org of input.organisations) {
    await registry.putOrganisation({
      organisationId: org.organisationId,
      status: 'active',
      secretName: org.secretName,
      ...(org.secretVersionId ? { secretVersionId: org.secretVersionId } : {}),
      certificateSubject: input.certificate.subject,
      certificateNotAfter: input.certificate.notAfter,
      createdAt: now,
      updatedAt: now,
    });
  }
  for (const caller of input.callers) {
    await registry.putCaller({
      callerId: caller.clientId,
      name: caller.name ?? caller.clientId,
      status: 'active',
      scopes: [...(caller.scopes ?? ALL_SCOPES)],
      ...(caller.queueSenders ? { queueSenders: [...caller.queueSenders] } : {}),
      createdAt: now,
      updatedAt: now,
    });
    await registry.putLocalClient(caller.clientId, await hashClientSecret(caller.clientSecret));
    const granted = caller.organisations.includes('*')
      ? input.organisations.map((o) => o.organisationId)
      : caller.organisations;
    for (const organisationId of granted) {
      await registry.putGrant({
        callerId: caller.clientId,
        organisationId,
        readAll: caller.readAll ?? false,
        createdAt: now,
      });
    }
  }
};

/** Creates the gateway's data table (the deployed table's keys and indexes, on demand) on a local emulator. */
export const createTable = async (dynamodb: DynamoDBClient, tableName: string): Promise<void> => {
  const indexes = Object.values(TABLE.indexes);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.sortKey, AttributeType: 'S' },
        ...indexes.flatMap((i) => [
          { AttributeName: i.partitionKey, AttributeType: 'S' as const },
          { AttributeName: i.sortKey, AttributeType: 'S' as const },
        ]),
      ],
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
  await untilActive(dynamodb, tableName);
};

/**
 * Waits until the table and its indexes are ACTIVE: a table is CREATING at first (dynalite keeps it so
 * until a timer fires, DynamoDB for seconds), and a write to it meanwhile is ResourceNotFoundException.
 */
const untilActive = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 1000)) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline)
      throw new Error(`Table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
};

export const createLocalResources = async (options: CreateLocalResourcesOptions): Promise<LocalResources> => {
  const { emulators, stage } = options;
  const clients = localClients(emulators);
  const table = tableName(stage);
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? QUEUE_VISIBILITY_TIMEOUT_SECONDS;
  const maxReceiveCount = options.maxReceiveCount ?? MAX_RECEIVE_COUNT;
  const lrsMaxConcurrency = options.lrsMaxConcurrency ?? LOCAL_LRS_MAX_CONCURRENCY;
  try {
    // The deployed table also has TTL on TABLE.ttlAttribute; dynalite has no UpdateTimeToLive, so the
    // attribute is written but nothing expires locally.
    await createTable(clients.dynamodb, table);

    const operations = options.operations ?? OPERATION_IDS;
    const queueUrls = {} as Record<OperationId, string>;
    const dlqUrls = {} as Record<OperationId, string>;
    const queueArns = {} as Record<OperationId, string>;
    for (const id of operations) {
      const dlq = await createQueue(clients.sqs, operationDlqName(stage, id), {
        MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
      });
      const queue = await createQueue(clients.sqs, operationQueueName(stage, id), {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
      });
      queueUrls[id] = queue.url;
      dlqUrls[id] = dlq.url;
      queueArns[id] = queue.arn;
    }

    const prefix = orgSecretPrefix(stage);
    const secretNames: string[] = [];
    const seeded: Array<{ organisationId: string; secretName: string; secretVersionId?: string }> = [];
    for (const [index, org] of options.organisations.entries()) {
      const format =
        options.certificateFormat === 'alternate'
          ? index % 2 === 0
            ? 'pem'
            : 'pfx'
          : (options.certificateFormat ?? 'pem');
      const name = `${prefix}${org.organisationId}`;
      const value = JSON.stringify(organisationSecret(org, options.certificates, format));
      const versionId = await upsertSecret(clients.secretsManager, name, value);
      secretNames.push(name);
      seeded.push({
        organisationId: org.organisationId,
        secretName: name,
        ...(versionId ? { secretVersionId: versionId } : {}),
      });
    }

    const registry = registryTableName(stage);
    await createRegistryTable(clients.dynamodb, registry);
    await seedRegistry(new DynamoDbRegistry({ tableName: registry, client: clients.dynamodb }), {
      organisations: seeded,
      certificate: certificateFacts(options.certificates.clientCert),
      callers: options.callers,
    });

    const callbackDlq = await createQueue(clients.sqs, callbackDlqName(stage), {
      MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
    });
    const callbackQueue = await createQueue(clients.sqs, callbackQueueName(stage), {
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: callbackDlq.arn, maxReceiveCount }),
    });
    const callbackPrefix = callbackSecretPrefix(stage);
    const callbackSecrets: Record<string, string> = {};
    for (const caller of options.callers) {
      const signingSecret = `whsec_${randomBytes(24).toString('hex')}`;
      await upsertSecret(
        clients.secretsManager,
        `${callbackPrefix}${callerSecretKey(caller.clientId)}`,
        JSON.stringify({ signingSecret }),
      );
      callbackSecrets[caller.clientId] = signingSecret;
    }
    const env: Record<string, string> = {
      ...emulators.awsEnv,
      [ENV.stage]: stage,
      [ENV.tableName]: table,
      [ENV.lrsEndpoint]: options.lrsEndpoint.replace(/\/+$/, ''),
      [ENV.lrsTimeoutMs]: String(options.lrsTimeoutMs ?? LRS_TIMEOUT_MS),
      [ENV.orgSecretPrefix]: prefix,
      [ENV.registryTableName]: registry,
      [ENV.registryCacheSeconds]: String(options.registryCacheSeconds ?? 30),
      [ENV.tokenIssuer]: options.tokenIssuer.issuer,
      [ENV.tokenAudience]: options.tokenIssuer.audience,
      [ENV.tokenJwksUri]: options.tokenIssuer.jwksUri,
      [ENV.tokenScopePrefix]: options.tokenIssuer.scopePrefix,
      // The functions' own SQS sends (bulk job fan-out, retries) are signed with the local access key.
      [ENV.trustedSenderIds]: LOCAL_GATEWAY_SENDER_ID,
      [ENV.operationQueueUrls]: JSON.stringify(queueUrls),
      [ENV.dataTtlDays]: String(options.dataTtlDays ?? DEFAULT_DATA_TTL_DAYS),
      [ENV.lrsMaxConcurrency]: String(lrsMaxConcurrency),
      // The queue worker must know which delivery is the last before the DLQ.
      [JOBS_ENV.maxReceiveCount]: String(maxReceiveCount),
      [CALLBACK_ENV.queueUrl]: callbackQueue.url,
      [CALLBACK_ENV.secretPrefix]: callbackPrefix,
      // Locally only: callbacks may go to plain http on 127.0.0.1 (a receiver on this machine).
      [CALLBACK_ENV.allowLoopbackHttp]: 'true',
      POWERTOOLS_SERVICE_NAME: 'lrs-gateway',
      POWERTOOLS_METRICS_NAMESPACE: 'LrsGateway',
    };
    return {
      stage,
      tableName: table,
      registryTableName: registry,
      queueUrls,
      dlqUrls,
      queueArns,
      secretNames,
      callbackQueueUrl: callbackQueue.url,
      callbackQueueArn: callbackQueue.arn,
      callbackDlqUrl: callbackDlq.url,
      callbackSecrets,
      visibilityTimeoutSeconds,
      maxReceiveCount,
      lrsMaxConcurrency,
      env,
    };
  } finally {
    clients.dynamodb.destroy();
    clients.sqs.destroy();
    clients.secretsManager.destroy();
  }
};

const upsertSecret = async (
  sm: SecretsManagerClient,
  name: string,
  value: string,
): Promise<string | undefined> => {
  try {
    return (await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }))).VersionId;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceExistsException') throw error;
    return (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }))).VersionId;
  }
};
