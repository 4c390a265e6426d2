/**
 * The organisation and caller registry: organisations (status, secret name, certificate facts), callers,
 * their grants and queue senders, managed at run time with `npm run admin`. Its own table, apart from the
 * learner data: nothing in it expires (no TTL), it is recoverable to any second of the last 35 days (PITR)
 * and encrypted with the stage's data key (used through DynamoDB only).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { REGISTRY, registryTableName } from '../../shared/config/names.js';
import { TABLE_KEY_WRITE_ACTIONS } from './grants.js';

export interface RegistryTableProps {
  readonly stageName: string;
  readonly key: IKey;
  readonly retainData: boolean;
  readonly removalPolicy: RemovalPolicy;
}

export function createRegistryTable(scope: Construct, id: string, props: RegistryTableProps): TableV2 {
  return new TableV2(scope, id, {
    tableName: registryTableName(props.stageName),
    partitionKey: { name: REGISTRY.partitionKey, type: AttributeType.STRING },
    sortKey: { name: REGISTRY.sortKey, type: AttributeType.STRING },
    billing: Billing.onDemand(),
    encryption: TableEncryptionV2.customerManagedKey(props.key),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: props.retainData,
    removalPolicy: props.removalPolicy,
  });
}

/**
 * What the functions may do with the registry, on top of reading items (grantTableData 'read'):
 * - the operation functions note each organisation's last LRS success and failure: writes to organisation
 *   partitions only (`ORG#…`, dynamodb:LeadingKeys), never to callers, grants or senders;
 * - the certificate check lists the organisations (a Scan of the registry, never of the learner data).
 */
export function grantRegistryLrsStatusWrite(grantee: IGrantable, table: ITableV2, key: IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [REGISTRY.organisationPk('*')] },
      },
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...TABLE_KEY_WRITE_ACTIONS], resources: [key.keyArn] }),
  );
}

export function grantRegistryList(grantee: IGrantable, table: ITableV2): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
  );
}
