/**
 * The operational alarms of a stage beyond each function's errors and throttles and each DLQ: queue age,
 * LRS error rate and latency per operation, DynamoDB throttles and the API 4xx rate (the certificate alarm over
 * every organisation lives with the certificate check in the service stack). Then every alarm of the
 * stack is routed to the stage's subscribers: the alarm topic (e-mail, AWS Chatbot Slack/Teams channels)
 * and any extra SNS topics.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { CfnMicrosoftTeamsChannelConfiguration, CfnSlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS } from '../../shared/config/names.js';
import { kebab } from '../../shared/lrs/contract/operations.js';
import type { AlarmRouting } from '../config/production.js';
import type { OperationFunction } from './operation-function.js';

export const ALARM_DEFAULTS = {
  queueAgeMinutes: 60,
  lrsErrorRatePercent: 10,
  lrsLatencyP99Ms: 10_000,
  api4xxRatePercent: 25,
} as const satisfies Required<Omit<AlarmRouting, 'topicArns' | 'chat'>>;

/** Fewest API requests in 15 minutes before the 4xx rate means anything. */
const MIN_REQUESTS_FOR_4XX_RATE = 20;
const FIVE_MINUTES = Duration.minutes(5);

/** An operation function's own metric (Powertools adds `service`, the function's service name). */
export const operationMetric = (
  stageName: string,
  operationId: string,
  metricName: string,
  statistic: string,
): Metric =>
  new Metric({
    namespace: METRICS.namespace(stageName),
    metricName,
    dimensionsMap: { service: kebab(operationId as Parameters<typeof kebab>[0]), operation: operationId },
    statistic,
    period: FIVE_MINUTES,
  });

export interface OperationalAlarmsProps {
  readonly stageName: string;
  readonly routing: AlarmRouting;
  readonly operations: readonly OperationFunction[];
  readonly table: ITableV2;
  readonly api: IRestApi;
  readonly alarmTopic: ITopic;
}

