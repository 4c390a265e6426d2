/**
 * AWS SDK v3 calls as X-Ray receives them: a DynamoDBClient traced by `tracedClient` against dynalite,
 * and against a plain HTTP server on loopback answering as DynamoDB does when it throttles or fails. Each
 * call is one `aws` subsegment with the X-Ray capture's `aws` block and status; the SDK's own result or
 * error is what an untraced client gets.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { traced, tracedClient } from '../../../shared/observability/tracer.js';
import { type LocalTable, startLocalTable } from '../../integration/api/dynalite.js';
import { type Daemon, HEX16, inLambda, PARENT, ROOT, startDaemon, traceHeader } from './xray-daemon.js';

let daemon: Daemon;
let table: LocalTable;
/** Answers every request with the status and DynamoDB error body of `answer`; keeps the requests' headers. */
let stub: Server;
let answer: { status: number; type: string; message: string } = { status: 400, type: '', message: '' };
const stubHeaders: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  daemon = await startDaemon();
  table = await startLocalTable();
  stub = createServer((req, res) => {
    stubHeaders.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'STUBREQUEST0001',
      });
      res.end(
        JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`,
          message: answer.message,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await daemon.close();
  await table.close();
  await new Promise((resolve) => stub.close(resolve));
});
afterEach(() => vi.unstubAllEnvs());

const clientOf = (endpoint: string, maxAttempts = 1) =>
  new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
const stubUrl = () => `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
const dynaliteUrl = async () => {
  const endpoint = await table.client.config.endpoint?.();
  return `http://${endpoint?.hostname}:${endpoint?.port}`;
};

type SdkError = Error & { readonly $metadata: { readonly attempts?: number } };
/** The error `call` fails with (the test fails if it succeeds). */
const failureOf = (call: Promise<unknown>): Promise<SdkError> =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as SdkError,
  );

const item = { pk: { S: 'TRACE#1' }, sk: { S: 'ITEM' }, familyName: { S: 'Smith' } };

