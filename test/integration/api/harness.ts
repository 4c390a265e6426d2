/**
 * What the API integration test files share: one local stack per file (the LRS simulator over mutual
 * TLS, dynalite, fauxqs and the Secrets Manager emulator, through the real AWS SDK), the real operation
 * handlers called with API Gateway proxy events, the stored record read back through the real store,
 * and the output capture used to prove that nothing personal was logged.
 */
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoDbRegistry } from '../../../shared/adapters/dynamodb-registry.js';
import { DynamoDbResultsStore } from '../../../shared/adapters/dynamodb-results-store.js';
import { ALL_SCOPES, type Scope } from '../../../shared/config/scopes.js';
import { OPERATIONS, type OperationId } from '../../../shared/lrs/contract/operations.js';
import type { StoredRequest } from '../../../shared/ports/results-store.js';
import { type JsonResponse, lambdaContext, parse, proxyEvent } from '../../support/events.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../support/local-stack.js';
import { captureOutput, type PersonalData, personalDataIn } from '../../support/output.js';

export const ORG = 'TEST0001';
export const FIND_ONLY_ORG = 'TEST0003';

export type Handler = (
  event: APIGatewayProxyEvent | SQSEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>;

export interface Harness {
  readonly stack: LocalStack;
  readonly store: DynamoDbResultsStore;
  /** The stack's registry table (write callers and grants straight into it). */
  readonly registry: DynamoDbRegistry;
  /** Registers a caller (every scope unless given) granted these organisations. */
  addCaller(
    callerId: string,
    organisations: readonly string[],
    options?: { readAll?: boolean; scopes?: readonly Scope[]; queueSenders?: readonly string[] },
  ): Promise<void>;
  readonly output: ReturnType<typeof captureOutput>;
  /** The caller id (OAuth client id) the local stack lets act for every organisation. */
  readonly callerId: string;
  handler(op: OperationId): Promise<Handler>;
  /** POST an operation's route through its handler. */
  call<T = Record<string, unknown>>(
    op: OperationId,
    body: unknown,
    options?: {
      headers?: Record<string, string>;
      org?: string | null;
      callerId?: string | null;
      scopes?: readonly string[];
      idempotencyKey?: string;
    },
  ): Promise<JsonResponse<T>>;
  stored(requestId: string): Promise<StoredRequest | undefined>;
  stop(): Promise<void>;
}

export const startHarness = async (options: LocalStackOptions = {}): Promise<Harness> => {
  const output = captureOutput();
  const stack = await startLocalStack({ api: false, pollers: false, ...options });
  // Imported only now: the functions read their configuration from process.env when created.
  const { createOperationHandler } = await import('../../../shared/handlers/operation-handler.js');
  const handlers = new Map<OperationId, Handler>();
  const store = new DynamoDbResultsStore({ tableName: stack.tableName, client: stack.dynamoClient });
  const registry = new DynamoDbRegistry({ tableName: stack.registryTableName, client: stack.dynamoClient });
  const callerId = stack.callers[0]?.clientId ?? '';
  const handler = async (op: OperationId): Promise<Handler> => {
    let h = handlers.get(op);
    if (!h) {
      h = createOperationHandler(op) as Handler;
      handlers.set(op, h);
    }
    return h;
  };
  return {
    stack,
    store,
    registry,
    addCaller: async (id, organisations, o = {}) => {
      const now = new Date().toISOString();
      await registry.putCaller({
        callerId: id,
        name: id,
        status: 'active',
        scopes: [...(o.scopes ?? ALL_SCOPES)],
        ...(o.queueSenders ? { queueSenders: [...o.queueSenders] } : {}),
        createdAt: now,
        updatedAt: now,
      });
      for (const organisationId of organisations) {
        await registry.putGrant({
          callerId: id,
          organisationId,
          readAll: o.readAll ?? false,
          createdAt: now,
        });
      }
    },
    output,
    callerId,
    handler,
    call: async (op, body, o = {}) => {
      const h = await handler(op);
      const headers: Record<string, string> = {
        ...(o.org === null ? {} : { 'X-LRS-Organisation': o.org ?? ORG }),
        ...(o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : {}),
        ...(o.headers ?? {}),
      };
      const event = proxyEvent({
        path: OPERATIONS[op].route.path,
        body,
        headers,
        callerId: o.callerId === undefined ? callerId : o.callerId,
        ...(o.scopes ? { scopes: o.scopes } : {}),
      });
      return parse(await h(event, lambdaContext(`lrs-gateway-test-${op}`)));
    },
    stored: (requestId) => store.get(requestId),
    stop: async () => {
      output.restore();
      await stack.stop();
    },
  };
};

/**
 * The closing check of a file: its calls were logged (each of `logged` is in the output) and no log line
 * carries the personal data of `learners` (a name, a date of birth, a postcode).
 */
export const describeLogs = (
  harness: () => Harness,
  logged: readonly string[],
  learners: () => readonly PersonalData[],
): void => {
  describe('logs', () => {
    it('wrote no learner name, date of birth or postcode', () => {
      const text = harness().output.text();
      for (const line of logged) expect(text).toContain(line);
      expect(personalDataIn(text, learners())).toEqual([]);
    });
  });
};