export class OperationalAlarms extends Construct {
  public readonly queueAge: readonly Alarm[];
  public readonly lrsErrorRate: readonly Alarm[];
  public readonly lrsLatency: readonly Alarm[];
  public readonly tableThrottles: Alarm;
  public readonly api4xxRate: Alarm;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const r = { ...ALARM_DEFAULTS, ...props.routing };
    const action = new SnsAction(props.alarmTopic);
    const notify = (a: Alarm): Alarm => {
      a.addAlarmAction(action);
      a.addOkAction(action);
      return a;
    };
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, periods = 3) =>
      notify(
        new Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold,
          evaluationPeriods: periods,
          datapointsToAlarm: periods,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );

    this.queueAge = props.operations.map((op) =>
      alarm(
        `QueueAge-${op.operation.id}`,
        `${op.operation.id}: the oldest queued message has waited ${r.queueAgeMinutes}+ minutes (out-of-hours ` +
          'waits re-send their message, so this is work that is not moving: check the LRS and the function)',
        op.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        r.queueAgeMinutes * 60,
      ),
    );

    this.lrsErrorRate = props.operations.map((op) => {
      const id = op.operation.id;
      return alarm(
        `LrsErrorRate-${id}`,
        `${id}: ${r.lrsErrorRatePercent}%+ of LRS calls failed (unreachable, timeouts, TLS, maintenance, HTTP ` +
          'errors; out of hours not counted) for 15 minutes',
        new MathExpression({
          expression: 'IF(errors + answered > 0, 100 * errors / (errors + answered), 0)',
          usingMetrics: {
            errors: operationMetric(props.stageName, id, METRICS.lrsError, 'Sum'),
            answered: operationMetric(props.stageName, id, METRICS.lrsDuration, 'SampleCount'),
          },
          label: `${id} LRS error rate (%)`,
          period: FIVE_MINUTES,
        }),
        r.lrsErrorRatePercent,
      );
    });

    this.lrsLatency = props.operations.map((op) =>
      alarm(
        `LrsLatency-${op.operation.id}`,
        `${op.operation.id}: p99 LRS latency at or above ${r.lrsLatencyP99Ms} ms for 15 minutes`,
        operationMetric(props.stageName, op.operation.id, METRICS.lrsDuration, 'p99'),
        r.lrsLatencyP99Ms,
      ),
    );

    const tableMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: props.table.tableName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    this.tableThrottles = alarm(
      'TableThrottles',
      'DynamoDB throttled reads or writes of the data table',
      new MathExpression({
        expression: 'reads + writes',
        usingMetrics: {
          reads: tableMetric('ReadThrottleEvents'),
          writes: tableMetric('WriteThrottleEvents'),
        },
        label: 'DynamoDB throttle events',
        period: FIVE_MINUTES,
      }),
      1,
      1,
    );

    const apiMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.api.restApiName, Stage: props.stageName },
        statistic: 'Sum',
        period: Duration.minutes(15),
      });
    this.api4xxRate = alarm(
      'Api4xxRate',
      `${r.api4xxRatePercent}%+ of API responses in 15 minutes were 4xx (a caller misconfigured, a key revoked, ` +
        'or the WAF/usage plans refusing traffic)',
      new MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_4XX_RATE}, 100 * clientErrors / requests, 0)`,
        usingMetrics: { clientErrors: apiMetric('4XXError'), requests: apiMetric('Count') },
        label: 'API 4xx rate (%)',
        period: Duration.minutes(15),
      }),
      r.api4xxRatePercent,
      1,
    );
  }
}

export interface AlarmSubscribersProps {
  readonly stageName: string;
  readonly alarmTopic: ITopic;
  readonly routing: AlarmRouting;
}

/**
 * Delivers the stage's alarms to people: AWS Chatbot channels subscribe to the alarm topic, and every alarm
 * of the stack also notifies each extra SNS topic (an SNS topic cannot subscribe to another topic).
 */
export class AlarmSubscribers extends Construct {
  public readonly extraTopics: readonly ITopic[];

  constructor(scope: Construct, id: string, props: AlarmSubscribersProps) {
    super(scope, id);
    this.extraTopics = (props.routing.topicArns ?? []).map((arn, i) =>
      Topic.fromTopicArn(this, `Topic${i}`, arn),
    );
    const slack = props.routing.chat?.slack ?? [];
    const teams = props.routing.chat?.teams ?? [];
    if (slack.length + teams.length === 0) return;
    // Notifications only: the channel role has no permissions, and the guardrail caps it at reading alarms.
    const role = new Role(this, 'ChatbotRole', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: `AWS Chatbot channels of lrs-gateway-${props.stageName} (alarm notifications only)`,
    });
    const guardrailPolicies = [`arn:${Stack.of(this).partition}:iam::aws:policy/CloudWatchReadOnlyAccess`];
    // Every channel, Slack or Teams: the same role, the alarm topic, the guardrail, errors only in its logs.
    const channel = {
      iamRoleArn: role.roleArn,
      snsTopicArns: [props.alarmTopic.topicArn],
      guardrailPolicies,
      loggingLevel: 'ERROR',
    };
    slack.forEach((s, i) => {
      new CfnSlackChannelConfiguration(this, `Slack${i}`, {
        configurationName: `lrs-gateway-${props.stageName}-slack-${i}`,
        slackWorkspaceId: s.workspaceId,
        slackChannelId: s.channelId,
        ...channel,
      });
    });
    teams.forEach((t, i) => {
      new CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i}`, {
        configurationName: `lrs-gateway-${props.stageName}-teams-${i}`,
        teamsTenantId: t.tenantId,
        teamId: t.teamId,
        teamsChannelId: t.channelId,
        ...channel,
      });
    });
  }

  /** Every alarm in `scope` also notifies each extra topic, on alarm and on OK. */
  routeAll(scope: Construct): void {
    if (this.extraTopics.length === 0) return;
    for (const alarm of scope.node.findAll().filter((c): c is Alarm => c instanceof Alarm)) {
      for (const topic of this.extraTopics) {
        alarm.addAlarmAction(new SnsAction(topic));
        alarm.addOkAction(new SnsAction(topic));
      }
    }
  }
}
