/**
 * One CloudWatch dashboard per stage, `lrs-gateway-<stage>`: alarms at the top; the API and the WAF; per
 * operation its calls and outcomes by class, LRS latency p50/p99 and LRS unavailability by kind; the queues
 * (depth, work running, work waiting for a retry time, age, DLQ), which is where bulk jobs wait and run;
 * and the days left on every organisation's client certificate. Metric names are the ones the functions
 * emit (shared/config/names.ts METRICS); per-dimension breakdowns use SEARCH, so new outcome classes,
 * failure reasons and organisations appear without a deploy.
 */
import { Duration } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  type Alarm,
  AlarmStatusWidget,
  Color,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../shared/config/names.js';
import { operationMetric } from './alarms.js';
import type { OperationFunction } from './operation-function.js';

const PERIOD = Duration.minutes(5);
const WIDTH = 24;
const ALARMS_PER_WIDGET = 100;

export interface StageDashboardProps {
  readonly stageName: string;
  readonly operations: readonly OperationFunction[];
  readonly api: IRestApi;
  readonly alarms: readonly Alarm[];
  readonly certificateExpiryDays: number;
  /** The WAF web ACL's metric name and the ACL name, when the stage has one. */
  readonly webAcl?: { readonly name: string; readonly metricName: string };
}

/** A SEARCH over one of our metrics for one operation, one line per value of `dimension`. */
export const searchByDimension = (
  stageName: string,
  metricName: string,
  dimension: string,
  operationId: string,
  label: string,
): MathExpression =>
  new MathExpression({
    expression:
      `SEARCH('{${METRICS.namespace(stageName)},${dimension},operation,service} ` +
      `MetricName="${metricName}" operation="${operationId}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });

export class StageDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: StageDashboardProps) {
    super(scope, id);
    const { stageName } = props;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `lrs-gateway-${stageName}`,
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: IMetric[], width = 8, extra: Partial<{ right: IMetric[] }> = {}) =>
      new GraphWidget({ title, left, width, height: 6, ...extra });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# lrs-gateway ${stageName}\nAlarms, the API, each LRS operation, the queues (where bulk jobs wait and ` +
          'run) and the client certificates. Runbook: infra/README.md "Operating".',
        width: WIDTH,
        height: 2,
      }),
    );
    // An alarm status widget holds at most 100 alarms: one widget per hundred.
    for (let i = 0; i < props.alarms.length; i += ALARMS_PER_WIDGET) {
      this.dashboard.addWidgets(
        new AlarmStatusWidget({
          title: i === 0 ? 'Alarms' : 'Alarms (continued)',
          alarms: props.alarms.slice(i, i + ALARMS_PER_WIDGET),
          width: WIDTH,
          height: 6,
        }),
      );
    }

    const apiMetric = (metricName: string, statistic: string, label: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.api.restApiName, Stage: stageName },
        statistic,
        period: PERIOD,
        label,
      });
    const edge: GraphWidget[] = [
      graph('API requests and errors', [
        apiMetric('Count', 'Sum', 'requests'),
        apiMetric('4XXError', 'Sum', '4xx'),
        apiMetric('5XXError', 'Sum', '5xx'),
      ]),
      graph('API latency (ms)', [
        apiMetric('Latency', 'p50', 'p50'),
        apiMetric('Latency', 'p99', 'p99'),
        apiMetric('IntegrationLatency', 'p99', 'integration p99'),
      ]),
    ];
    if (props.webAcl !== undefined) {
      const waf = (metricName: string, label: string) =>
        new Metric({
          namespace: 'AWS/WAFV2',
          metricName,
          dimensionsMap: {
            WebACL: props.webAcl?.name ?? '',
            Region: this.dashboard.stack.region,
            Rule: 'ALL',
          },
          statistic: 'Sum',
          period: PERIOD,
          label,
        });
      edge.push(graph('WAF', [waf('AllowedRequests', 'allowed'), waf('BlockedRequests', 'blocked')]));
    }
    this.dashboard.addWidgets(...edge);

    for (const op of props.operations) {
      const id = op.operation.id;
      this.dashboard.addWidgets(
        graph(`${id}: calls and outcomes by class`, [
          op.handler.function.metricInvocations({ period: PERIOD, label: 'invocations' }),
          searchByDimension(stageName, METRICS.lrsOutcomeClass, 'class', id, ''),
          searchByDimension(stageName, METRICS.requestFailed, 'error', id, ''),
        ]),
        graph(`${id}: LRS latency (ms)`, [
          operationMetric(stageName, id, METRICS.lrsDuration, 'p50').with({ label: 'p50' }),
          operationMetric(stageName, id, METRICS.lrsDuration, 'p99').with({ label: 'p99' }),
        ]),
        graph(`${id}: LRS unavailable, by kind`, [
          searchByDimension(stageName, METRICS.lrsUnavailable, 'reason', id, ''),
        ]),
      );
    }

    const perQueue = (metric: (q: Queue) => IMetric, dlq = false) =>
      props.operations.map((op) => metric(dlq ? op.deadLetterQueue : op.queue));
    const q = (name: string, statistic: string) => (queue: Queue) =>
      queue.metric(name, {
        period: PERIOD,
        statistic,
        label: queue.node.scope?.node.id.replace(/^Operation-/, ''),
      });
    this.dashboard.addWidgets(
      graph(
        'Queues: waiting for an LRS slot (visible)',
        perQueue(q('ApproximateNumberOfMessagesVisible', 'Maximum')),
      ),
      graph('Queues: running (in flight)', perQueue(q('ApproximateNumberOfMessagesNotVisible', 'Maximum'))),
      graph(
        'Queues: waiting for a retry time (delayed: out of hours, LRS batch polls)',
        perQueue(q('ApproximateNumberOfMessagesDelayed', 'Maximum')),
      ),
    );
    this.dashboard.addWidgets(
      graph('Queues: oldest message (s)', perQueue(q('ApproximateAgeOfOldestMessage', 'Maximum')), 12),
      graph(
        'Dead-letter queues: messages',
        perQueue(q('ApproximateNumberOfMessagesVisible', 'Maximum'), true),
        12,
      ),
    );

    const certificates = new GraphWidget({
      title: 'Client certificate: days left per organisation',
      left: [
        new MathExpression({
          expression:
            `SEARCH('{${METRICS.namespace(stageName)},${METRICS.organisationDimension},service} ` +
            `MetricName="${METRICS.certificateDaysRemaining}"', 'Minimum', 86400)`,
          usingMetrics: {},
          label: '',
          period: Duration.days(1),
        }),
      ],
      leftAnnotations: [{ value: props.certificateExpiryDays, label: 'alarm threshold', color: Color.RED }],
      width: WIDTH,
      height: 6,
    });
    this.dashboard.addWidgets(certificates);
  }
}
