/**
 * An SQS client loaded on first use: most invocations never send to a queue, so a cold start does not pay
 * for evaluating the SQS client (a dynamic import stays lazy inside the bundle). Its calls are traced.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { tracedClient } from '../observability/tracer.js';

export type LoadedSqs = { readonly api: typeof import('@aws-sdk/client-sqs'); readonly sqs: SQSClient };

/** A loader of one SQS client (and the package's commands), made on its first call. */
export const lazySqs = (): (() => Promise<LoadedSqs>) => {
  let loaded: Promise<LoadedSqs> | undefined;
  return () => {
    loaded ??= import('@aws-sdk/client-sqs').then((api) => ({
      api,
      // Queue URLs name the queue's host; send to the configured/regional endpoint instead.
      sqs: tracedClient(new api.SQSClient({ useQueueUrlAsEndpoint: false })),
    }));
    return loaded;
  };
};
