/**
 * Reserved concurrency: each operation function gets the stage's LRS budget (the most LRS calls in flight,
 * HTTP and queues together, so the most invocations of one function that can be waiting on the LRS) plus
 * headroom for the calls the budget answers at once (429, re-queued work), each platform function a fixed
 * share, so that one busy operation can neither starve the others nor the rest of the account. Checked at
 * synth against the account quota and against the queue's event source maximum concurrency.
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
  lrs: { readonly budget: number; readonly queueMaxConcurrency: number },
  operationCount: number,
  platformCount: number,
  config: ConcurrencyConfig = DEFAULT_CONCURRENCY,
): { plan: ConcurrencyPlan; problems: string[] } {
  const { budget, queueMaxConcurrency } = lrs;
  const operationFunction = budget + config.httpHeadroom;
  const total = operationFunction * operationCount + config.platformFunction * platformCount;
  const problems: string[] = [];
  const available = config.accountLimit - LAMBDA_UNRESERVED_MINIMUM;
  if (total > available) {
    problems.push(
      `stages.${stageName}.concurrency: the functions reserve ${total} (${operationCount} x (LRS budget ` +
        `${budget} + httpHeadroom ${config.httpHeadroom}) + ${platformCount} x platformFunction ` +
        `${config.platformFunction}), more than the ${available} an account limit of ${config.accountLimit} ` +
        `leaves after Lambda's ${LAMBDA_UNRESERVED_MINIMUM} unreserved: lower them or raise the quota and accountLimit`,
    );
  }
  if (operationFunction <= queueMaxConcurrency) {
    problems.push(
      `stages.${stageName}.lrsBudget: the LRS budget plus httpHeadroom (${operationFunction}) must exceed ` +
        `lrsMaxConcurrency (${queueMaxConcurrency}), or the queue alone takes every reserved invocation`,
    );
  }
  return { plan: { operationFunction, platformFunction: config.platformFunction, total }, problems };
}

/** Sets ReservedConcurrentExecutions on a function built by the L2 construct. */
export function reserveConcurrency(fn: IConstruct, reserved: number): void {
  (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
}
