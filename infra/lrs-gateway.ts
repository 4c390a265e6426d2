/**
 * Builds one stage of lrs-gateway into an app: the data (stateful) stack and the service (stateless) stack,
 * tagged, with the cdk-nag AWS Solutions checks. Used by app.ts and by the infra tests.
 */
import { type App, type Environment, Tags } from 'aws-cdk-lib';
import type { StageConfig } from './config/stages.js';
import { addSecurityChecks } from './nag.js';
import { DataStack } from './stacks/data-stack.js';
import { ServiceStack } from './stacks/service-stack.js';

export interface LrsGateway {
  readonly data: DataStack;
  readonly service: ServiceStack;
}

export const stackNames = (stage: string) => ({
  data: `LrsGateway-${stage}-Data`,
  service: `LrsGateway-${stage}-Service`,
});

export interface LrsGatewayOptions {
  /** Target account (the CLI's CDK_DEFAULT_ACCOUNT); unset gives an environment-agnostic account. */
  readonly account?: string;
  /** Directory holding the function entries and package-lock.json. Default: the repository root. */
  readonly codeRoot?: string;
}

export function createLrsGateway(app: App, stage: StageConfig, options: LrsGatewayOptions = {}): LrsGateway {
  const env: Environment = { account: options.account, region: stage.region };
  const names = stackNames(stage.name);
  const data = new DataStack(app, names.data, {
    env,
    stage,
    description: `lrs-gateway ${stage.name}: keys, data and registry tables, caller user pool, alarm topic (stateful)`,
    terminationProtection: stage.retainData,
  });
  const service = new ServiceStack(app, names.service, {
    env,
    stage,
    description: `lrs-gateway ${stage.name}: API, operation functions and queues, alarms (stateless)`,
    table: data.table,
    registryTable: data.registryTable,
    key: data.key,
    orgSecretsKey: data.orgSecretsKey,
    tokenVerification: data.callerAuth.verification,
    alarmTopic: data.alarmTopic,
    codeRoot: options.codeRoot,
  });
  service.addStackDependency(data);
  for (const stack of [data, service]) {
    Tags.of(stack).add('application', 'lrs-gateway');
    Tags.of(stack).add('stage', stage.name);
  }
  addSecurityChecks(app);
  return { data, service };
}