describe('tracedClient', () => {
  it('sends one aws subsegment per call with the operation, region, table, request id, retries and status; the result is unchanged', async () => {
    inLambda(daemon.address);
    const url = await dynaliteUrl();
    // Traced twice: the middleware is replaced, not stacked.
    const traced = tracedClient(tracedClient(clientOf(url)));
    const plain = clientOf(url);
    const from = daemon.docs.length;
    const rawFrom = daemon.raw.length;

    const put = await traced.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
    const got = await traced.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    const docs = await daemon.next(2, from);

    const untraced = await plain.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(got.Item).toEqual(item);
    expect(got.Item).toEqual(untraced.Item);
    expect(Object.keys(got).sort()).toEqual(Object.keys(untraced).sort());

    expect(docs.map((d) => d.aws?.operation)).toEqual(['PutItem', 'GetItem']);
    for (const [i, d] of docs.entries()) {
      const result = [put, got][i];
      expect(d).toMatchObject({
        type: 'subsegment',
        name: 'DynamoDB',
        namespace: 'aws',
        trace_id: ROOT,
        parent_id: PARENT,
        id: expect.stringMatching(HEX16),
        aws: {
          region: 'eu-west-2',
          table_name: table.tableName,
          request_id: result?.$metadata.requestId,
          retries: 0,
        },
        http: { response: { status: 200 } },
      });
      expect(d.end_time as number).toBeGreaterThan(d.start_time as number);
      expect(d).not.toHaveProperty('error');
      expect(d).not.toHaveProperty('fault');
      expect(d).not.toHaveProperty('throttle');
    }
    // No item data in what is sent.
    expect(daemon.raw.slice(rawFrom).join('')).not.toMatch(/Smith|TRACE#1/);
    expect(daemon.raw.length).toBe(rawFrom + 2);
    plain.destroy();
    traced.destroy();
  });

  it('flags a 400 ThrottlingException as error and throttle, passes the trace on, and throws the SDK error unchanged', async () => {
    inLambda(daemon.address);
    answer = {
      status: 400,
      type: 'ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    };
    const from = daemon.docs.length;
    stubHeaders.length = 0;
    const traced = tracedClient(clientOf(stubUrl()));
    const plain = clientOf(stubUrl());
    const get = () => new GetItemCommand({ TableName: 'orgs', Key: { pk: { S: 'ORG#Smith' } } });

    const tracedError = await failureOf(traced.send(get()));
    const plainError = await failureOf(plain.send(get()));
    const [doc] = await daemon.next(1, from);

    expect(tracedError).toBeInstanceOf(Error);
    expect(tracedError.constructor).toBe(plainError.constructor);
    expect(tracedError.name).toBe('ThrottlingException');
    expect(tracedError.message).toBe(plainError.message);
    expect(tracedError.$metadata).toEqual(plainError.$metadata);
    expect(doc).toMatchObject({
      name: 'DynamoDB',
      namespace: 'aws',
      error: true,
      throttle: true,
      aws: {
        operation: 'GetItem',
        region: 'eu-west-2',
        table_name: 'orgs',
        request_id: 'STUBREQUEST0001',
        retries: 0,
      },
      http: { response: { status: 400 } },
    });
    expect(doc).not.toHaveProperty('fault');
    expect(JSON.stringify(doc)).not.toMatch(/Rate of requests|Smith|cause/);
    // The service sees this subsegment as the caller (SQS hands the header on to the consumer's trace).
    expect(stubHeaders[0]?.['x-amzn-trace-id']).toBe(
      `Root=${ROOT};Parent=${doc?.id};Sampled=1;Lineage=a87bd80c:1|68fd508a:5`,
    );
    traced.destroy();
    plain.destroy();
  });

  it('flags a 500 as fault and counts the SDK retries', async () => {
    inLambda(daemon.address);
    answer = { status: 500, type: 'InternalServerError', message: 'Internal server error' };
    const from = daemon.docs.length;
    const traced = tracedClient(clientOf(stubUrl(), 2));
    const error = await failureOf(
      traced.send(new GetItemCommand({ TableName: 'orgs', Key: { pk: { S: 'x' } } })),
    );
    const [doc] = await daemon.next(1, from);
    expect(error.name).toBe('InternalServerError');
    expect(error.$metadata.attempts).toBe(2);
    expect(doc).toMatchObject({ fault: true, aws: { retries: 1 }, http: { response: { status: 500 } } });
    expect(doc).not.toHaveProperty('error');
    expect(doc).not.toHaveProperty('throttle');
    traced.destroy();
  });

  it('flags a call that got no answer as fault, without an http block', async () => {
    inLambda(daemon.address);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const from = daemon.docs.length;
    const traced = tracedClient(clientOf(`http://127.0.0.1:${port}`));
    await expect(
      traced.send(new GetItemCommand({ TableName: 'orgs', Key: { pk: { S: 'x' } } })),
    ).rejects.toThrow(/ECONNREFUSED/);
    const [doc] = await daemon.next(1, from);
    expect(doc).toMatchObject({
      name: 'DynamoDB',
      fault: true,
      aws: { operation: 'GetItem', table_name: 'orgs' },
    });
    expect(doc).not.toHaveProperty('http');
    traced.destroy();
  });

  it('sends nothing for an unsampled invocation and leaves the SDK its own trace header', async () => {
    const unsampled = traceHeader(ROOT, PARENT, '0');
    inLambda(daemon.address, unsampled);
    answer = { status: 400, type: 'ValidationException', message: 'bad' };
    stubHeaders.length = 0;
    const from = daemon.docs.length;
    const traced = tracedClient(clientOf(stubUrl()));
    await expect(
      traced.send(new GetItemCommand({ TableName: 'orgs', Key: { pk: { S: 'x' } } })),
    ).rejects.toThrow('bad');
    // The span sent after it is the first the daemon receives.
    inLambda(daemon.address);
    await sendMarker();
    const [first] = await daemon.next(1, from);
    expect(first?.name).toBe('LRS marker');
    expect(stubHeaders[0]?.['x-amzn-trace-id']).toBe(unsampled);
    traced.destroy();
  });
});

const sendMarker = () => traced('LRS marker', 'getOrganisation', async () => 0);
