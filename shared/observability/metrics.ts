/**
 * The gateway's metrics, in CloudWatch's embedded metric format (EMF) on stdout. One metric namespace;
 * dimensions are the `service` (the function), the operation and the LRS outcome code or error code:
 * bounded sets. A result's metrics are one EMF document with one directive per metric, each with its
 * own dimension set, so the three metrics of an outcome cost one line: the EMF specification allows
 * several directives per document, which Powertools Metrics does not write (it builds a new Metrics
 * object and Console per single metric, 6 % of the queue path's CPU in `npm run bench`). The
 * environment variables are Powertools' own: POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_METRICS_DISABLED.
 */
import { METRICS } from '../config/names.js';
import { SERVICE_NAME } from './logger.js';

/** POWERTOOLS_METRICS_NAMESPACE (`LrsGateway/<stage>`, set by the CDK app) wins over this fallback. */
export const METRIC_NAMESPACE = 'LrsGateway/local';

export type MetricUnit = 'Count' | 'Milliseconds';

/** One value of a metric, with the dimensions (besides `service`) it is published under. */
export interface Datum {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The EMF document of `data`: one directive per datum; their dimension values share the root. */
export const emfDocument = (data: readonly Datum[], namespace: string, service: string, at: number) => {
  const root: Record<string, unknown> = { service };
  const directives = data.map((d) => {
    Object.assign(root, d.dimensions);
    root[d.name] = d.value;
    return {
      Namespace: namespace,
      Dimensions: [['service', ...Object.keys(d.dimensions)]],
      Metrics: [{ Name: d.name, Unit: d.unit }],
    };
  });
  return { _aws: { Timestamp: at, CloudWatchMetrics: directives }, ...root };
};

/**
 * Data whose dimensions name the same key with different values, or that repeat a metric, go in
 * documents of their own (the values of a document's directives share its root).
 */
const compatibleGroups = (data: readonly Datum[]): Datum[][] => {
  const groups: { data: Datum[]; names: Set<string>; dimensions: Map<string, string> }[] = [];
  for (const d of data) {
    const entries = Object.entries(d.dimensions);
    let group = groups.find(
      (g) => !g.names.has(d.name) && entries.every(([k, v]) => (g.dimensions.get(k) ?? v) === v),
    );
    if (!group) {
      group = { data: [], names: new Set(), dimensions: new Map() };
      groups.push(group);
    }
    group.data.push(d);
    group.names.add(d.name);
    for (const [k, v] of entries) group.dimensions.set(k, v);
  }
  return groups.map((g) => g.data);
};

/** Publishes `data` now, as few EMF lines as their dimensions allow. */
export const publishMetrics = (data: readonly Datum[]): void => {
  if (data.length === 0 || process.env.POWERTOOLS_METRICS_DISABLED === 'true') return;
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE;
  const service = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
  const at = Date.now();
  const lines = compatibleGroups(data).map((g) => JSON.stringify(emfDocument(g, namespace, service, at)));
  process.stdout.write(`${lines.join('\n')}\n`);
};

/** What the use cases record (EMF in functions, a fake in unit tests). */
export interface AppMetrics {
  /** One LRS request finished with an outcome (`code` is the LRS code, `outcomeClass` its class). */
  outcome(operation: string, code: string, lrsDurationMs: number, outcomeClass?: string): void;
  /** One request failed (`code` is the AppError code, e.g. LRS_UNAVAILABLE, `reason` why the LRS was). */
  failure(operation: string, code: string, reason?: string): void;
}

const count = (name: string, dimensions: Record<string, string>): Datum => ({
  name,
  unit: 'Count',
  value: 1,
  dimensions,
});

export const appMetrics: AppMetrics = {
  outcome: (operation, code, lrsDurationMs, outcomeClass) =>
    publishMetrics([
      count(METRICS.lrsOutcome, { operation, outcome: code }),
      ...(outcomeClass ? [count(METRICS.lrsOutcomeClass, { operation, class: outcomeClass })] : []),
      { name: METRICS.lrsDuration, unit: 'Milliseconds', value: lrsDurationMs, dimensions: { operation } },
    ]),
  failure: (operation, code, reason) => {
    const unavailable = code === 'LRS_UNAVAILABLE' && reason !== undefined;
    publishMetrics([
      count(METRICS.requestFailed, { operation, error: code }),
      ...(unavailable ? [count(METRICS.lrsUnavailable, { operation, reason })] : []),
      // Out of hours is the LRS's timetable, not an error: the error-rate alarm must not count it.
      ...(unavailable && reason !== 'OUT_OF_HOURS' ? [count(METRICS.lrsError, { operation })] : []),
    ]);
  },
};
