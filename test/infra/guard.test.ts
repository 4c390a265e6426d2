/**
 * cfn-guard with the AWS Control Tower proactive controls (@cdklabs/cdk-validator-cfnguard): every stage, with
 * and without the production options (static egress, a custom domain with mutual TLS, an allow-list, chat
 * channels), passes, each exception acknowledged on its construct with a reason; an unacknowledged breach
 * fails the synth. One app holds the three stages, so cfn-guard runs once for all of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES, type StageConfig } from '../../infra/config/stages.js';
import { createLrsGateway } from '../../infra/lrs-gateway.js';
import { acknowledgeGuard, addGuardChecks, GUARD_PLUGIN } from '../../infra/support/guard.js';
import { ALL_OPTIONS, codeRootForTests, TEST_ACCOUNT, withDeploymentPins } from './support.js';

interface Report {
  pluginReports?: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingResources?: unknown[] }[];
  }[];
}

/** test and live with every option switched on; dev as shipped (no VPC, no domain). */
const WITH_OPTIONS: Partial<StageConfig> = ALL_OPTIONS;

let report: Report;
let synthError: unknown;
beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const { codeRoot } = codeRootForTests();
  for (const stage of [
    STAGES.dev,
    { ...STAGES.test, ...WITH_OPTIONS },
    {
      ...STAGES.live,
      ...WITH_OPTIONS,
      alarms: {
        ...STAGES.live.alarms,
        chat: { slack: [{ workspaceId: 'T0123ABCDE', channelId: 'C0123ABCDE' }] },
      },
    },
  ]) {
    createLrsGateway(app, withDeploymentPins(stage), { account: TEST_ACCOUNT, codeRoot, guard: false });
  }
  addGuardChecks(app);
  try {
    const assembly = app.synth();
    const file = join(assembly.directory, 'validation-report.json');
    report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  } catch (e) {
    synthError = e;
  }
}, 600_000);

describe('Control Tower rules (cfn-guard)', () => {
  it('run on the synth of every stage and find nothing unacknowledged', () => {
    expect(synthError).toBeUndefined();
    const guard = (report.pluginReports ?? []).find((p) => p.pluginName === GUARD_PLUGIN);
    expect(guard, 'the cfn-guard plugin ran').toBeDefined();
    const open = (guard?.violations ?? [])
      .filter((v) => v.severity === 'error' || v.severity === 'fatal')
      .map((v) => v.ruleName);
    expect(open).toEqual([]);
    const others = (report.pluginReports ?? [])
      .filter((p) => p.pluginName !== GUARD_PLUGIN)
      .flatMap((p) =>
        p.violations.filter((v) => v.severity === 'error').map((v) => `${p.pluginName} ${v.ruleName}`),
      );
    expect(others).toEqual([]);
  });
});

describe('acknowledgeGuard', () => {
  it('fails a synth on an unacknowledged breach and passes the same breach once acknowledged', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    new LogGroup(new Stack(app, 'Careless'), 'Plain');
    const acknowledged = new LogGroup(new Stack(app, 'Reasoned'), 'Plain');
    acknowledgeGuard(
      acknowledged,
      'cloudwatch_log_group_encrypted_check',
      'A test log group that holds nothing at all.',
    );
    addGuardChecks(app);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/CT\.CLOUDWATCH\.PR\.3[\s\S]*Careless\/Plain/);
    expect(message).not.toMatch(/Reasoned\/Plain/);
  }, 300_000);

  it('refuses an acknowledgement without a reason', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => acknowledgeGuard(stack, 'sqs_dlq_check', 'because')).toThrow(/needs a reason/);
  });
});
