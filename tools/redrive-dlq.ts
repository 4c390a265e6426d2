/**
 * Operator tool: move messages from an operation's dead-letter queue back to its queue, once whatever
 * made them fail (a long LRS outage, a wrong secret) is fixed. Works against AWS and the local emulator
 * (set AWS_ENDPOINT_URL_SQS, as `npm start` prints).
 *
 *   npm run redrive -- --stage dev --operation verifyLearner [--max 100] [--dry-run]
 *   npm run redrive -- --stage dev --all
 *
 * Each message is sent to the queue first and deleted from the DLQ after (a crash in between leaves a
 * duplicate, which the gateway processes once: request ids are idempotent). The gateway's own
 * out-of-hours bookkeeping (`retry`) is dropped so the message starts afresh. The tool prints message and
 * request ids only, never a body: bodies hold learner data.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { operationDlqName, operationQueueName } from '../shared/config/resources.js';
import { OPERATION_IDS, type OperationId } from '../shared/lrs/contract/operations.js';

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly dlqUrl: string;
  readonly targetUrl: string;
  /** Stop after this many messages (default: until the DLQ reads empty). */
  readonly maxMessages?: number;
  /** List what would move, move nothing. */
  readonly dryRun?: boolean;
  /** How long a received message stays hidden while it is moved (default 60 s). */
  readonly visibilityTimeoutSeconds?: number;
}

export interface RedrivenMessage {
  readonly messageId: string;
  /** The gateway request id in the body, when it has one. */
  readonly requestId?: string;
}

export interface RedriveReport {
  readonly moved: readonly RedrivenMessage[];
  readonly dryRun: boolean;
}

/** The body to send back: the gateway's re-send bookkeeping removed, anything else untouched. */
export const redrivenBody = (body: string): string => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'retry' in parsed) {
      const { retry: _retry, ...rest } = parsed as Record<string, unknown>;
      return JSON.stringify(rest);
    }
  } catch {
    // Not JSON: send it back as it is (the worker records it as invalid).
  }
  return body;
};

const requestIdOf = (body: string | undefined): string | undefined => {
  try {
    const id = (JSON.parse(body ?? '') as { requestId?: unknown }).requestId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

export const redriveDlq = async (options: RedriveOptions): Promise<RedriveReport> => {
  const { sqs, dlqUrl, targetUrl } = options;
  const max = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const dryRun = options.dryRun ?? false;
  const moved: RedrivenMessage[] = [];
  const seen = new Set<string>();
  const held: Message[] = [];
  while (moved.length < max) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = (received.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (messages.length === 0) break;
    for (const m of messages) seen.add(m.MessageId as string);
    if (dryRun) {
      held.push(...messages);
      moved.push(...messages.map((m) => ({ messageId: m.MessageId as string, ...idOf(m) })));
      continue;
    }
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: targetUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: redrivenBody(m.Body ?? ''),
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
            ? { MessageAttributes: m.MessageAttributes }
            : {}),
        })),
      }),
    );
    const failed = new Set((sent.Failed ?? []).map((f) => f.Id));
    const done = messages.filter((_, i) => !failed.has(String(i)));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    moved.push(...done.map((m) => ({ messageId: m.MessageId as string, ...idOf(m) })));
    if (failed.size > 0) throw new Error(`SQS refused ${failed.size} message(s); they stay in the DLQ`);
  }
  // A dry run gives the messages back at once.
  for (let i = 0; i < held.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: dlqUrl,
        Entries: held.slice(i, i + 10).map((m, n) => ({
          Id: String(n),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return { moved, dryRun };
};

const idOf = (m: Message): { requestId?: string } => {
  const requestId = requestIdOf(m.Body);
  return requestId ? { requestId } : {};
};

/** Queue URLs of an operation on a stage, looked up by the deployed names. */
export const queueUrlsOf = async (
  sqs: SQSClient,
  stage: string,
  op: OperationId,
): Promise<{ queueUrl: string; dlqUrl: string }> => {
  const url = async (name: string) => {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error(`Queue ${name} not found`);
    return out.QueueUrl;
  };
  return {
    queueUrl: await url(operationQueueName(stage, op)),
    dlqUrl: await url(operationDlqName(stage, op)),
  };
};

const USAGE =
  'Usage: npm run redrive -- --stage <stage> (--operation <operationId> ... | --all) [--max N] [--dry-run]\n' +
  `Operations: ${OPERATION_IDS.join(', ')}`;

export const main = async (argv: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stage: { type: 'string' },
      operation: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      max: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const ops = values.all ? [...OPERATION_IDS] : (values.operation ?? []);
  const unknown = ops.filter((o) => !(OPERATION_IDS as readonly string[]).includes(o));
  const max = values.max === undefined ? undefined : Number(values.max);
  if (!values.stage || ops.length === 0 || unknown.length > 0 || (max !== undefined && !(max > 0))) {
    console.error(unknown.length > 0 ? `Unknown operation(s): ${unknown.join(', ')}\n${USAGE}` : USAGE);
    return 2;
  }
  // Queue URLs carry the queue's host; send to the configured or regional endpoint instead.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  try {
    for (const op of ops as OperationId[]) {
      const { queueUrl, dlqUrl } = await queueUrlsOf(sqs, values.stage, op);
      const report = await redriveDlq({
        sqs,
        dlqUrl,
        targetUrl: queueUrl,
        dryRun: values['dry-run'],
        ...(max !== undefined ? { maxMessages: max } : {}),
      });
      const verb = report.dryRun ? 'would move' : 'moved';
      console.log(
        `${op}: ${verb} ${report.moved.length} message(s) from ${operationDlqName(values.stage, op)}`,
      );
      for (const m of report.moved)
        console.log(`  ${m.messageId}${m.requestId ? ` request ${m.requestId}` : ''}`);
    }
    return 0;
  } finally {
    sqs.destroy();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      process.exitCode = 1;
    },
  );
}
