/**
 * What every shipped stage (dev, test, live; each built once) guarantees for running in production: alarms
 * on queue age, LRS error rate and latency, throttles, DLQs, 4xx/5xx and certificate expiry, all reaching the
 * alarm topic; a dashboard built from the metrics the functions emit; tracing; a WAF on the API stage;
 * reserved concurrency within the account; KMS-encrypted logs; point-in-time recovery no longer than the
 * data lives; and a stateless stack whose retained resources never block a redeploy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENCY, LAMBDA_UNRESERVED_MINIMUM } from '../../infra/config/production.js';
import { lrsBudgetOf, STAGE_NAMES, STAGES, type StageName } from '../../infra/config/stages.js';
import { ALARM_DEFAULTS } from '../../infra/constructs/alarms.js';
import { COMMON_RULE_SET, LARGE_BODY_ROUTES } from '../../infra/constructs/edge.js';
import { REPO_ROOT } from '../../infra/support/paths.js';
import { METRICS } from '../../shared/config/names.js';
import { operationDlqName, operationQueueName } from '../../shared/config/resources.js';
import { kebab, OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import { type BuiltStage, buildStage, TEST_ACCOUNT } from './support.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
}

/** A CDK L1 property value as the template holds it: every key with its first letter in upper case. */
const templateCase = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(templateCase)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), templateCase(v)]),
        )
      : value;

const built = new Map<StageName, BuiltStage>();
beforeAll(() => {
  for (const name of STAGE_NAMES) built.set(name, buildStage(STAGES[name]));
});
const get = (name: StageName): BuiltStage => {
  const b = built.get(name);
  if (b === undefined) throw new Error(`stage ${name} not built`);
  return b;
};
const resourcesOf = (name: StageName, stack: 'data' | 'service' = 'service'): Record<string, Resource> =>
  get(name)[stack].toJSON().Resources as Record<string, Resource>;
const ofType = (name: StageName, type: string, stack: 'data' | 'service' = 'service'): [string, Resource][] =>
  Object.entries(resourcesOf(name, stack)).filter(([, r]) => r.Type === type);

