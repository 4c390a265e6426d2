/**
 * Every stage synthesizes offline with cdk-nag's AWS Solutions checks and CDK's built-in CloudFormation rules;
 * every cdk-nag acknowledgement carries a reason; the checks really fail a synth when a rule is broken.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, STAGES, type StageName } from '../../infra/config/stages.js';
import { stackNames } from '../../infra/lrs-gateway.js';
import { addSecurityChecks } from '../../infra/support/nag.js';
import { REPO_ROOT } from '../../infra/support/paths.js';
import { PUBLIC_ROUTES } from '../../shared/config/scopes.js';
import { OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import { type BuiltStage, buildStage } from './support.js';

interface ValidationReport {
  pluginReports?: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

const acknowledgements = (root: IConstruct): { path: string; id: string; reason: string }[] =>
  root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ path: c.node.path, id, reason })),
  );

/** Each stage is built once for this file, with CDK's built-in CloudFormation rules on. */
const builtStages = new Map<StageName, BuiltStage>();
const stageBuilt = (name: StageName): BuiltStage => {
  let built = builtStages.get(name);
  if (built === undefined) {
    built = buildStage(STAGES[name], { builtinValidation: true });
    builtStages.set(name, built);
  }
  return built;
};

describe.each(STAGE_NAMES)('stage %s', (name) => {
  it('synthesizes both stacks with no unacknowledged cdk-nag error and no CloudFormation rule violation', () => {
    const assembly = stageBuilt(name).app.synth();
    const names = stackNames(name);
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([names.data, names.service].sort());
    const reportFile = join(assembly.directory, 'validation-report.json');
    expect(existsSync(reportFile)).toBe(true);
    const report: ValidationReport = JSON.parse(readFileSync(reportFile, 'utf8'));
    const findings = (report.pluginReports ?? []).flatMap((p) =>
      p.violations
        .filter((v) => v.severity === 'error' || v.severity === 'warning' || v.severity === 'fatal')
        .map((v) => `${p.pluginName} ${v.severity} ${v.ruleName}`),
    );
    expect(findings).toEqual([]);
    // CDK's CloudFormation rules over ~400 resources take tens of seconds on a busy machine.
  }, 180_000);

  it('puts the caller authorizer on every method except the documented public ones', () => {
    const { service } = stageBuilt(name);
    const publicPaths = PUBLIC_ROUTES.map((r) => `${r.method} ${r.path}`);
    const resources = service.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const pathOf = (id: unknown): string => {
      const resource = resources[String((id as { Ref?: string }).Ref)];
      if (resource === undefined) return '';
      return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
    };
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(OPERATION_IDS.length);
    for (const m of methods) {
      const key = `${String(m.Properties.HttpMethod)} ${pathOf(m.Properties.ResourceId)}`;
      const expected = publicPaths.includes(key) ? 'NONE' : 'CUSTOM';
      expect(m.Properties.AuthorizationType, key).toBe(expected);
      if (expected === 'CUSTOM') expect(m.Properties.AuthorizerId, key).toBeDefined();
    }
  });

  it('has no organisation- or caller-specific resource, output or setting', () => {
    const { data, service } = stageBuilt(name);
    for (const template of [data, service]) {
      for (const type of [
        'AWS::SecretsManager::Secret',
        'AWS::ApiGateway::ApiKey',
        'AWS::ApiGateway::UsagePlanKey',
        'AWS::Cognito::UserPoolClient',
      ]) {
        template.resourceCountIs(type, 0);
      }
      const text = JSON.stringify(template.toJSON());
      // Secrets are only ever named by the stage prefix pattern, never one organisation's name.
      expect(text.match(new RegExp(`lrs-gateway/${name}/org/[A-Za-z0-9]`))).toBeNull();
      expect(text.match(/CALLER_ACCESS|ORGANISATION_IDS|CallerKeyId|OrganisationSecret/)).toBeNull();
    }
    expect(Object.keys(data.toJSON().Outputs ?? {}).sort()).toEqual(
      expect.arrayContaining(['CallerUserPoolId', 'TokenEndpoint']),
    );
    for (const output of Object.keys(service.toJSON().Outputs ?? {})) {
      expect(output).toMatch(/^(ApiUrl|Api[A-Za-z0-9]*Endpoint[A-Za-z0-9]*|UsagePlanId[A-Za-z0-9]+)$/);
    }
  });

  it('gives every cdk-nag acknowledgement a reason', () => {
    const { app } = stageBuilt(name);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^((Annotation::)?AwsSolutions-|cdk-validator-cfnguard::[a-z0-9_]+$)/);
      expect(ack.reason.trim().length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(20);
    }
  });
});

