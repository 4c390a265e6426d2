/**
 * An in-process dynalite with the single table, for tests of the DynamoDB adapter on their own
 * (the full stack in test/support/local-stack.ts is only needed when the LRS is involved too).
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../../../local/resources.js';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { useFileFixture } from '../../support/file-fixture.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number }) => Server;

export interface LocalTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

export const startLocalTable = async (tableName = 'lrs-gateway-test-data'): Promise<LocalTable> => {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await createTable(client, tableName);
  return {
    client,
    tableName,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
};

/** A local table for the tests of the calling file (started before them, closed after). */
export const useLocalTable = (): LocalTable =>
  useFileFixture(
    'The local table',
    () => startLocalTable(),
    (table) => table.close(),
  );

/** The results store on a local table. */
export const resultsStoreOn = (table: LocalTable): DynamoDbResultsStore =>
  new DynamoDbResultsStore({ tableName: table.tableName, client: table.client });
