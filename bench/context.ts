/** A Lambda context for in-process invocations (no dependencies: the cold-start worker imports it). */
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../local/api-event.js';

export const benchContext = (functionName: string): Context =>
  lambdaContext(functionName, { logStreamName: 'bench' });
