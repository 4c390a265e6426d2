import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, PortInUseError, startDynalite, startEmulators } from '../../local/emulators.js';
import { localClients } from '../../local/resources.js';
import { isListening as canConnect } from '../support/net.js';

let emulators: Emulators;
let aws: ReturnType<typeof localClients>;

beforeAll(async () => {
  emulators = await startEmulators();
  aws = localClients(emulators);
});
afterAll(async () => {
  for (const client of aws ? [aws.dynamodb, aws.sqs, aws.secretsManager] : []) client.destroy();
  await emulators?.close();
});

describe('emulators', () => {
  it('listen on 127.0.0.1 only', () => {
    for (const url of [emulators.dynamodb.url, emulators.sqs.url, emulators.secretsManager.url]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
    }
  });

  it('DynamoDB: creates a table and round-trips an item through the document client', async () => {
    const client = aws.dynamodb;
    const doc = DynamoDBDocumentClient.from(client);
    await client.send(
      new CreateTableCommand({
        TableName: 'emu-test',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const table = await client.send(new DescribeTableCommand({ TableName: 'emu-test' }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');

    await doc.send(
      new PutCommand({ TableName: 'emu-test', Item: { pk: 'REQ#1', sk: 'META', status: 'PENDING', n: 3 } }),
    );
    const got = await doc.send(new GetCommand({ TableName: 'emu-test', Key: { pk: 'REQ#1', sk: 'META' } }));
    expect(got.Item).toEqual({ pk: 'REQ#1', sk: 'META', status: 'PENDING', n: 3 });
  });

  it('SQS: queue URLs use 127.0.0.1, so a client configured only by AWS_ENDPOINT_URL_SQS reaches them', async () => {
    const sqs = aws.sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'emu-url' }));
    expect(QueueUrl).toBe(`${emulators.sqs.url}/000000000000/emu-url`);
    // The functions build `new SQSClient({})` and rely on the environment, as on Lambda.
    Object.assign(process.env, emulators.awsEnv);
    const plain = new SQSClient({});
    await plain.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    const got = await plain.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]?.Body).toBe('x');
    plain.destroy();
  });

  it('SQS: a message received maxReceiveCount times without being deleted moves to the DLQ', async () => {
    const sqs = aws.sqs;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'emu-redrive-dlq' }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const q = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'emu-redrive',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: q.QueueUrl, MessageBody: 'poison' }));

    const counts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: q.QueueUrl,
          WaitTimeSeconds: 3,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      counts.push(r.Messages?.[0]?.Attributes?.ApproximateReceiveCount ?? 'none');
    }
    expect(counts).toEqual(['1', '2']);
    // The third receive finds it over its limit: it goes to the DLQ instead of being delivered.
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 2 }));
    expect(third.Messages ?? []).toHaveLength(0);
    const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1 }));
    expect(parked.Messages?.[0]?.Body).toBe('poison');
  });

  it('SQS: long polling waits for a message and returns as soon as one arrives', async () => {
    const sqs = aws.sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'emu-longpoll' }));
    const emptyStart = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(empty.Messages ?? []).toHaveLength(0);
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(900);

    const started = Date.now();
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' })), 200);
    const got = await receiving;
    expect(got.Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('Secrets Manager: create, read, replace, describe, list; unknown secret is ResourceNotFoundException', async () => {
    const sm = aws.secretsManager;
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'lrs-gateway/t/org/TEST0001', SecretString: '{"v":1}' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:eu-west-2:000000000000:secret:lrs-gateway\/t\/org\/TEST0001-/,
    );
    const first = await sm.send(new GetSecretValueCommand({ SecretId: 'lrs-gateway/t/org/TEST0001' }));
    expect(first.SecretString).toBe('{"v":1}');
    expect(first.VersionStages).toEqual(['AWSCURRENT']);
    expect(first.CreatedDate).toBeInstanceOf(Date);

    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"v":2}' }));
    const second = await sm.send(new GetSecretValueCommand({ SecretId: 'lrs-gateway/t/org/TEST0001' }));
    expect(second.SecretString).toBe('{"v":2}');
    expect(second.VersionId).toBe(put.VersionId);
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: 'lrs-gateway/t/org/TEST0001', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('{"v":1}');

    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'lrs-gateway/t/org/TEST0001' }));
    expect(described.Name).toBe('lrs-gateway/t/org/TEST0001');
    expect(described.VersionIdsToStages?.[put.VersionId ?? '']).toEqual(['AWSCURRENT']);
    const listed = await sm.send(new ListSecretsCommand({}));
    expect(listed.SecretList?.map((s) => s.Name)).toContain('lrs-gateway/t/org/TEST0001');

    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'lrs-gateway/t/org/NOPE0000' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'lrs-gateway/t/org/TEST0001', SecretString: '{}' })),
    ).rejects.toMatchObject({ name: 'ResourceExistsException' });
  });

  it('a taken fixed port fails with a clear error naming the port, and nothing is left listening', async () => {
    const attempt = startEmulators({
      ports: { sqs: emulators.sqs.port },
      portHints: { sqs: 'Set LOCAL_SQS_PORT.' },
    });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `Port ${emulators.sqs.port} on 127.0.0.1 \\(wanted by SQS \\(fauxqs\\)\\) is already in use. Set LOCAL_SQS_PORT.`,
      ),
    );
  });

  it('close releases every port', async () => {
    const other = await startEmulators();
    const ports = [other.dynamodb.port, other.sqs.port, other.secretsManager.port];
    expect(await Promise.all(ports.map(canConnect))).toEqual([true, true, true]);
    await other.close();
    expect(await Promise.all(ports.map(canConnect))).toEqual([false, false, false]);
  });

  it('use a DynamoDB emulator running elsewhere instead of their own, and leave it running on close', async () => {
    const outside = await startDynalite(0);
    try {
      const other = await startEmulators({ dynamodb: { url: outside.url, port: outside.port } });
      expect(other.dynamodb).toEqual({ url: outside.url, port: outside.port });
      expect(other.awsEnv.AWS_ENDPOINT_URL_DYNAMODB).toBe(outside.url);
      await other.close();
      expect(await canConnect(outside.port)).toBe(true);
    } finally {
      await outside.close();
    }
    expect(await canConnect(outside.port)).toBe(false);
  });
});
