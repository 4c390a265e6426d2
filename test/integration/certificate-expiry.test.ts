/**
 * The daily certificate check against the local Secrets Manager emulator through the real AWS SDK and the
 * real credentials adapter, with the organisations read from the registry (dynalite): days left published
 * per organisation (PEM and PFX secrets), an empty or missing secret reported without a data point and
 * failing the run, the EMF line the CDK alarm reads.
 */
import { X509Certificate } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../local/emulators.js';
import { createRegistryTable, localClients, organisationSecret } from '../../local/resources.js';
import { DynamoDbRegistry } from '../../shared/adapters/dynamodb-registry.js';
import { SecretsManagerCredentialsSource } from '../../shared/adapters/secrets-manager-credentials.js';
import {
  checkCertificates,
  daysRemaining,
  loadCertificateCheckConfig,
} from '../../shared/app/certificate-expiry.js';
import { createCertificateExpiryHandler } from '../../shared/handlers/certificate-expiry-handler.js';
import type { AppLog } from '../../shared/observability/logger.js';
import { testCertificates } from '../certs.js';
import { captureOutput } from '../support/output.js';

const PREFIX = 'lrs-gateway/certcheck/org/';
const NOW = new Date('2026-11-27T06:00:00Z');
const certs = testCertificates();
const org = (id: string) => ({
  organisationId: id,
  ukprn: id,
  orgPassword: 'abcdefghijklmnop',
  userName: 'svc',
  vendorId: 7,
});

let emulators: Emulators;
let aws: ReturnType<typeof localClients>;
let sm: SecretsManagerClient;
let ddb: DynamoDBClient;
/** A registry holding exactly these organisations. */
const registryOf = async (ids: readonly string[]) => {
  const registry = new DynamoDbRegistry({ tableName: `registry-${ids.join('-')}`, client: ddb });
  await createRegistryTable(ddb, `registry-${ids.join('-')}`);
  for (const organisationId of ids) {
    await registry.putOrganisation({
      organisationId,
      status: 'active',
      secretName: `${PREFIX}${organisationId}`,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
  }
  return registry;
};

const recordingLog = () => {
  const lines: Array<{ level: string; message: string; fields: unknown }> = [];
  const log: AppLog = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { lines, log };
};

beforeAll(async () => {
  emulators = await startEmulators();
  aws = localClients(emulators);
  sm = aws.secretsManager;
  ddb = aws.dynamodb;
  const put = (id: string, value: unknown) =>
    sm.send(new CreateSecretCommand({ Name: `${PREFIX}${id}`, SecretString: JSON.stringify(value) }));
  await put('TEST0001', organisationSecret(org('TEST0001'), certs, 'pem'));
  await put('TEST0002', organisationSecret(org('TEST0002'), certs, 'pfx'));
  await put('TEST0003', {}); // created empty by CDK, never filled by the operator
});

afterAll(async () => {
  for (const client of aws ? [aws.dynamodb, aws.sqs, aws.secretsManager] : []) client.destroy();
  await emulators?.close();
});

describe('certificate expiry check', () => {
  const expectedDays = daysRemaining(new Date(new X509Certificate(certs.clientCert).validTo), NOW);
  const source = () =>
    new SecretsManagerCredentialsSource({ client: sm, secretPrefix: PREFIX, cacheTtlMs: 0 });

  it('publishes the days left for PEM and PFX certificates and reports unreadable secrets without a data point', async () => {
    const published: Array<[string, number]> = [];
    const { lines, log } = recordingLog();
    const checks = await checkCertificates({
      credentials: source(),
      organisationIds: ['TEST0001', 'TEST0002', 'TEST0003', 'TEST0004'],
      publish: (id, days) => published.push([id, days]),
      log,
      now: () => NOW,
    });
    expect(expectedDays).toBeGreaterThan(700); // the test certificates are issued for 825 days
    expect(published).toEqual([
      ['TEST0001', expectedDays],
      ['TEST0002', expectedDays],
    ]);
    expect(
      checks.map((c) =>
        'problem' in c ? [c.organisationId, c.problem] : [c.organisationId, c.daysRemaining],
      ),
    ).toEqual([
      ['TEST0001', expectedDays],
      ['TEST0002', expectedDays],
      ['TEST0003', 'CONFIGURATION'],
      ['TEST0004', 'CONFIGURATION'],
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('abcdefghijklmnop');
    expect(
      lines
        .filter((l) => l.level === 'error')
        .map((l) => (l.fields as { organisationId: string }).organisationId),
    ).toEqual(['TEST0003', 'TEST0004']);
  });

  it('counts an expired certificate as negative days', () => {
    expect(daysRemaining(new Date('2026-11-20T00:00:00Z'), NOW)).toBe(-8);
    expect(daysRemaining(new Date('2026-12-27T06:00:00Z'), NOW)).toBe(30);
  });

  it('the handler checks the registry’s organisations, writes the EMF data point the alarm reads, and fails the run when one cannot be checked', async () => {
    const output = captureOutput();
    try {
      const ok = createCertificateExpiryHandler({
        credentials: source(),
        registry: await registryOf(['TEST0001']),
        now: () => NOW,
      });
      await expect(ok({}, {} as never)).resolves.toEqual({ checked: 1, failed: [] });
      const emf = output.lines
        .filter((l) => l.startsWith('{"_aws"'))
        .map(
          (l) =>
            JSON.parse(l) as Record<string, unknown> & {
              _aws: {
                CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
              };
            },
        );
      const point = emf.find(
        (e) => e._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name === 'CertificateDaysRemaining',
      );
      expect(point).toMatchObject({ OrganisationId: 'TEST0001', CertificateDaysRemaining: expectedDays });
      expect(point?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
        expect.arrayContaining(['service', 'OrganisationId']),
      );

      const failing = createCertificateExpiryHandler({
        credentials: source(),
        registry: await registryOf(['TEST0001', 'TEST0003']),
        now: () => NOW,
      });
      await expect(failing({}, {} as never)).rejects.toThrow(/TEST0003/);
    } finally {
      output.restore();
    }
  });

  it('reads its configuration once, naming a bad variable', () => {
    expect(
      loadCertificateCheckConfig({
        ORG_SECRET_PREFIX: PREFIX,
        REGISTRY_TABLE_NAME: 'lrs-gateway-dev-registry',
      }),
    ).toEqual({ secretPrefix: PREFIX, registryTableName: 'lrs-gateway-dev-registry' });
    expect(() => loadCertificateCheckConfig({ ORG_SECRET_PREFIX: PREFIX })).toThrow(/REGISTRY_TABLE_NAME/);
  });
});