/** A template value flattened to text: strings as they are, references as their JSON. */
const flatten = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const join = (v as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join !== undefined) return join[1].map(flatten).join(join[0]);
  return JSON.stringify(v);
};
const alarms = (name: StageName) => ofType(name, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
const metricsOf = (alarm: Json) => (alarm.Metrics as Json[] | undefined) ?? [];
const usesMetric = (alarm: Json, metricName: string, dimension?: [string, string]) =>
  metricsOf(alarm).some((m) => {
    const stat = (m.MetricStat as { Metric?: Json } | undefined)?.Metric;
    if (stat?.MetricName !== metricName) return false;
    return (
      dimension === undefined ||
      JSON.stringify(stat.Dimensions).includes(
        `"Name":"${dimension[0]}","Value":${JSON.stringify(dimension[1])}`,
      )
    );
  });

describe.each(STAGE_NAMES)('stage %s', (name) => {
  const stage = STAGES[name];

  it('pins test and live to their account and region; dev follows the CLI account', () => {
    const { gateway } = get(name);
    for (const stack of [gateway.data, gateway.service]) {
      expect(stack.region).toBe(stage.region);
      expect(stack.account).toBe(TEST_ACCOUNT);
    }
  });

  it('alarms when an operation queue holds work older than the queue age threshold', () => {
    for (const id of OPERATION_IDS) {
      const queueId = ofType(name, 'AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === operationQueueName(name, id),
      )?.[0];
      const alarm = alarms(name).find(
        (a) =>
          a.MetricName === 'ApproximateAgeOfOldestMessage' &&
          JSON.stringify(a.Dimensions).includes(String(queueId)),
      );
      expect(alarm, id).toMatchObject({
        Threshold: ALARM_DEFAULTS.queueAgeMinutes * 60,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Statistic: 'Maximum',
      });
    }
  });

  it('alarms on the LRS error rate (out of hours not counted) and the p99 LRS latency of every operation', () => {
    for (const id of OPERATION_IDS) {
      const service: [string, string] = ['service', kebab(id)];
      const rate = alarms(name).find(
        (a) => usesMetric(a, METRICS.lrsError, service) && usesMetric(a, METRICS.lrsDuration, service),
      );
      expect(rate, id).toMatchObject({ Threshold: ALARM_DEFAULTS.lrsErrorRatePercent });
      const expression = metricsOf(rate ?? {}).find((m) => typeof m.Expression === 'string')?.Expression;
      expect(expression).toMatch(/100 \* errors \/ \(errors \+ answered\)/);
      const latency = alarms(name).find(
        (a) =>
          a.MetricName === METRICS.lrsDuration && JSON.stringify(a.Dimensions).includes(`"Value":"${id}"`),
      );
      expect(latency, id).toMatchObject({
        ExtendedStatistic: 'p99',
        Threshold: ALARM_DEFAULTS.lrsLatencyP99Ms,
        Namespace: METRICS.namespace(name),
      });
    }
  });

  it('alarms on DynamoDB read and write throttles, Lambda throttles of every function, and every DLQ', () => {
    const table = alarms(name).find(
      (a) => usesMetric(a, 'ReadThrottleEvents') && usesMetric(a, 'WriteThrottleEvents'),
    );
    expect(table).toMatchObject({ Threshold: 1 });
    for (const [fnId] of ofType(name, 'AWS::Lambda::Function')) {
      const throttles = alarms(name).find(
        (a) => a.MetricName === 'Throttles' && JSON.stringify(a.Dimensions).includes(`"Ref":"${fnId}"`),
      );
      expect(throttles, fnId).toBeDefined();
    }
    for (const id of OPERATION_IDS) {
      const dlqId = ofType(name, 'AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === operationDlqName(name, id),
      )?.[0];
      expect(
        alarms(name).some(
          (a) =>
            a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(a.Dimensions).includes(String(dlqId)),
        ),
        id,
      ).toBe(true);
    }
  });

  it('alarms on the API 4xx rate and on 5xx responses', () => {
    const rate = alarms(name).find((a) => usesMetric(a, '4XXError') && usesMetric(a, 'Count'));
    expect(rate).toMatchObject({ Threshold: ALARM_DEFAULTS.api4xxRatePercent });
    expect(alarms(name).some((a) => a.MetricName === '5XXError')).toBe(true);
  });

  it('alarms on the certificate with the fewest days left, across every organisation, without listing them', () => {
    const alarm = alarms(name).find((a) =>
      metricsOf(a).some((m) =>
        String(m.Expression).startsWith(`SELECT MIN(${METRICS.certificateDaysRemaining})`),
      ),
    );
    expect(alarm).toMatchObject({
      Threshold: stage.alarms.certificateExpiryDays,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
    const expression = String(metricsOf(alarm ?? {})[0]?.Expression);
    expect(expression).toContain(
      `SCHEMA("${METRICS.namespace(name)}", ${METRICS.organisationDimension}, service)`,
    );
  });

  it('notifies the alarm topic of every alarm, on alarm and on OK', () => {
    expect(alarms(name).length).toBeGreaterThan(OPERATION_IDS.length * 5);
    for (const a of alarms(name)) {
      expect(JSON.stringify(a.AlarmActions)).toMatch(/AlarmTopic/);
      expect(JSON.stringify(a.OKActions)).toMatch(/AlarmTopic/);
    }
  });

  it('has a dashboard with, per operation, calls, outcomes by class, LRS latency p50/p99 and unavailability by kind', () => {
    const dashboards = ofType(name, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0] as [string, Resource];
    expect(dashboard.Properties.DashboardName).toBe(`lrs-gateway-${name}`);
    const body = flatten(dashboard.Properties.DashboardBody);
    const ns = METRICS.namespace(name);
    // Every alarm of the stage is on the dashboard.
    for (const [alarmId] of ofType(name, 'AWS::CloudWatch::Alarm')) {
      expect(body, alarmId).toContain(`{"Fn::GetAtt":["${alarmId}","Arn"]}`);
    }
    for (const id of OPERATION_IDS) {
      expect(body).toContain(`${id}: calls and outcomes by class`);
      expect(body).toContain(
        `SEARCH('{${ns},class,operation,service} MetricName=\\"${METRICS.lrsOutcomeClass}\\" operation=\\"${id}\\"'`,
      );
      expect(body).toContain(
        `SEARCH('{${ns},reason,operation,service} MetricName=\\"${METRICS.lrsUnavailable}\\" operation=\\"${id}\\"'`,
      );
      expect(body).toContain(`${id}: LRS latency (ms)`);
      expect(body).toMatch(
        new RegExp(
          `"${METRICS.lrsDuration}","operation","${id}","service","${kebab(id)}",\\{[^}]*"stat":"p50"`,
        ),
      );
      expect(body).toMatch(
        new RegExp(
          `"${METRICS.lrsDuration}","operation","${id}","service","${kebab(id)}",\\{[^}]*"stat":"p99"`,
        ),
      );
    }
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
      'ApproximateAgeOfOldestMessage',
    ]) {
      expect(body).toContain(`"AWS/SQS","${metric}"`);
    }
    expect(body).toContain('Dead-letter queues: messages');
    // Certificates: one line per organisation found at run time, none listed in the template.
    expect(body).toContain(
      `SEARCH('{${ns},${METRICS.organisationDimension},service} MetricName=\\"${METRICS.certificateDaysRemaining}\\"'`,
    );
    expect(body).not.toMatch(new RegExp(`"${METRICS.organisationDimension}","[^"]+"`));
  });

  it('traces every function and the API stage with X-Ray', () => {
    for (const [, fn] of ofType(name, 'AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    for (const [, s] of ofType(name, 'AWS::ApiGateway::Stage'))
      expect(s.Properties.TracingEnabled).toBe(true);
  });

  it('guards the API stage with a WAF: rate limit per IP, the AWS common rules, body size outside bulk routes', () => {
    const [[aclId, acl]] = ofType(name, 'AWS::WAFv2::WebACL') as [[string, Resource]];
    const rules = acl.Properties.Rules as Json[];
    expect(acl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(rules.find((r) => r.Name === 'RateLimitPerSourceIp')).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: { AggregateKeyType: 'IP', Limit: stage.edge?.rateLimitPer5Minutes ?? 3000 },
      },
    });
    const common = rules.find((r) => r.Name === 'AWSManagedRulesCommonRuleSet');
    expect(common).toMatchObject({
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: templateCase(COMMON_RULE_SET) },
    });
    // Bulk bodies are over 8 KB: the group's body size rule may only label them, never block.
    const statement = common?.Statement as { ManagedRuleGroupStatement?: { RuleActionOverrides?: Json[] } };
    expect(statement?.ManagedRuleGroupStatement?.RuleActionOverrides).toContainEqual({
      Name: 'SizeRestrictions_BODY',
      ActionToUse: { Count: {} },
    });
    const sizeRule = rules.find((r) => r.Name === 'BodySizeOutsideBulkRoutes');
    expect(sizeRule).toMatchObject({ Action: { Block: {} } });
    const text = JSON.stringify(sizeRule);
    expect(text).toContain('"Key":"awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"');
    const exempt = [...text.matchAll(/"SearchString":"([^"]+)"/g)].map((m) => m[1]);
    expect(exempt.sort()).toEqual([...LARGE_BODY_ROUTES].sort());
    expect(exempt).toContain('/v1/jobs');
    expect(exempt).not.toContain('/v1/learners/find-by-demographics');
    // Labels are only visible to rules evaluated after the managed group.
    const priority = (n: string) => rules.find((r) => r.Name === n)?.Priority as number;
    expect(priority('BodySizeOutsideBulkRoutes')).toBeGreaterThan(priority('AWSManagedRulesCommonRuleSet'));
    const [[, association]] = ofType(name, 'AWS::WAFv2::WebACLAssociation') as [[string, Resource]];
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(association.Properties.ResourceArn)).toMatch(/restapis.*stages/);
  });

  it('reserves concurrency per operation function as the LRS budget plus HTTP headroom, within the account', () => {
    const c = stage.concurrency ?? DEFAULT_CONCURRENCY;
    const budget = lrsBudgetOf(stage);
    expect(budget).toBe(stage.lrsBudget ?? 2 * stage.lrsMaxConcurrency);
    const reserved = ofType(name, 'AWS::Lambda::Function').map(([, fn]) => ({
      name: String(fn.Properties.FunctionName),
      reserved: fn.Properties.ReservedConcurrentExecutions as number,
    }));
    for (const id of OPERATION_IDS) {
      expect(reserved.find((r) => r.name === `lrs-gateway-${name}-${kebab(id)}`)?.reserved, id).toBe(
        budget + c.httpHeadroom,
      );
    }
    for (const fn of ['requests', 'jobs', 'certificate-expiry']) {
      expect(reserved.find((r) => r.name === `lrs-gateway-${name}-${fn}`)?.reserved).toBe(c.platformFunction);
    }
    const total = reserved.reduce((sum, r) => sum + (r.reserved ?? 0), 0);
    expect(total).toBeLessThanOrEqual(c.accountLimit - LAMBDA_UNRESERVED_MINIMUM);
    // The queue may never take every reserved slot: API calls keep their headroom.
    const operationMappings = ofType(name, 'AWS::Lambda::EventSourceMapping').filter(([id]) =>
      id.startsWith('Operation'),
    );
    expect(operationMappings).toHaveLength(OPERATION_IDS.length);
    for (const [, mapping] of operationMappings) {
      const max = (mapping.Properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
      expect(max).toBe(stage.lrsMaxConcurrency);
      expect(max).toBeLessThan(budget + c.httpHeadroom);
    }
  });

  it('encrypts every log group with the logs key of the data stack', () => {
    const logsKey = ofType(name, 'AWS::KMS::Key', 'data').find(([id]) => id.startsWith('LogsKey'));
    if (logsKey === undefined) throw new Error('no logs key in the data stack');
    const groups = ofType(name, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(OPERATION_IDS.length);
    for (const [id, group] of groups) {
      expect(JSON.stringify(group.Properties.KmsKeyId), id).toMatch(/Fn::ImportValue.*LogsKey/);
    }
    const statements = (logsKey[1].Properties.KeyPolicy as { Statement: Json[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: `logs.${stage.region}.amazonaws.com` },
          Condition: {
            StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:logs:${stage.region}:${TEST_ACCOUNT}:log-group:*`],
                ],
              },
            },
          },
        }),
      ]),
    );
  });

  it('lets no key grant to anything but AWS services acting for AWS resources', () => {
    const keys = ofType(name, 'AWS::KMS::Key', 'data');
    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'AlarmKey',
      'Key',
      'LogsKey',
      'OrgSecretsKey',
    ]);
    for (const [id, key] of keys) {
      const statements = (key.Properties.KeyPolicy as { Statement: Json[] }).Statement;
      expect(statements, id).toContainEqual({
        Sid: 'DenyGrantsExceptForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      });
    }
  });

  it('keeps point-in-time recovery no longer than learner data lives', () => {
    const [[, table]] = ofType(name, 'AWS::DynamoDB::GlobalTable', 'data') as [[string, Resource]];
    const replicas = table.Properties.Replicas as { PointInTimeRecoverySpecification: Json }[];
    for (const replica of replicas) {
      expect(replica.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
        RecoveryPeriodInDays: Math.min(stage.dataTtlDays, 35),
      });
      expect(replica.PointInTimeRecoverySpecification.RecoveryPeriodInDays).toBeLessThanOrEqual(
        stage.dataTtlDays,
      );
    }
  });

  it('retains in the service stack only what cannot block a redeploy, or is documented (the named queues)', () => {
    const retained = Object.entries(resourcesOf(name)).filter(([, r]) => r.DeletionPolicy === 'Retain');
    const queueNames = new Set(
      OPERATION_IDS.flatMap((id) => [operationQueueName(name, id), operationDlqName(name, id)]),
    );
    for (const [id, r] of retained) {
      if (r.Type === 'AWS::SQS::Queue') {
        expect(stage.retainData, id).toBe(true);
        // The operation queues, and the job callbacks' queue and DLQ (documented with them).
        const queueName = String(r.Properties.QueueName);
        expect(
          queueNames.has(queueName) || queueName.startsWith(`lrs-gateway-${name}-job-callbacks`),
          id,
        ).toBe(true);
      } else if (r.Type === 'AWS::Logs::LogGroup') {
        expect(r.Properties.LogGroupName, id).toBeUndefined();
      } else {
        // API Gateway's account logging role (CloudFormation names it, so a redeploy creates another) and the
        // account setting that points at it (one per region, no name).
        expect(['AWS::IAM::Role', 'AWS::ApiGateway::Account'], id).toContain(r.Type);
        expect(r.Properties.RoleName, id).toBeUndefined();
      }
    }
    const retainedQueues = retained.filter(([, r]) => r.Type === 'AWS::SQS::Queue').length;
    expect(retainedQueues).toBe(stage.retainData ? 2 * OPERATION_IDS.length + 2 : 0);
  });
});

describe('infra/README', () => {
  const readme = readFileSync(join(REPO_ROOT, 'infra', 'README.md'), 'utf8');

  it('stores the secret through a private temporary directory, never a world-readable /tmp file', () => {
    const procedure = readme.slice(readme.indexOf('## 4.'), readme.indexOf('## 5.'));
    expect(procedure).toContain('umask 077');
    expect(procedure).toMatch(/WORK=\$\(mktemp -d\)/);
    expect(procedure).toMatch(/trap .*rm -rf "\$WORK"/);
    expect(procedure).not.toMatch(/\/tmp\/lrs/);
  });

  it('documents every field of the API access log format', () => {
    const [[, apiStage]] = ofType('live', 'AWS::ApiGateway::Stage') as [[string, Resource]];
    const format = JSON.parse(
      String((apiStage.Properties.AccessLogSetting as { Format: string }).Format),
    ) as Record<string, string>;
    const section = readme.slice(readme.indexOf('### Access logs'));
    for (const field of Object.keys(format)) expect(section, field).toContain(`| \`${field}\``);
  });
});
