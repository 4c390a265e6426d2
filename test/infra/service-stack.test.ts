/**
 * What the stateless stack guarantees to users (live stage, built once): one function, queue and DLQ per LRS
 * operation, safe queue settings, least-privilege IAM, authentication on every route, alarms, runtime.
 * Over 500 lines because it is one synthesized stack checked from every side a user relies on; each
 * describe block is one of those sides, and splitting them would synthesize the stack once per file.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_ROUTES } from '../../infra/config/routes.js';
import { STAGES } from '../../infra/config/stages.js';
import { ENV, METRICS, orgSecretPrefix } from '../../shared/config/names.js';
import { orgSecretReaderRolePath } from '../../shared/config/org-secret-access.js';
import {
  callbackSecretPrefix,
  DLQ_RETENTION_SECONDS,
  FUNCTION_TIMEOUT_SECONDS,
  MAX_RECEIVE_COUNT,
  operationDlqName,
  operationQueueName,
  QUEUE_BATCH_SIZE,
} from '../../shared/config/resources.js';
import { PUBLIC_ROUTES, routeScope } from '../../shared/config/scopes.js';
import { kebab, OPERATION_IDS, OPERATION_LIST } from '../../shared/lrs/contract/operations.js';
import { type BuiltStage, buildStage } from './support.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const stage = STAGES.live;
const OPERATION_COUNT = OPERATION_IDS.length;
/** requests, jobs, certificate-expiry, the caller authorizer and job-callbacks. */
const PLATFORM_COUNT = 5;
const CALLBACK_QUEUE = 'lrs-gateway-live-job-callbacks';

let built: BuiltStage;
let resources: Record<string, Resource>;
const ofType = (type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const refOf = (v: unknown): string | undefined => (v as { Ref?: string } | undefined)?.Ref;
const getAttOf = (v: unknown): string | undefined =>
  ((v as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'] ?? [])[0];
const functionNamed = (name: string): [string, Resource] => {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name);
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
};
const policyOfRole = (roleId: string): Statement[] =>
  ofType('AWS::IAM::Policy')
    .filter(([, r]) => (r.Properties.Roles as unknown[]).some((role) => refOf(role) === roleId))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
/** An ARN as text, pseudo parameters as `<partition>` etc. */
const arnText = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const join = (v as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return JSON.stringify(v);
  return join[1]
    .map((p) => (typeof p === 'string' ? p : `<${String(refOf(p)).replace('AWS::', '').toLowerCase()}>`))
    .join(join[0]);
};
const roleOfFunction = (name: string): string => {
  const roleId = getAttOf(functionNamed(name)[1].Properties.Role);
  if (roleId === undefined) throw new Error(`no role for ${name}`);
  return roleId;
};

beforeAll(() => {
  built = buildStage(stage);
  resources = built.service.toJSON().Resources as Record<string, Resource>;
});

describe('operation functions', () => {
  it('has one function per LRS operation plus the platform functions, all Node 22 on ARM64 with tracing', () => {
    built.service.resourceCountIs('AWS::Lambda::Function', OPERATION_COUNT + PLATFORM_COUNT);
    for (const op of OPERATION_LIST) functionNamed(`lrs-gateway-live-${kebab(op.id)}`);
    for (const name of ['requests', 'jobs', 'certificate-expiry', 'authorizer']) {
      functionNamed(`lrs-gateway-live-${name}`);
    }
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: stage.functionMemoryMb,
        LoggingConfig: { LogFormat: 'JSON' },
      });
    }
  });

  it('gives every function the runtime configuration it parses at cold start', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment as { Variables: Json }).Variables;
      expect(vars[ENV.stage]).toBe('live');
      expect(vars[ENV.lrsEndpoint]).toBe('https://ws.lrs.education.gov.uk');
      expect(vars[ENV.orgSecretPrefix]).toBe(orgSecretPrefix('live'));
      expect(vars[ENV.dataTtlDays]).toBe(String(stage.dataTtlDays));
      expect(vars[ENV.lrsMaxConcurrency]).toBe(String(stage.lrsMaxConcurrency));
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS.namespace('live'));
      expect(vars[ENV.tableName]).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Table/) });
      // Organisations and callers come from the registry at run time, never from the environment.
      expect(vars[ENV.registryTableName]).toEqual({
        'Fn::ImportValue': expect.stringMatching(/RegistryTable/),
      });
      expect(vars[ENV.organisationIds]).toBeUndefined();
      expect(vars[ENV.callerAccess]).toBeUndefined();
    }
  });

  it('passes the LRS service hours only when the stage sets them', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment as { Variables: Json }).Variables;
      expect(vars[ENV.lrsServiceHours]).toBe(stage.lrsServiceHours);
    }
  });

  it('tells each operation function its own queue URL, and the jobs function every queue URL', () => {
    for (const op of OPERATION_LIST) {
      const [, fn] = functionNamed(`lrs-gateway-live-${kebab(op.id)}`);
      const urls = JSON.stringify(
        (fn.Properties.Environment as { Variables: Json }).Variables[ENV.operationQueueUrls],
      );
      expect(urls).toContain(`${op.id}\\":`);
      expect(urls.match(/Queue[0-9A-F]{8}/g)).toHaveLength(1);
    }
    const [, jobs] = functionNamed('lrs-gateway-live-jobs');
    const urls = JSON.stringify(
      (jobs.Properties.Environment as { Variables: Json }).Variables[ENV.operationQueueUrls],
    );
    for (const id of OPERATION_IDS) expect(urls).toContain(`${id}\\":`);
  });
});

