/**
 * AWS Control Tower proactive controls, run by cfn-guard on every synth (@cdklabs/cdk-validator-cfnguard),
 * and the one way we acknowledge one of its findings: on a construct, with a reason, like cdk-nag's.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge } from './nag.js';

/** The plugin name cfn-guard findings carry; acknowledgements are `<plugin>::<rule>`. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * The cfn-guard plugin with every finding marked as an error. The plugin reports findings without a
 * severity, and CDK re-judges a report after acknowledgements by its error findings only: once one finding
 * was acknowledged, the unacknowledged ones would no longer fail the synth.
 */
export class ControlTowerRules implements IPolicyValidationPluginBeta1 {
  public readonly name = GUARD_PLUGIN;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly guard: CfnGuardValidator;

  constructor() {
    // The templates are large (20 functions and their alarms): give cfn-guard's report room.
    this.guard = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 });
    this.version = this.guard.version;
    this.ruleIds = this.guard.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}

const guarded = new WeakSet<App>();

/** Runs the bundled Control Tower rules; an unacknowledged finding fails the synth. Once per app. */
export function addGuardChecks(app: App): void {
  if (guarded.has(app)) return;
  guarded.add(app);
  Validations.of(app).addPlugins(new ControlTowerRules());
}

/** Acknowledges a Control Tower rule (`cloudwatch_log_group_encrypted_check`, …) on `scope` and its children. */
export function acknowledgeGuard(scope: IConstruct, rule: string, reason: string): void {
  acknowledge(scope, `${GUARD_PLUGIN}::${rule}`, reason);
}
