/**
 * The adapters of the daily certificate check: the stage's registry (which organisations to check) and
 * their secrets, read fresh on every run (no cache: a rotated certificate counts the next day).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRegistry } from '../adapters/dynamodb-registry.js';
import { SecretsManagerCredentialsSource } from '../adapters/secrets-manager-credentials.js';
import type { CredentialsSource } from '../ports/credentials.js';
import type { Registry } from '../ports/registry.js';

export const certificateCheckRegistry = (tableName: string): Pick<Registry, 'listOrganisations'> =>
  new DynamoDbRegistry({ tableName, client: new DynamoDBClient({}) });

export const certificateCheckCredentials = (secretPrefix: string): CredentialsSource =>
  new SecretsManagerCredentialsSource({ secretPrefix, cacheTtlMs: 0 });
