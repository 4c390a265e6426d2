import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, LOCAL_GATEWAY_SENDER_ID, startEmulators } from '../../local/emulators.js';
import {
  createLocalResources,
  createRegistryTable,
  createTable,
  type LocalResources,
  localClients,
  uniqueStage,
} from '../../local/resources.js';
import { DynamoDbRegistry } from '../../shared/adapters/dynamodb-registry.js';
import { SecretsManagerCredentialsSource } from '../../shared/adapters/secrets-manager-credentials.js';
import { loadTokenIssuerConfig } from '../../shared/auth/token.js';
import { ENV, orgSecretPrefix, registryTableName } from '../../shared/config/names.js';
import {
  DLQ_RETENTION_SECONDS,
  MAX_RECEIVE_COUNT,
  operationDlqName,
  operationQueueName,
  QUEUE_RETENTION_SECONDS,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
  tableName,
} from '../../shared/config/resources.js';
import { loadRuntimeConfig } from '../../shared/config/runtime.js';
import { OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import { testCertificates } from '../certs.js';

const ORGS = [
  {
    organisationId: 'TEST0001',
    ukprn: 'TEST0001',
    organisationRef: 'TST001',
    orgPassword: 'SimulatorPass001',
    userName: 'sim.user',
    vendorId: 1,
  },
  {
    organisationId: 'TEST0002',
    ukprn: 'TEST0002',
    orgPassword: 'SimulatorPass002',
    userName: 'sim.user2',
    vendorId: 2,
  },
];
let emulators: Emulators;
let aws: ReturnType<typeof localClients>;
let resources: LocalResources;
const stage = uniqueStage();

beforeAll(async () => {
  emulators = await startEmulators();
  aws = localClients(emulators);
  resources = await createLocalResources({
    emulators,
    stage,
    lrsEndpoint: 'https://127.0.0.1:9443/',
    organisations: ORGS,
    certificates: testCertificates(),
    certificateFormat: 'alternate',
    callers: [
      { clientId: 'local-mis', clientSecret: 'secret-1', organisations: ['*'] },
      { clientId: 'narrow', clientSecret: 'secret-2', organisations: ['TEST0002'], scopes: ['lrs.read'] },
    ],
    tokenIssuer: {
      issuer: 'http://127.0.0.1:9/issuer',
      audience: 'aud-1',
      jwksUri: 'http://127.0.0.1:9/jwks.json',
      scopePrefix: 'lrs-gateway/',
    },
  });
});
afterAll(async () => {
  for (const client of aws ? [aws.dynamodb, aws.sqs, aws.secretsManager] : []) client.destroy();
  await emulators?.close();
});

describe('local resources', () => {
  it('creates the single table with the shared key names', async () => {
    const ddb = aws.dynamodb;
    const t = await ddb.send(new DescribeTableCommand({ TableName: tableName(stage) }));
    expect(t.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('creates a queue and DLQ per operation with the deployed redrive policy, visibility and retention', async () => {
    const sqs = aws.sqs;
    expect(Object.keys(resources.queueUrls).sort()).toEqual([...OPERATION_IDS].sort());
    for (const id of OPERATION_IDS) {
      expect(resources.queueUrls[id]).toMatch(new RegExp(`/${operationQueueName(stage, id)}$`));
      expect(resources.dlqUrls[id]).toMatch(new RegExp(`/${operationDlqName(stage, id)}$`));
      const q = (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: resources.queueUrls[id], AttributeNames: ['All'] }),
        )
      ).Attributes;
      const dlq = (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: resources.dlqUrls[id], AttributeNames: ['All'] }),
        )
      ).Attributes;
      expect(q?.VisibilityTimeout).toBe(String(QUEUE_VISIBILITY_TIMEOUT_SECONDS));
      expect(q?.MessageRetentionPeriod).toBe(String(QUEUE_RETENTION_SECONDS));
      expect(JSON.parse(q?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: dlq?.QueueArn,
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
      expect(dlq?.MessageRetentionPeriod).toBe(String(DLQ_RETENTION_SECONDS));
      expect(resources.queueArns[id]).toBe(q?.QueueArn);
    }
  });

  it('produces an environment the functions accept (parsed by the real runtime config)', () => {
    const config = loadRuntimeConfig(resources.env);
    expect(config).toMatchObject({
      stage,
      tableName: tableName(stage),
      lrsEndpoint: 'https://127.0.0.1:9443',
      orgSecretPrefix: orgSecretPrefix(stage),
      registryTableName: registryTableName(stage),
      trustedSenderIds: [LOCAL_GATEWAY_SENDER_ID],
      operationQueueUrls: resources.queueUrls,
    });
    // The token issuer the functions (and the authorizer) verify against.
    expect(loadTokenIssuerConfig(resources.env)).toEqual({
      kind: 'oidc',
      issuer: 'http://127.0.0.1:9/issuer',
      audience: ['aud-1'],
      jwksUri: 'http://127.0.0.1:9/jwks.json',
      scopePrefix: 'lrs-gateway/',
    });
    expect(resources.env[ENV.lrsMaxConcurrency]).toBe('2');
    expect(resources.env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe(emulators.secretsManager.url);
    expect(resources.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(emulators.dynamodb.url);
    expect(resources.env.AWS_ENDPOINT_URL_SQS).toBe(emulators.sqs.url);
  });

  it('seeds the registry: every organisation active with its secret and certificate, callers and grants', async () => {
    const ddb = aws.dynamodb;
    const registry = new DynamoDbRegistry({ tableName: registryTableName(stage), client: ddb });
    const orgs = await registry.listOrganisations();
    expect(orgs.map((o) => o.organisationId)).toEqual(ORGS.map((o) => o.organisationId).sort());
    for (const org of orgs) {
      expect(org).toMatchObject({
        status: 'active',
        secretName: `${orgSecretPrefix(stage)}${org.organisationId}`,
      });
      expect(org.certificateSubject).toContain('CN=');
      expect(Date.parse(org.certificateNotAfter ?? '')).toBeGreaterThan(Date.now());
    }
    expect((await registry.listCallers()).map((c) => [c.callerId, c.scopes])).toEqual([
      ['local-mis', ['lrs.read', 'lrs.write', 'jobs', 'admin']],
      ['narrow', ['lrs.read']],
    ]);
    expect((await registry.listGrants('local-mis')).length).toBe(ORGS.length);
    expect((await registry.listGrants('narrow')).map((g) => g.organisationId)).toEqual(['TEST0002']);
    // The client secret is kept as a salted hash, never as itself.
    const hash = await registry.getLocalClient('narrow');
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain('secret-2');
  });

  it('seeds secrets that the real Secrets Manager credentials adapter loads, as PEM and as PFX', async () => {
    const source = new SecretsManagerCredentialsSource({
      client: aws.secretsManager,
      secretPrefix: orgSecretPrefix(stage),
    });
    const certs = testCertificates();
    const pem = await source.get('TEST0001');
    expect(pem).toMatchObject({
      organisationId: 'TEST0001',
      ukprn: 'TEST0001',
      organisationRef: 'TST001',
      userName: 'sim.user',
      vendorId: 1,
    });
    expect(pem.certificate.kind).toBe('pem');
    expect(pem.serverCa?.toString()).toBe(certs.caCert.toString());
    const pfx = await source.get('TEST0002');
    expect(pfx.certificate).toMatchObject({ kind: 'pfx', passphrase: certs.clientPfxPassphrase });
    expect(pfx.certificate.kind === 'pfx' && pfx.certificate.pfx.equals(certs.clientPfx)).toBe(true);
    expect(resources.secretNames).toEqual([
      `${orgSecretPrefix(stage)}TEST0001`,
      `${orgSecretPrefix(stage)}TEST0002`,
    ]);
  });
});

describe.each([
  ['createTable', createTable],
  ['createRegistryTable', createRegistryTable],
])('%s', (_name, create) => {
  it('returns once the table and its indexes are ACTIVE, so the first write finds it', async () => {
    // Tables stay CREATING for 300 ms, as a slower DynamoDB keeps them for seconds.
    const server = dynalite({ createTableMs: 300 }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await create(client, 'slow-table');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'slow-table' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({ TableName: 'slow-table', Item: { pk: 'a', sk: 'b' } }),
      );
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
