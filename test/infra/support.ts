/**
 * Builds a stage once per test file with bundling skipped (the Template checks do not need the bundles).
 *
 * The function entries are taken from the repository; a missing one fails the tests, as it fails synth.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { hasAlarmSubscriber } from '../../infra/config/production.js';
import type { StageConfig } from '../../infra/config/stages.js';
import { AUTHORIZER_ENTRY } from '../../infra/constructs/caller-authorizer.js';
import { createLrsGateway, type LrsGateway } from '../../infra/lrs-gateway.js';
import { REPO_ROOT } from '../../infra/support/paths.js';
import { operationEntry, PLATFORM_FUNCTIONS } from '../../shared/config/resources.js';
import { OPERATION_IDS } from '../../shared/lrs/contract/operations.js';

export const ALL_ENTRIES: readonly string[] = [
  ...OPERATION_IDS.map(operationEntry),
  ...Object.values(PLATFORM_FUNCTIONS).map((f) => f.entry),
  AUTHORIZER_ENTRY,
];

export function codeRootForTests(): { codeRoot: string; missing: string[] } {
  const missing = ALL_ENTRIES.filter((entry) => !existsSync(join(REPO_ROOT, entry)));
  // A missing function entry is a defect: synth would fail, so the infra tests fail too.
  if (missing.length > 0) throw new Error(`function entries missing: ${missing.join(', ')}`);
  return { codeRoot: REPO_ROOT, missing };
}

export interface BuiltStage {
  readonly app: App;
  readonly gateway: LrsGateway;
  readonly data: Template;
  readonly service: Template;
}

/** Every production option of a stage switched on: static egress, the WAF allow-list, a domain with mutual TLS. */
export const ALL_OPTIONS = {
  egress: { availabilityZones: 2, cidr: '10.50.0.0/16' },
  edge: {
    rateLimitPer5Minutes: 1500,
    allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    domain: {
      name: 'lrs-api.example.ac.uk',
      hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.ac.uk' },
      mutualTlsTruststoreUri: 's3://example-truststore/callers/ca.pem',
      mutualTlsTruststoreVersion: 'v3',
    },
  },
} as const satisfies Partial<StageConfig>;

/** The account every test stack is pinned to. */
export const TEST_ACCOUNT = '123456789012';

/**
 * The shipped test and live records have no account and no alarm subscriber (each deployment adds its own),
 * so their synth refuses; the tests pin them to a test account and an e-mail subscriber.
 */
export const withDeploymentPins = (stage: StageConfig): StageConfig => ({
  ...stage,
  account: stage.account ?? TEST_ACCOUNT,
  alarms: hasAlarmSubscriber(stage.alarms) ? stage.alarms : { ...stage.alarms, email: 'alarms@example.org' },
});

/**
 * Bundling is skipped, and CDK's built-in CloudFormation rule check and cfn-guard are left to the synth test
 * (they run there for every stage), so that assertion files stay fast. cdk-nag still runs.
 */
export function buildStage(
  stage: StageConfig,
  options: { builtinValidation?: boolean; guard?: boolean } = {},
): BuiltStage {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.builtinValidation ?? false,
  });
  const gateway = createLrsGateway(app, withDeploymentPins(stage), {
    account: TEST_ACCOUNT,
    codeRoot: codeRootForTests().codeRoot,
    // cfn-guard takes about 10 s a stage: it runs in synth.test.ts and guard.test.ts.
    guard: options.guard ?? false,
  });
  return {
    app,
    gateway,
    data: Template.fromStack(gateway.data),
    service: Template.fromStack(gateway.service),
  };
}