describe('queues', () => {
  it('has a queue and a dead-letter queue per operation, with the shared names', () => {
    // Plus the job callback queue and its DLQ.
    built.service.resourceCountIs('AWS::SQS::Queue', 2 * OPERATION_COUNT + 2);
    const names = ofType('AWS::SQS::Queue').map(([, q]) => q.Properties.QueueName);
    expect(names).toContain(CALLBACK_QUEUE);
    expect(names).toContain(`${CALLBACK_QUEUE}-dlq`);
    for (const id of OPERATION_IDS) {
      expect(names).toContain(operationQueueName('live', id));
      expect(names).toContain(operationDlqName('live', id));
    }
  });

  it('keeps failed messages in the DLQ for the SQS maximum of 14 days', () => {
    for (const id of OPERATION_IDS) {
      const dlq = ofType('AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === operationDlqName('live', id),
      );
      expect(dlq?.[1].Properties.MessageRetentionPeriod).toBe(DLQ_RETENTION_SECONDS);
    }
  });

  it('redrives every operation queue to its own DLQ after MAX_RECEIVE_COUNT receives', () => {
    for (const id of OPERATION_IDS) {
      const [, queue] = ofType('AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === operationQueueName('live', id),
      ) ?? ['', undefined];
      const redrive = queue?.Properties.RedrivePolicy as {
        maxReceiveCount: number;
        deadLetterTargetArn: unknown;
      };
      expect(redrive.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
      const dlqId = getAttOf(redrive.deadLetterTargetArn) ?? '';
      expect(resources[dlqId]?.Properties.QueueName).toBe(operationDlqName('live', id));
    }
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      expect(
        queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined,
      ).toBe(true);
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
        (p.Properties.Queues as unknown[]).some((q) => refOf(q) === id),
      );
      expect(policy, `queue policy of ${id}`).toBeDefined();
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });

  it('feeds each queue to its own function with partial batch responses, a visibility timeout >= 6x its timeout', () => {
    const all = ofType('AWS::Lambda::EventSourceMapping');
    expect(all).toHaveLength(OPERATION_COUNT + 1);
    const queueOf = (m: Resource) =>
      resources[getAttOf(m.Properties.EventSourceArn) ?? '']?.Properties.QueueName;
    const callbacks = all.filter(([, m]) => queueOf(m) === CALLBACK_QUEUE);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]?.[1].Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(resources[refOf(callbacks[0]?.[1].Properties.FunctionName) ?? '']?.Properties.FunctionName).toBe(
      'lrs-gateway-live-job-callbacks',
    );
    const mappings = all.filter(([, m]) => queueOf(m) !== CALLBACK_QUEUE);
    expect(mappings).toHaveLength(OPERATION_COUNT);
    for (const [, m] of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.Properties.BatchSize).toBe(QUEUE_BATCH_SIZE);
      expect(m.Properties.ScalingConfig).toEqual({ MaximumConcurrency: stage.lrsMaxConcurrency });
      const queue = resources[getAttOf(m.Properties.EventSourceArn) ?? ''];
      const fn = resources[refOf(m.Properties.FunctionName) ?? ''];
      expect(queue?.Type).toBe('AWS::SQS::Queue');
      expect(fn?.Type).toBe('AWS::Lambda::Function');
      const timeout = fn?.Properties.Timeout as number;
      expect(timeout).toBe(FUNCTION_TIMEOUT_SECONDS);
      expect(queue?.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
      // The queue belongs to this operation: its name and the function name share the operation suffix.
      const suffix = String(fn?.Properties.FunctionName).replace('lrs-gateway-live-', '');
      expect(queue?.Properties.QueueName).toBe(`lrs-gateway-live-${suffix}`);
    }
  });
});

