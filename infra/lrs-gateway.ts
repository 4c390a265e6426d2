/**
 * Builds one stage of lrs-gateway into an app: the data (stateful) stack and the service (stateless) stack,
 * tagged, with the cdk-nag AWS Solutions checks. Used by app.ts and by the infra tests.
 */
import { type App, type Environment, Tags } from 'aws-cdk-lib';
import { deploymentPinProblems } from './config/production.js';
import type { StageConfig } from './config/stages.js';
import { addProductionLayer, createNetwork, type ProductionLayer } from './production.js';
import { DataStack } from './stacks/data-stack.js';
import { ServiceStack } from './stacks/service-stack.js';
import { addGuardChecks } from './support/guard.js';
import { addSecurityChecks } from './support/nag.js';

export interface LrsGateway {
  readonly data: DataStack;
  readonly service: ServiceStack;
  readonly production: ProductionLayer;
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
  /** Run the Control Tower rules with cfn-guard on synth (default true; the infra tests run it in one file). */
  readonly guard?: boolean;
}

export function createLrsGateway(app: App, stage: StageConfig, options: LrsGatewayOptions = {}): LrsGateway {
  const pins = deploymentPinProblems(stage);
  if (pins.length > 0) {
    throw new Error(`Stage "${stage.name}" is not ready to deploy:\n  - ${pins.join('\n  - ')}`);
  }
  // A pinned account wins: a deploy with credentials for another account fails instead of landing there.
  const env: Environment = { account: stage.account ?? options.account, region: stage.region };
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
  const network = createNetwork(app, stage, env);
  const production = addProductionLayer(stage, data, service, network);
  for (const stack of [data, service, ...(network ? [network] : [])]) {
    Tags.of(stack).add('application', 'lrs-gateway');
    Tags.of(stack).add('stage', stage.name);
  }
  addSecurityChecks(app);
  if (options.guard ?? true) addGuardChecks(app);
  return { data, service, production };
}
