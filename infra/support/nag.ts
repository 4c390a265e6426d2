/**
 * cdk-nag (v3 API) and the one way we acknowledge a finding: every acknowledgement must say why.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const checked = new WeakSet<App>();

/** Runs the AWS Solutions rule pack on every synth: an unacknowledged error fails the synth. Once per app. */
export function addSecurityChecks(app: App): void {
  if (checked.has(app)) return;
  checked.add(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** A reason must explain the decision in words, not be a placeholder. */
const MIN_REASON_LENGTH = 20;

/** Acknowledges a cdk-nag rule on `scope` (and its children). Throws when the reason is missing or too short. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `Acknowledging ${id} on ${scope.node.path} needs a reason of at least ${MIN_REASON_LENGTH} characters`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}