describe('IAM', () => {
  const allStatements = () =>
    ofType('AWS::IAM::Policy').flatMap(
      ([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );

  it('uses a wildcard resource only for X-Ray (no resource-level permissions), the organisation and the callback secret prefixes', () => {
    const secretPrefix = `arn:<partition>:secretsmanager:eu-west-2:123456789012:secret:${orgSecretPrefix('live')}*`;
    const callbackPrefix = `arn:<partition>:secretsmanager:eu-west-2:123456789012:secret:${callbackSecretPrefix('live')}*`;
    for (const s of allStatements()) {
      const wildcards = resourcesOf(s).filter((r) => JSON.stringify(r).includes('*'));
      if (wildcards.length === 0) continue;
      if (actionsOf(s).every((a) => a.startsWith('xray:'))) continue;
      if (wildcards.map(arnText).includes(callbackPrefix)) {
        expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
        expect(wildcards.map(arnText)).toEqual([callbackPrefix]);
        continue;
      }
      expect(actionsOf(s).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      expect(wildcards.map(arnText)).toEqual([secretPrefix]);
    }
  });

  it('grants no wildcard actions on data, secrets, keys or queues', () => {
    for (const s of allStatements()) {
      for (const action of actionsOf(s)) {
        if (/^(dynamodb|secretsmanager|kms|sqs):/.test(action)) expect(action).not.toContain('*');
      }
    }
  });

  it('lets only operation functions and the certificate check read secrets, and only under the stage prefix', () => {
    const readers: string[] = [];
    const callbackReaders: string[] = [];
    const isCallbackPrefix = (s: Statement) =>
      JSON.stringify(resourcesOf(s)).includes('secret:lrs-gateway/live/callback/*');
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      // The callers' callback signing secrets: read by the stage prefix, by the jobs and callbacks functions only.
      for (const s of statements.filter(isCallbackPrefix)) {
        expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
        expect(resourcesOf(s)).toHaveLength(1);
        callbackReaders.push(String(refOf((policy.Properties.Roles as unknown[])[0])));
      }
      const secretStatements = statements.filter(
        (s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')) && !isCallbackPrefix(s),
      );
      if (secretStatements.length === 0) continue;
      readers.push(String(refOf((policy.Properties.Roles as unknown[])[0])));
      for (const s of secretStatements) {
        expect(actionsOf(s).sort()).toEqual([
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]);
        expect(resourcesOf(s).map(arnText)).toEqual([
          `arn:<partition>:secretsmanager:eu-west-2:123456789012:secret:${orgSecretPrefix('live')}*`,
        ]);
      }
      // Decrypting them goes through Secrets Manager, with the organisation secrets' own key.
      const decrypt = statements.filter(
        (s) => actionsOf(s).includes('kms:Decrypt') && s.Condition !== undefined,
      );
      expect(decrypt).toEqual([
        expect.objectContaining({
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com' } },
          Resource: { 'Fn::ImportValue': expect.stringMatching(/OrgSecretsKey/) },
        }),
      ]);
    }
    expect(readers).toHaveLength(OPERATION_COUNT + 1);
    expect(readers).not.toContain(roleOfFunction('lrs-gateway-live-requests'));
    expect(readers).not.toContain(roleOfFunction('lrs-gateway-live-jobs'));
    expect(callbackReaders.sort()).toEqual(
      [roleOfFunction('lrs-gateway-live-jobs'), roleOfFunction('lrs-gateway-live-job-callbacks')].sort(),
    );
    expect(readers).not.toContain(roleOfFunction('lrs-gateway-live-authorizer'));
    // The readers, and only they, sit under the path that the key policy and the secrets' policy name.
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const path = role.Properties.Path;
      if (readers.includes(id)) expect(path).toBe(orgSecretReaderRolePath('live'));
      else expect(path).toBeUndefined();
    }
  });

  it('lets each operation function touch only its own queue', () => {
    for (const op of OPERATION_LIST) {
      const name = `lrs-gateway-live-${kebab(op.id)}`;
      const sqs = policyOfRole(roleOfFunction(name)).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('sqs:')),
      );
      expect(actionsOf({ ...sqs[0], Action: sqs.flatMap(actionsOf) } as Statement)).toEqual(
        expect.arrayContaining(['sqs:SendMessage', 'sqs:ChangeMessageVisibility', 'sqs:ReceiveMessage']),
      );
      // Its own queue, and SendMessage only to the job callback queue (a settled last item queues a callback).
      const names = (st: Statement[]) =>
        [...new Set(st.flatMap(resourcesOf).map(getAttOf))].map(
          (id) => resources[id ?? '']?.Properties.QueueName,
        );
      const own = sqs.filter((st) => !names([st]).includes(CALLBACK_QUEUE));
      expect(names(own)).toEqual([operationQueueName('live', op.id)]);
      const toCallbacks = sqs.filter((st) => names([st]).includes(CALLBACK_QUEUE));
      expect(names(toCallbacks)).toEqual([CALLBACK_QUEUE]);
      expect(toCallbacks.flatMap(actionsOf)).not.toContain('sqs:ReceiveMessage');
    }
  });

  it('lets the jobs function send to every operation queue and write the table, the requests function only read', () => {
    const jobs = policyOfRole(roleOfFunction('lrs-gateway-live-jobs'));
    const sendTargets = jobs
      .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
      .flatMap(resourcesOf)
      .map(getAttOf);
    // Every operation queue, and the job callback queue.
    expect(new Set(sendTargets).size).toBe(OPERATION_COUNT + 1);
    expect(jobs.flatMap(actionsOf)).toContain('dynamodb:PutItem');
    const requests = policyOfRole(roleOfFunction('lrs-gateway-live-requests')).flatMap(actionsOf);
    expect(requests).toContain('dynamodb:GetItem');
    expect(requests).not.toContain('dynamodb:PutItem');
    expect(requests.some((a) => a.startsWith('sqs:'))).toBe(false);
  });

  it('scopes table access to one table ARN (no index wildcard) or Query of the two named indexes, and scans only the registry from the certificate check', () => {
    const certificateRole = roleOfFunction('lrs-gateway-live-certificate-expiry');
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      const role = refOf((policy.Properties.Roles as unknown[])[0]);
      for (const s of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (!actionsOf(s).some((a) => a.startsWith('dynamodb:'))) continue;
        const targets = resourcesOf(s).map((r) => JSON.stringify(r));
        if (targets.some((t) => t.includes('/index/'))) {
          expect(actionsOf(s)).toEqual(['dynamodb:Query']);
          expect(targets).toHaveLength(2);
          expect(targets[0]).toMatch(/Table.*Arn.*\/index\/jobs-by-organisation/);
          expect(targets[1]).toMatch(/Table.*Arn.*\/index\/outbox/);
          continue;
        }
        expect(targets).toHaveLength(1);
        const target = targets[0] as string;
        expect(target).toMatch(/Table.*Arn/);
        if (actionsOf(s).includes('dynamodb:Scan')) {
          expect(role).toBe(certificateRole);
          expect(actionsOf(s)).toEqual(['dynamodb:Scan']);
          expect(target).toMatch(/RegistryTable/);
        }
      }
    }
  });

  it('lets the functions only read the registry, apart from the LRS status of organisations', () => {
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const s of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        if (!JSON.stringify(s.Resource).includes('RegistryTable')) continue;
        const writes = actionsOf(s).filter((a) => /Put|Update|Delete|Write/.test(a));
        if (writes.length === 0) continue;
        expect(writes).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
        expect(s.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORG#*'] } });
      }
    }
  });

  it('gives no function role a managed policy', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      if (id.includes('CloudWatchRole')) continue; // API Gateway's account logging role
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('API', () => {
  const pathOf = (resourceId: string | undefined): string => {
    if (resourceId === undefined) return '';
    const r = resources[resourceId];
    if (r === undefined) throw new Error(`no resource ${resourceId}`);
    return `${pathOf(refOf(r.Properties.ParentId))}/${String(r.Properties.PathPart)}`;
  };
  const routes = () =>
    ofType('AWS::ApiGateway::Method').map(([, m]) => {
      const resourceRef = m.Properties.ResourceId as unknown;
      const path = refOf(resourceRef) === undefined ? '/' : pathOf(refOf(resourceRef));
      return { key: `${String(m.Properties.HttpMethod)} ${path}`, method: m };
    });

  it('serves every operation route and every platform route, and nothing else', () => {
    const expected = [
      ...OPERATION_LIST.map((op) => `${op.route.method} ${op.route.path}`),
      ...PLATFORM_ROUTES.map((r) => `${r.method} ${r.path}`),
    ].sort();
    expect(
      routes()
        .map((r) => r.key)
        .sort(),
    ).toEqual(expected);
  });

  it('requires the caller authorizer and a usage key on every method except the documented public ones', () => {
    const publicKeys = PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(publicKeys).toContain('GET /v1/openapi.json');
    const [authorizerId] = ofType('AWS::ApiGateway::Authorizer')[0] ?? [];
    for (const { key, method } of routes()) {
      if (publicKeys.includes(key)) {
        expect(method.Properties.AuthorizationType, key).toBe('NONE');
        expect(method.Properties.ApiKeyRequired, key).toBe(false);
      } else {
        expect(method.Properties.AuthorizationType, key).toBe('CUSTOM');
        expect(refOf(method.Properties.AuthorizerId), key).toBe(authorizerId);
        expect(method.Properties.ApiKeyRequired, key).toBe(stage.requireUsageKey ?? false);
      }
    }
  });

  it('knows the scope of every route it serves', () => {
    for (const { key } of routes()) {
      const [method, path] = key.split(' ');
      expect(routeScope(String(method), String(path)), key).toBeDefined();
    }
  });

  it('validates that every POST body is a JSON object', () => {
    for (const { key, method } of routes().filter((r) => r.key.startsWith('POST'))) {
      expect(method.Properties.RequestValidatorId, key).toBeDefined();
      expect(method.Properties.RequestModels, key).toEqual({ 'application/json': expect.anything() });
    }
    built.service.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    built.service.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ type: 'object' }),
    });
  });

  it('throttles each caller through the usage plan of its tier (keys are made at run time), and the whole stage', () => {
    built.service.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    built.service.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 0);
    built.service.resourceCountIs('AWS::ApiGateway::UsagePlan', stage.usageTiers.length);
    for (const tier of stage.usageTiers) {
      built.service.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: `lrs-gateway-live-${tier.name}`,
        Throttle: { RateLimit: tier.rateLimit, BurstLimit: tier.burstLimit },
        Quota: { Limit: tier.dailyQuota, Period: 'DAY' },
      });
    }
    // The authorizer names the usage key: an x-api-key header sent by a client is ignored.
    built.service.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    built.service.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [
        Match.objectLike({
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: stage.apiThrottle.rateLimit,
          ThrottlingBurstLimit: stage.apiThrottle.burstLimit,
        }),
      ],
    });
  });

  it('keeps personal data out of the access log format', () => {
    const stages = ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(1);
    const setting = stages[0]?.[1].Properties.AccessLogSetting as { Format: string } | undefined;
    const format = String(setting?.Format);
    expect(format).toContain('$context.identity.apiKeyId');
    expect(format).toContain('$context.authorizer.principalId');
    expect(format).not.toMatch(/\$input|requestOverride|\$context\.path\b/);
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it('alarms as soon as any dead-letter queue holds a message', () => {
    for (const id of OPERATION_IDS) {
      const dlq = ofType('AWS::SQS::Queue').find(
        ([, q]) => q.Properties.QueueName === operationDlqName('live', id),
      );
      const alarm = alarms().find(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions).includes(String(dlq?.[0])),
      );
      expect(alarm, id).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('alarms on errors and throttles of every function', () => {
    for (const [fnId] of ofType('AWS::Lambda::Function')) {
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = alarms().find(
          (a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(`"Ref":"${fnId}"`),
        );
        expect(alarm, `${metric} ${fnId}`).toBeDefined();
      }
    }
  });

  it('alarms 30 days before any organisation client certificate expires, with one alarm for all of them', () => {
    const certificateAlarms = alarms().filter((a) =>
      JSON.stringify(a.Metrics ?? '').includes(METRICS.certificateDaysRemaining),
    );
    expect(certificateAlarms).toHaveLength(1);
    expect(certificateAlarms[0]).toMatchObject({
      Threshold: 30,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
      Metrics: [
        expect.objectContaining({
          Expression:
            `SELECT MIN(${METRICS.certificateDaysRemaining}) FROM SCHEMA("${METRICS.namespace('live')}", ` +
            `${METRICS.organisationDimension}, service) WHERE service = 'certificate-expiry'`,
          Period: 3600,
          ReturnData: true,
        }),
      ],
    });
    expect(JSON.stringify(alarms())).not.toContain(`"Name":"${METRICS.organisationDimension}"`);
  });

  it('runs the certificate check every day', () => {
    const [certFnId] = functionNamed('lrs-gateway-live-certificate-expiry');
    built.service.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [certFnId, 'Arn'] } })],
    });
  });

  it('sends every alarm to the alarm topic', () => {
    for (const a of alarms()) {
      expect(JSON.stringify(a.AlarmActions)).toMatch(/AlarmTopic/);
    }
  });
});

describe('logs', () => {
  it('keeps every log group for the stage retention', () => {
    for (const [, group] of ofType('AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(stage.logRetentionDays);
    }
  });
});
