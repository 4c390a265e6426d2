/**
 * The one Powertools Tracer of a function (X-Ray; the function and the API stage run with active tracing).
 * Spans carry the operation name only: never a body, an error message or anything a learner typed.
 * Outside Lambda (tests, npm start) the tracer is disabled and everything runs untraced.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { OperationId } from '../lrs/contract/operations.js';
import type { LrsPort } from '../ports/lrs.js';
import { SERVICE_NAME } from './logger.js';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });

/** Runs `fn` in its own subsegment `name`, annotated with the operation; marks it on failure. */
export async function traced<T>(name: string, operation: OperationId, fn: () => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (parent === undefined) return fn();
  const span = parent.addNewSubsegment(name);
  span.addAnnotation('operation', operation);
  tracer.setSegment(span);
  try {
    return await fn();
  } catch (e) {
    // The flag only: error messages may quote the request.
    span.addErrorFlag();
    throw e;
  } finally {
    span.close();
    tracer.setSegment(parent);
  }
}

/** The LRS port with every call in a `LRS <operation>` subsegment (TLS, SOAP and the LRS's answer time). */
export const tracedLrs = (lrs: LrsPort): LrsPort => ({
  call: (op, request, ctx) => traced(`LRS ${op}`, op, () => lrs.call(op, request, ctx)),
});

/** An AWS SDK v3 client whose every call (DynamoDB reads and writes, SQS sends) is a subsegment. */
export const tracedClient = <T>(client: T): T => tracer.captureAWSv3Client(client);
