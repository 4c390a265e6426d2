/**
 * Powertools Metrics (CloudWatch EMF on stdout). One metric namespace for the gateway; dimensions are
 * the operation and the LRS outcome code or error code: both bounded sets.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './logger.js';

/** POWERTOOLS_METRICS_NAMESPACE (`LrsGateway/<stage>`, set by the CDK app) wins over this fallback. */
export const METRIC_NAMESPACE = 'LrsGateway/local';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
});

/** What the use cases record (Powertools in functions, a fake in unit tests). */
export interface AppMetrics {
  /** One LRS request finished with an outcome (`code` is the LRS code). */
  outcome(operation: string, code: string, lrsDurationMs: number): void;
  /** One request failed (`code` is the AppError code, e.g. LRS_UNAVAILABLE). */
  failure(operation: string, code: string): void;
}

/** A metric with its own dimensions, published at once (a single metric flushes on addMetric). */
const emit = (
  dimensions: Record<string, string>,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void => {
  const m = metrics.singleMetric();
  m.addDimensions(dimensions);
  m.addMetric(name, unit, value);
};

export const appMetrics: AppMetrics = {
  outcome: (operation, code, lrsDurationMs) => {
    emit({ operation, outcome: code }, 'LrsOutcome', MetricUnit.Count, 1);
    emit({ operation }, 'LrsDuration', MetricUnit.Milliseconds, lrsDurationMs);
  },
  failure: (operation, code) => {
    emit({ operation, error: code }, 'RequestFailed', MetricUnit.Count, 1);
  },
};
