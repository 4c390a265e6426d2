/** Construct props are checked at synth time, with messages naming the prop and the rule. */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { GatewayFunction } from '../../infra/constructs/gateway-function.js';
import {
  OperationFunction,
  type OperationFunctionProps,
  operationFunctionProblems,
} from '../../infra/constructs/operation-function.js';
import { acknowledge } from '../../infra/support/nag.js';
import { OPERATIONS } from '../../shared/lrs/contract/operations.js';
import { codeRootForTests } from './support.js';

const props = (
  stack: Stack,
  change: Partial<OperationFunctionProps['queue']> = {},
): OperationFunctionProps => {
  const key = new Key(stack, 'Key');
  return {
    operation: OPERATIONS.findLearnerByUln,
    functionName: 'fn',
    entry: 'functions/find-learner-by-uln/handler.ts',
    codeRoot: codeRootForTests().codeRoot,
    timeout: Duration.seconds(30),
    memorySize: 512,
    queue: {
      queueName: 'q',
      dlqName: 'q-dlq',
      visibilityTimeout: Duration.seconds(180),
      retention: Duration.days(4),
      dlqRetention: Duration.days(14),
      maxReceiveCount: 5,
      batchSize: 10,
      maxConcurrency: 2,
      ...change,
    },
    environment: {},
    table: new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    registryTable: new TableV2(stack, 'Registry', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    }),
    key,
    orgSecrets: {
      arnPattern: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:lrs-gateway/dev/org/*',
      key,
      rolePath: '/lrs-gateway/dev/org-secret-reader/',
    },
    logRetentionDays: 7,
    removalPolicy: RemovalPolicy.DESTROY,
    alarmTopic: new Topic(stack, 'Topic'),
    errorThreshold: 1,
    queueUrlsVariable: 'OPERATION_QUEUE_URLS',
  };
};

describe('OperationFunction props', () => {
  it('accepts the shared defaults', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    const valid = props(stack);
    expect(operationFunctionProblems(valid)).toEqual([]);
    const op = new OperationFunction(stack, 'Op', valid);
    expect(op.queue.node.path).toBe('S/Op/Queue');
  });

  it('refuses a visibility timeout under 6x the function timeout, saying why', () => {
    const stack = new Stack(new App(), 'S');
    expect(
      () => new OperationFunction(stack, 'Op', props(stack, { visibilityTimeout: Duration.seconds(179) })),
    ).toThrow(
      /S\/Op \(findLearnerByUln\):[\s\S]*queue\.visibilityTimeout \(179 s\) must be at least 6x the function timeout \(180 s\)/,
    );
  });

  it.each([
    [{ maxReceiveCount: 0 }, 'queue.maxReceiveCount'],
    [{ batchSize: 11 }, 'queue.batchSize'],
    [{ maxConcurrency: 1 }, 'queue.maxConcurrency'],
    [{ dlqRetention: Duration.days(1) }, 'queue.dlqRetention'],
    [{ retention: Duration.days(15) }, 'queue.retention'],
  ] as [Partial<OperationFunctionProps['queue']>, string][])('refuses %j naming %s', (change, field) => {
    const stack = new Stack(new App(), 'S');
    const problems = operationFunctionProblems(props(stack, change));
    expect(problems.some((p) => p.startsWith(field))).toBe(true);
  });

  it.each([
    'arn:aws:secretsmanager:eu-west-2:123456789012:secret:*',
    'arn:aws:secretsmanager:eu-west-2:123456789012:secret:lrs-gateway/dev/org/10000000',
    'arn:aws:secretsmanager:eu-west-2:123456789012:secret:lrs-gateway/*/org/*',
  ])('refuses an organisation secret grant that is not one name prefix: %s', (arnPattern) => {
    const stack = new Stack(new App(), 'S');
    const p = props(stack);
    expect(operationFunctionProblems({ ...p, orgSecrets: { ...p.orgSecrets, arnPattern } })).toContain(
      'orgSecrets.arnPattern must be a secret name prefix pattern ending in "/*"',
    );
  });
});

describe('GatewayFunction props', () => {
  it('refuses an entry file that does not exist', () => {
    const stack = new Stack(new App(), 'S');
    const p = props(stack);
    expect(
      () =>
        new GatewayFunction(stack, 'Fn', {
          ...p,
          entry: 'functions/no-such-function/handler.ts',
          description: 'x',
          environment: {},
        }),
    ).toThrow('S/Fn: entry file functions/no-such-function/handler.ts does not exist');
  });
});

describe('acknowledge', () => {
  it('refuses to acknowledge a cdk-nag rule without a real reason', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => acknowledge(stack, 'AwsSolutions-SQS3', '')).toThrow(/needs a reason/);
    expect(() => acknowledge(stack, 'AwsSolutions-SQS3', 'because')).toThrow(/needs a reason/);
  });
});
