/**
 * The registry on its own DynamoDB table (layout: REGISTRY in shared/config/names.ts; no TTL). Listing
 * scans the table (a few thousand small items at 1,000 organisations and 200 callers, read by the operator
 * CLI and the daily certificate check only); everything on a request's path is a GetItem.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { REGISTRY } from '../config/names.js';
import type { Scope } from '../config/scopes.js';
import type {
  CallerRecord,
  Changes,
  GrantRecord,
  LrsStatusRecord,
  OrganisationRecord,
  Registry,
} from '../ports/registry.js';
import { isConditionFailure, sendIf } from './dynamodb-conditional.js';
import { queryItems } from './dynamodb-query.js';
import { updateItem } from './dynamodb-update.js';

type Item = Record<string, unknown>;

const key = (pk: string, sk: string) => ({ [REGISTRY.partitionKey]: pk, [REGISTRY.sortKey]: sk });
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** The optional text attributes of an item that are there (an empty one counts as absent). */
const texts = <K extends string>(i: Item, names: readonly K[]): Partial<Record<K, string>> =>
  Object.fromEntries(names.flatMap((n) => (str(i[n]) ? [[n, String(i[n])]] : []))) as Partial<
    Record<K, string>
  >;
const times = (i: Item) => ({ createdAt: String(i.createdAt), updatedAt: String(i.updatedAt) });

const toOrganisation = (i: Item): OrganisationRecord => ({
  organisationId: String(i.organisationId),
  status: i.status === 'suspended' ? 'suspended' : 'active',
  secretName: String(i.secretName),
  ...texts(i, ['secretVersionId', 'certificateSubject', 'certificateNotAfter']),
  ...times(i),
});

const toCaller = (i: Item): CallerRecord => ({
  callerId: String(i.callerId),
  name: String(i.name ?? i.callerId),
  status: i.status === 'suspended' ? 'suspended' : 'active',
  scopes: Array.isArray(i.scopes) ? (i.scopes as Scope[]) : [],
  ...(Array.isArray(i.queueSenders) && i.queueSenders.length > 0
    ? { queueSenders: i.queueSenders as string[] }
    : {}),
  ...texts(i, ['usagePlanKey', 'webhookSecretName']),
  ...times(i),
});

const toGrant = (i: Item): GrantRecord => ({
  callerId: String(i.callerId),
  organisationId: String(i.organisationId),
  readAll: i.readAll === true,
  createdAt: String(i.createdAt),
});

export interface DynamoDbRegistryOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}

export class DynamoDbRegistry implements Registry {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(opts: DynamoDbRegistryOptions) {
    this.doc = DynamoDBDocumentClient.from(opts.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = opts.tableName;
  }

