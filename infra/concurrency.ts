/**
 * Reserved concurrency: each operation function gets its queue's LRS budget (the event source's maximum
 * concurrency) plus headroom for API calls, each platform function a fixed share, so that one busy operation
 * can neither starve the others nor the rest of the account. Checked at synth against the account quota.
 */
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import {
  type ConcurrencyConfig,
  DEFAULT_CONCURRENCY,
  LAMBDA_UNRESERVED_MINIMUM,
} from './config/production.js';

export interface ConcurrencyPlan {
  readonly operationFunction: number;
  readonly platformFunction: number;
  readonly total: number;
}

/** The reservation of each function, or every problem that makes it undeployable or unsafe. */
export function planConcurrency(
  stageName: string,
  queueMaxConcurrency: number,
  operationCount: number,
  platformCount: number,
  config: ConcurrencyConfig = DEFAULT_CONCURRENCY,
): { plan: ConcurrencyPlan; problems: string[] } {
  const operationFunction = queueMaxConcurrency + config.httpHeadroom;
  const total = operationFunction * operationCount + config.platformFunction * platformCount;
  const problems: string[] = [];
  const available = config.accountLimit - LAMBDA_UNRESERVED_MINIMUM;
  if (total > available) {
    problems.push(
      `stages.${stageName}.concurrency: the functions reserve ${total} (${operationCount} x (lrsMaxConcurrency ` +
        `${queueMaxConcurrency} + httpHeadroom ${config.httpHeadroom}) + ${platformCount} x platformFunction ` +
        `${config.platformFunction}), more than the ${available} an account limit of ${config.accountLimit} ` +
        `leaves after Lambda's ${LAMBDA_UNRESERVED_MINIMUM} unreserved: lower them or raise the quota and accountLimit`,
    );
  }
  if (operationFunction <= queueMaxConcurrency) {
    problems.push(
      `stages.${stageName}.concurrency.httpHeadroom: must leave room for API calls above the queue budget`,
    );
  }
  return { plan: { operationFunction, platformFunction: config.platformFunction, total }, problems };
}

/** Sets ReservedConcurrentExecutions on a function built by the L2 construct. */
export function reserveConcurrency(fn: IConstruct, reserved: number): void {
  (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
}
