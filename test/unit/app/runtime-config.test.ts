/** Runtime configuration: parsed once, defaults applied, every bad variable named (never its value). */
import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../../shared/config/runtime.js';
import { ConfigurationError } from '../../../shared/domain/errors.js';

const env = {
  STAGE: 'dev',
  TABLE_NAME: 'lrs-gateway-dev-data',
  LRS_ENDPOINT: 'https://127.0.0.1:8443',
  ORG_SECRET_PREFIX: 'lrs-gateway/dev/org/',
  REGISTRY_TABLE_NAME: 'lrs-gateway-dev-registry',
  OPERATION_QUEUE_URLS: '{"findLearnerByUln":"http://127.0.0.1:4566/000000000000/q"}',
};

describe('loadRuntimeConfig', () => {
  it('parses the environment and applies defaults', () => {
    expect(loadRuntimeConfig(env)).toEqual({
      stage: 'dev',
      tableName: 'lrs-gateway-dev-data',
      lrsEndpoint: 'https://127.0.0.1:8443',
      lrsTimeoutMs: 20_000,
      orgSecretPrefix: 'lrs-gateway/dev/org/',
      registryTableName: 'lrs-gateway-dev-registry',
      registryCacheSeconds: 30,
      trustedSenderIds: [],
      operationQueueUrls: { findLearnerByUln: 'http://127.0.0.1:4566/000000000000/q' },
      dataTtlDays: 30,
      lrsServiceHours: undefined,
    });
  });

  it('names every bad variable in one ConfigurationError', () => {
    const bad = {
      ...env,
      LRS_ENDPOINT: 'http://lrs',
      OPERATION_QUEUE_URLS: '{not json',
      DATA_TTL_DAYS: '-1',
      REGISTRY_TABLE_NAME: '',
    };
    let error: unknown;
    try {
      loadRuntimeConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ['LRS_ENDPOINT', 'OPERATION_QUEUE_URLS', 'DATA_TTL_DAYS', 'REGISTRY_TABLE_NAME']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('{not json');
  });

  it('reads the LRS service hours, and names the variable when they are malformed', () => {
    const config = loadRuntimeConfig({ ...env, LRS_SERVICE_HOURS: 'Mon-Fri 08:00-18:00 Europe/London' });
    expect(config.lrsServiceHours).toEqual({
      timeZone: 'Europe/London',
      open: '08:00',
      close: '18:00',
      days: [1, 2, 3, 4, 5],
    });
    expect(() => loadRuntimeConfig({ ...env, LRS_SERVICE_HOURS: 'weekdays' })).toThrow(/LRS_SERVICE_HOURS/);
  });

  it('reads the trusted SQS sender ids (the gateway roles) and rejects malformed ones', () => {
    const config = loadRuntimeConfig({ ...env, TRUSTED_SENDER_IDS: 'AROAEXAMPLE1, AROAEXAMPLE2' });
    expect(config.trustedSenderIds).toEqual(['AROAEXAMPLE1', 'AROAEXAMPLE2']);
    expect(() => loadRuntimeConfig({ ...env, TRUSTED_SENDER_IDS: 'has space' })).toThrow(
      /TRUSTED_SENDER_IDS/,
    );
    expect(() => loadRuntimeConfig({ ...env, REGISTRY_CACHE_SECONDS: 'x' })).toThrow(
      /REGISTRY_CACHE_SECONDS/,
    );
  });

  it('reads the largest LRS answer accepted, within 64 KiB to 64 MiB', () => {
    expect(loadRuntimeConfig({ ...env, LRS_MAX_RESPONSE_BYTES: '4194304' }).lrsMaxResponseBytes).toBe(
      4_194_304,
    );
    expect(loadRuntimeConfig(env).lrsMaxResponseBytes).toBeUndefined();
    expect(() => loadRuntimeConfig({ ...env, LRS_MAX_RESPONSE_BYTES: '100' })).toThrow(
      /LRS_MAX_RESPONSE_BYTES/,
    );
  });
});