  private async getItem(pk: string, sk: string): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(pk, sk) }));
    return out.Item;
  }

  private async scanKind(kind: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#kind = :kind',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':kind': kind },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async put(item: Item): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  private async update(pk: string, sk: string, changes: Item): Promise<boolean> {
    if (Object.values(changes).every((v) => v === undefined))
      return (await this.getItem(pk, sk)) !== undefined;
    return sendIf(this.doc, updateItem(this.tableName, key(pk, sk), { set: changes, exists: true }));
  }

  private async deleteKeys(keys: ReadonlyArray<Record<string, string>>): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0 && attempt >= 5) throw new Error('DynamoDB did not take every delete');
      }
    }
  }

  async getOrganisation(organisationId: string): Promise<OrganisationRecord | undefined> {
    const item = await this.getItem(REGISTRY.organisationPk(organisationId), REGISTRY.organisationSk);
    return item ? toOrganisation(item) : undefined;
  }

  async getCaller(callerId: string): Promise<CallerRecord | undefined> {
    const item = await this.getItem(REGISTRY.callerPk(callerId), REGISTRY.callerSk);
    return item ? toCaller(item) : undefined;
  }

  async getGrant(callerId: string, organisationId: string): Promise<GrantRecord | undefined> {
    const item = await this.getItem(REGISTRY.callerPk(callerId), REGISTRY.grantSk(organisationId));
    return item ? toGrant(item) : undefined;
  }

  async callerForSender(senderId: string): Promise<string | undefined> {
    const item = await this.getItem(REGISTRY.senderPk(senderId), REGISTRY.senderSk);
    return item ? str(item.callerId) : undefined;
  }

  async getLrsStatus(organisationId: string): Promise<LrsStatusRecord | undefined> {
    const item = await this.getItem(REGISTRY.organisationPk(organisationId), REGISTRY.lrsStatusSk);
    if (!item) return undefined;
    return {
      ...(str(item.lastSuccessAt) ? { lastSuccessAt: String(item.lastSuccessAt) } : {}),
      ...(str(item.lastFailureAt) ? { lastFailureAt: String(item.lastFailureAt) } : {}),
      ...(str(item.lastFailureCode) ? { lastFailureCode: String(item.lastFailureCode) } : {}),
    };
  }

  async listOrganisations(): Promise<OrganisationRecord[]> {
    const items = await this.scanKind('organisation');
    return items.map(toOrganisation).sort((a, b) => a.organisationId.localeCompare(b.organisationId));
  }

  async listCallers(): Promise<CallerRecord[]> {
    const items = await this.scanKind('caller');
    return items.map(toCaller).sort((a, b) => a.callerId.localeCompare(b.callerId));
  }

  async listGrants(callerId: string): Promise<GrantRecord[]> {
    const grants: GrantRecord[] = [];
    const items = queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :grant)',
      ExpressionAttributeNames: { '#pk': REGISTRY.partitionKey, '#sk': REGISTRY.sortKey },
      ExpressionAttributeValues: { ':pk': REGISTRY.callerPk(callerId), ':grant': REGISTRY.grantSkPrefix },
    });
    for await (const item of items) grants.push(toGrant(item));
    return grants;
  }

  async putOrganisation(record: OrganisationRecord): Promise<void> {
    await this.put({
      ...key(REGISTRY.organisationPk(record.organisationId), REGISTRY.organisationSk),
      kind: 'organisation',
      ...record,
    });
  }

  updateOrganisation(
    organisationId: string,
    changes: Changes<OrganisationRecord, 'organisationId'>,
  ): Promise<boolean> {
    return this.update(REGISTRY.organisationPk(organisationId), REGISTRY.organisationSk, changes);
  }

  async removeOrganisation(organisationId: string): Promise<void> {
    const grants = (await this.scanKind('grant')).filter((g) => g.organisationId === organisationId);
    await this.deleteKeys([
      ...grants.map((g) => key(REGISTRY.callerPk(String(g.callerId)), REGISTRY.grantSk(organisationId))),
      key(REGISTRY.organisationPk(organisationId), REGISTRY.lrsStatusSk),
      key(REGISTRY.organisationPk(organisationId), REGISTRY.organisationSk),
    ]);
  }

  async putCaller(record: CallerRecord): Promise<void> {
    const previous = await this.getCaller(record.callerId);
    await this.put({
      ...key(REGISTRY.callerPk(record.callerId), REGISTRY.callerSk),
      kind: 'caller',
      ...record,
    });
    await this.syncSenders(record.callerId, previous?.queueSenders ?? [], record.queueSenders ?? []);
  }

  private async syncSenders(callerId: string, before: readonly string[], after: readonly string[]) {
    const gone = before.filter((s) => !after.includes(s));
    await this.deleteKeys(gone.map((s) => key(REGISTRY.senderPk(s), REGISTRY.senderSk)));
    for (const senderId of after) {
      await this.put({
        ...key(REGISTRY.senderPk(senderId), REGISTRY.senderSk),
        kind: 'sender',
        senderId,
        callerId,
      });
    }
  }

  async updateCaller(callerId: string, changes: Changes<CallerRecord, 'callerId'>): Promise<boolean> {
    const previous = changes.queueSenders ? await this.getCaller(callerId) : undefined;
    const ok = await this.update(REGISTRY.callerPk(callerId), REGISTRY.callerSk, changes);
    if (ok && changes.queueSenders) {
      await this.syncSenders(callerId, previous?.queueSenders ?? [], changes.queueSenders);
    }
    return ok;
  }

  async removeCaller(callerId: string): Promise<void> {
    const caller = await this.getCaller(callerId);
    const grants = await this.listGrants(callerId);
    await this.deleteKeys([
      ...grants.map((g) => key(REGISTRY.callerPk(callerId), REGISTRY.grantSk(g.organisationId))),
      ...(caller?.queueSenders ?? []).map((s) => key(REGISTRY.senderPk(s), REGISTRY.senderSk)),
      key(REGISTRY.callerPk(callerId), REGISTRY.localClientSk),
      key(REGISTRY.callerPk(callerId), REGISTRY.callerSk),
    ]);
  }

  async putGrant(record: GrantRecord): Promise<void> {
    await this.put({
      ...key(REGISTRY.callerPk(record.callerId), REGISTRY.grantSk(record.organisationId)),
      kind: 'grant',
      ...record,
    });
  }

  async removeGrant(callerId: string, organisationId: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: key(REGISTRY.callerPk(callerId), REGISTRY.grantSk(organisationId)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async noteLrsResult(
    organisationId: string,
    result: { ok: true; at: Date } | { ok: false; at: Date; code: string },
    minIntervalMs: number,
  ): Promise<void> {
    const field = result.ok ? 'lastSuccessAt' : 'lastFailureAt';
    const at = result.at.toISOString();
    const notBefore = new Date(result.at.getTime() - minIntervalMs).toISOString();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(REGISTRY.organisationPk(organisationId), REGISTRY.lrsStatusSk),
          UpdateExpression: result.ok
            ? 'SET #kind = :kind, #at = :at'
            : 'SET #kind = :kind, #at = :at, #code = :code',
          // ISO times compare as strings. A different failure code is always noted.
          ConditionExpression: result.ok
            ? 'attribute_not_exists(#at) OR #at < :notBefore'
            : 'attribute_not_exists(#at) OR #at < :notBefore OR #code <> :code',
          ExpressionAttributeNames: {
            '#kind': 'kind',
            '#at': field,
            ...(result.ok ? {} : { '#code': 'lastFailureCode' }),
          },
          ExpressionAttributeValues: {
            ':kind': 'lrs-status',
            ':at': at,
            ':notBefore': notBefore,
            ...(result.ok ? {} : { ':code': result.code }),
          },
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  async putLocalClient(callerId: string, secretHash: string): Promise<void> {
    await this.put({
      ...key(REGISTRY.callerPk(callerId), REGISTRY.localClientSk),
      kind: 'local-client',
      callerId,
      secretHash,
    });
  }

  async getLocalClient(callerId: string): Promise<string | undefined> {
    const item = await this.getItem(REGISTRY.callerPk(callerId), REGISTRY.localClientSk);
    return item ? str(item.secretHash) : undefined;
  }
}

/** Creates the registry table (the deployed table's keys, on demand) on a local DynamoDB emulator. */
export const registryKeySchema = {
  AttributeDefinitions: [
    { AttributeName: REGISTRY.partitionKey, AttributeType: 'S' as const },
    { AttributeName: REGISTRY.sortKey, AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: REGISTRY.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: REGISTRY.sortKey, KeyType: 'RANGE' as const },
  ],
};