/**
 * The complete list of acknowledged cdk-nag rules. A new acknowledgement must be added here on purpose,
 * so that a reviewer sees it; each one's reason lives next to it in infra/.
 */
const ACKNOWLEDGED_RULES = [
  'AwsSolutions-APIG4',
  'AwsSolutions-COG4',
  'AwsSolutions-COG8',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-2:123456789012:secret:lrs-gateway/live/callback/*]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-2:123456789012:secret:lrs-gateway/live/org/*]',
  'AwsSolutions-L1',
  'AwsSolutions-SQS3',
  // Control Tower rules run by cfn-guard (infra/support/guard.ts acknowledgeGuard), each with its reason in infra/.
  'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
  'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
  'cdk-validator-cfnguard::lambda_inside_vpc_check',
  'cdk-validator-cfnguard::sqs_dlq_check',
];

describe('cdk-nag', () => {
  it('acknowledges only the reviewed rules', () => {
    const { app } = stageBuilt('live');
    const ids = new Set(acknowledgements(app).map((a) => a.id.replace(/^Annotation::/, '')));
    expect([...ids].sort()).toEqual(ACKNOWLEDGED_RULES);
  });

  it.each(['AwsSolutions-SQS3', 'cdk-validator-cfnguard::sqs_dlq_check'])(
    'acknowledges %s on dead-letter queues only',
    (rule) => {
      const { app } = stageBuilt('live');
      const paths = acknowledgements(app)
        .filter((a) => a.id.endsWith(rule))
        .map((a) => a.path);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).toMatch(/\/DeadLetterQueue$/);
    },
  );

  it('acknowledges a method without authorization only on the documented public routes', () => {
    const { app } = stageBuilt('live');
    const paths = acknowledgements(app)
      .filter((a) => a.id.endsWith('AwsSolutions-APIG4'))
      .map((a) => a.path);
    expect(paths.sort()).toEqual(
      PUBLIC_ROUTES.map((r) => `LrsGateway-live-Service/Api/Api/Default${r.path}/${r.method}`).sort(),
    );
  });

  it('acknowledges the wildcard secret grant only for the readers of organisation secrets', () => {
    const { app } = stageBuilt('live');
    const paths = acknowledgements(app)
      .filter((a) => a.id.includes(':secret:lrs-gateway/live/org/'))
      .map((a) => a.path);
    expect(paths).toHaveLength(OPERATION_IDS.length + 1);
    for (const path of paths) expect(path).toMatch(/\/(Operation-\w+\/Handler|CertificateExpiry)\/Role$/);
  });

  it('fails the synth when a resource breaks a rule and nobody acknowledged it', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Careless');
    new Queue(stack, 'NoDlqNoTls');
    addSecurityChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*AwsSolutions-SQS4/);
  });
});

describe('infra/app.ts', () => {
  const run = (context: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra', 'app.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'lrs-gateway-app-')),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuses an unknown stage, listing the valid ones', () => {
    const result = run({ stage: 'prod' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Unknown stage "prod": valid stages are dev, test, live');
  });

  it.each(['test', 'live'])('refuses %s as shipped: no pinned account and no alarm subscriber', (stage) => {
    const result = run({ stage });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Stage "${stage}" is not ready to deploy`);
    expect(result.stderr).toContain(`stages.${stage}.account: must be set to the 12-digit AWS account id`);
    expect(result.stderr).toContain(`stages.${stage}.alarms: must name at least one subscriber`);
  });

  it('refuses a missing stage', () => {
    const result = run({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('No stage given: run with -c stage=<name>');
  });
});
