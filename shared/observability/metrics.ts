/**
 * Powertools Metrics (CloudWatch EMF on stdout). One metric namespace for the gateway; dimensions are
 * the operation and the LRS outcome code or error code: both bounded sets.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../config/names.js';
import { SERVICE_NAME } from './logger.js';

/** POWERTOOLS_METRICS_NAMESPACE (`LrsGateway/<stage>`, set by the CDK app) wins over this fallback. */
export const METRIC_NAMESPACE = 'LrsGateway/local';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME,
});

/** What the use cases record (Powertools in functions, a fake in unit tests). */
export interface AppMetrics {
  /** One LRS request finished with an outcome (`code` is the LRS code, `outcomeClass` its class). */
  outcome(operation: string, code: string, lrsDurationMs: number, outcomeClass?: string): void;
  /** One request failed (`code` is the AppError code, e.g. LRS_UNAVAILABLE, `reason` why the LRS was). */
  failure(operation: string, code: string, reason?: string): void;
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
  outcome: (operation, code, lrsDurationMs, outcomeClass) => {
    emit({ operation, outcome: code }, METRICS.lrsOutcome, MetricUnit.Count, 1);
    if (outcomeClass) emit({ operation, class: outcomeClass }, METRICS.lrsOutcomeClass, MetricUnit.Count, 1);
    emit({ operation }, METRICS.lrsDuration, MetricUnit.Milliseconds, lrsDurationMs);
  },
  failure: (operation, code, reason) => {
    emit({ operation, error: code }, METRICS.requestFailed, MetricUnit.Count, 1);
    if (code !== 'LRS_UNAVAILABLE' || !reason) return;
    emit({ operation, reason }, METRICS.lrsUnavailable, MetricUnit.Count, 1);
    // Out of hours is the LRS's timetable, not an error: the error-rate alarm must not count it.
    if (reason !== 'OUT_OF_HOURS') emit({ operation }, METRICS.lrsError, MetricUnit.Count, 1);
  },
};
