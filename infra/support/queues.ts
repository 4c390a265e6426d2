/**
 * The one way the stacks make a dead-letter queue: encrypted, TLS only, kept 14 days or as the caller
 * says, with the cdk-nag finding (a dead-letter queue has no dead-letter queue of its own) acknowledged.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag.js';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  readonly retentionPeriod: Duration;
  readonly removalPolicy?: RemovalPolicy;
  /** What the queue is the dead-letter queue of, e.g. `the operation queue`. */
  readonly of: string;
}

/** A dead-letter queue with the construct id `DeadLetterQueue` in `scope`. */
export function deadLetterQueue(scope: Construct, props: DeadLetterQueueProps): Queue {
  const queue = new Queue(scope, 'DeadLetterQueue', {
    queueName: props.queueName,
    retentionPeriod: props.retentionPeriod,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: props.removalPolicy,
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    `This queue is the dead-letter queue of ${props.of}; an alarm fires as soon as it holds a message.`,
  );
  return queue;
}
