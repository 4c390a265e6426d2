/**
 * What makes a stage fit to run in production, added to the stacks of one stage: the operational alarms and
 * where they go, the dashboard, the edge (WAF, custom domain, mutual TLS), reserved concurrency, KMS
 * encryption of every log group, and (when the stage asks for it) static egress through a VPC.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { planConcurrency, reserveConcurrency } from './concurrency.js';
import { DEFAULT_CONCURRENCY } from './config/production.js';
import { lrsBudgetOf, type StageConfig } from './config/stages.js';
import { AlarmSubscribers, OperationalAlarms } from './constructs/alarms.js';
import { StageDashboard } from './constructs/dashboard.js';
import { Edge } from './constructs/edge.js';
import { NetworkStack, placeFunctionsInVpc } from './constructs/egress.js';
import { GatewayFunction } from './constructs/gateway-function.js';
import { encryptLogGroups } from './constructs/key-policies.js';
import type { DataStack } from './stacks/data-stack.js';
import type { ServiceStack } from './stacks/service-stack.js';
import { acknowledgeGuard } from './support/guard.js';

export interface ProductionLayer {
  readonly alarms: OperationalAlarms;
  readonly subscribers: AlarmSubscribers;
  readonly dashboard: StageDashboard;
  readonly edge: Edge;
  readonly network?: NetworkStack;
}

export const networkStackName = (stage: string): string => `LrsGateway-${stage}-Network`;

/** The network stack, made before the service stack is wired to it (only when the stage sets `egress`). */
export function createNetwork(app: App, stage: StageConfig, env: Environment): NetworkStack | undefined {
  if (stage.egress === undefined) return undefined;
  return new NetworkStack(app, networkStackName(stage.name), {
    env,
    stageName: stage.name,
    egress: stage.egress,
    retain: stage.retainData,
    logRetentionDays: stage.logRetentionDays,
    description: `lrs-gateway ${stage.name}: VPC, NAT gateways and the static egress IPs (stateful addresses)`,
    terminationProtection: stage.retainData,
  });
}

export function addProductionLayer(
  stage: StageConfig,
  data: DataStack,
  service: ServiceStack,
  network: NetworkStack | undefined,
): ProductionLayer {
  const operations = [...service.operations.values()];
  const platform = [
    service.requestsFunction,
    service.jobsFunction,
    service.certificateExpiryFunction,
    service.authorizer.handler,
  ];

  const { plan, problems } = planConcurrency(
    stage.name,
    { budget: lrsBudgetOf(stage), queueMaxConcurrency: stage.lrsMaxConcurrency },
    operations.length,
    platform.length,
    stage.concurrency ?? DEFAULT_CONCURRENCY,
  );
  if (problems.length > 0)
    throw new Error(`Invalid stage configuration "${stage.name}":\n  - ${problems.join('\n  - ')}`);
  for (const op of operations) reserveConcurrency(op.handler.function, plan.operationFunction);
  for (const fn of platform) reserveConcurrency(fn.function, plan.platformFunction);

  const edge = new Edge(service, 'Edge', { stageName: stage.name, api: service.api.api, config: stage.edge });
  const alarms = new OperationalAlarms(service, 'OperationalAlarms', {
    stageName: stage.name,
    routing: stage.alarms,
    operations,
    table: data.table,
    api: service.api.api,
    alarmTopic: data.alarmTopic,
  });
  const subscribers = new AlarmSubscribers(service, 'AlarmSubscribers', {
    stageName: stage.name,
    alarmTopic: data.alarmTopic,
    routing: stage.alarms,
  });
  subscribers.routeAll(service);
  const allAlarms = service.node.findAll().filter((c): c is Alarm => c instanceof Alarm);
  const dashboard = new StageDashboard(service, 'Dashboard', {
    stageName: stage.name,
    operations,
    api: service.api.api,
    alarms: allAlarms,
    certificateExpiryDays: stage.alarms.certificateExpiryDays,
    webAcl: { name: edge.webAclName, metricName: `${edge.webAclName}-web-acl` },
  });

  for (const stack of [service, ...(network ? [network] : [])]) encryptLogGroups(stack, data.logsKey);

  if (network !== undefined) placeFunctionsInVpc(service, network);
  for (const fn of service.node.findAll().filter((c): c is GatewayFunction => c instanceof GatewayFunction)) {
    acknowledgeGuard(
      fn.function,
      'lambda_inside_vpc_check',
      network !== undefined
        ? "The function runs in the network stack's private subnets; the rule cannot follow the cross-stack " +
            'references (Fn::ImportValue) to them.'
        : 'This stage has no static egress (stage setting egress): the functions reach the LRS and AWS over ' +
            "Lambda's own network; set egress to run them in private subnets behind NAT with fixed IPs.",
    );
  }
  // Every dead-letter queue of the stack (the operations', the job callbacks'): a DLQ has no DLQ of its own.
  const queues = service.node.findAll().filter((c): c is Queue => c instanceof Queue);
  for (const dlq of new Set(queues.flatMap((q) => (q.deadLetterQueue ? [q.deadLetterQueue.queue] : [])))) {
    acknowledgeGuard(
      dlq,
      'sqs_dlq_check',
      'This queue is the dead-letter queue of another queue of the stage; it is alarmed on its first message.',
    );
  }
  // Invoke permissions for API Gateway (routes, the authorizer) and EventBridge (the daily check) name the
  // API's or the rule's ARN as SourceArn, built with Fn::Join or GetAtt, which the rule cannot read.
  for (const permission of service.node
    .findAll()
    .filter((c): c is CfnPermission => c instanceof CfnPermission)) {
    const principal = String(permission.principal);
    if (principal !== 'apigateway.amazonaws.com' && principal !== 'events.amazonaws.com') continue;
    if (permission.sourceArn === undefined)
      throw new Error(`${permission.node.path}: an invoke permission without SourceArn`);
    acknowledgeGuard(
      permission,
      'lambda_function_public_access_prohibited_check',
      `Only ${principal} may invoke, and only from this stack's own API or schedule rule (SourceArn, a ` +
        'Fn::Join or GetAtt the rule cannot read as a literal or local reference).',
    );
  }
  return { alarms, subscribers, dashboard, edge, network };
}
