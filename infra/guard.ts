/**
 * AWS Control Tower proactive controls, run by cfn-guard on every synth (@cdklabs/cdk-validator-cfnguard),
 * and the one way we acknowledge one of its findings: on a construct, with a reason, like cdk-nag's.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge } from './nag.js';

/** The plugin name cfn-guard findings carry; acknowledgements are `<plugin>::<rule>`. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

const guarded = new WeakSet<App>();

/** Runs the bundled Control Tower rules; an unacknowledged finding fails the synth. Once per app. */
export function addGuardChecks(app: App): void {
  if (guarded.has(app)) return;
  guarded.add(app);
  // The templates are large (20 functions and their alarms): give cfn-guard's report room.
  Validations.of(app).addPlugins(new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }));
}

/** Acknowledges a Control Tower rule (`cloudwatch_log_group_encrypted_check`, …) on `scope` and its children. */
export function acknowledgeGuard(scope: IConstruct, rule: string, reason: string): void {
  acknowledge(scope, `${GUARD_PLUGIN}::${rule}`, reason);
}
