/**
 * One typed record per deployment stage. Everything that differs between environments lives here and is
 * passed to the stacks as props; constructs never read process.env.
 *
 * Organisations and callers are not configured here: they are run-time data in the stage's registry table,
 * managed with `npm run admin` (see infra/README.md), so onboarding never needs a deploy and the templates
 * are the same for one organisation or a thousand.
 */

import { accessConfigProblems, type CallerAuthConfig, type UsageTierConfig } from './access.js';
import {
  type AlarmRouting,
  type ConcurrencyConfig,
  type EdgeConfig,
  type EgressConfig,
  productionSettingProblems,
} from './production.js';

export const STAGE_NAMES = ['dev', 'test', 'live'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface StageConfig {
  readonly name: StageName;
  /**
   * AWS account id the stage deploys into. Required on test and live (their synth fails without it); on dev
   * unset means the CLI profile's account (CDK_DEFAULT_ACCOUNT).
   */
  readonly account?: string;
  /** AWS region the stage is pinned to. */
  readonly region: string;
  /** LRS base URL (no trailing slash); the service paths (/LearnerService.svc, ...) are appended by the code. */
  readonly lrsEndpoint: string;
  /**
   * Upper bound of concurrent LRS calls per operation queue (SQS event source maximum concurrency, 2-1000).
   * The LRS is a shared public service: keep this low.
   */
  readonly lrsMaxConcurrency: number;
  /**
   * LRS calls in flight for the whole stage, HTTP and queues together (LRS_BUDGET); beyond it HTTP callers
   * get 429 and queue work waits. Default: twice lrsMaxConcurrency.
   */
  readonly lrsBudget?: number;
  /** Per-organisation limits within the budget, e.g. `10000000=2,TST001=1` (LRS_BUDGET_ORGANISATIONS). */
  readonly lrsBudgetOrganisations?: string;
  /** Days learner data (request and job results) is kept before DynamoDB TTL deletes it. */
  readonly dataTtlDays: number;
  /**
   * When the LRS is expected to answer, e.g. `Mon-Sat 07:00-22:00 Europe/London` (LRS_SERVICE_HOURS; parsed
   * and checked by the functions at cold start). Unset: the functions' default, every day 06:00-24:00 UK time.
   */
  readonly lrsServiceHours?: string;
  /** Days Lambda and API access logs are kept. */
  readonly logRetentionDays: LogRetentionDays;
  /** Keep the table, key and secrets when the stack is deleted (must be true on live). */
  readonly retainData: boolean;
  /** Memory of each Lambda function, in MB. */
  readonly functionMemoryMb: number;
  /** Who issues caller tokens: the stage's Cognito user pool, or another OIDC issuer. */
  readonly auth: CallerAuthConfig;
  /** Usage plans the admin CLI assigns callers to (the first is the default tier). */
  readonly usageTiers: readonly UsageTierConfig[];
  /**
   * Require a usage key on every authorised route (API key source AUTHORIZER): a caller without one in the
   * registry is refused with 403. Turn it on once every caller has a usage key in a tier's plan (infra/README
   * "Usage tiers"); off, the tiers' plans exist but only the stage throttle applies. Default false.
   */
  readonly requireUsageKey?: boolean;
  /**
   * IAM role ARNs (or ARN patterns with `*`) of registered callers that send to the operation queues directly,
   * besides roles named `lrs-gateway-<stage>-caller-*` in the stage's account, which are always allowed.
   */
  readonly queueSenderArns: readonly string[];
  /**
   * IAM principal ARNs (or patterns) of the operators who may read organisation secrets (the admin CLI's
   * `doctor`, checks after a rotation); every other principal is refused by the key and secret policies.
   * Storing a secret (onboard, rotate) needs no entry here, only the operator's IAM permissions.
   */
  readonly secretReaderArns: readonly string[];
  /** Stage-wide API Gateway throttling (all callers together). */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly alarms: AlarmRouting & {
    /** Optional e-mail address subscribed to the alarm topic (confirm the subscription after deploy). */
    readonly email?: string;
    /** Alarm when a client certificate has this many days or fewer left. */
    readonly certificateExpiryDays: number;
    /** Function errors in 5 minutes that raise an alarm. */
    readonly errorThreshold: number;
  };
  /** WAF and custom domain (infra/README "The edge"). Unset: the WAF with its default rate limit, no domain. */
  readonly edge?: EdgeConfig;
  /** Static egress IPs through a VPC with NAT gateways (infra/README "Static egress"). Unset: no VPC. */
  readonly egress?: EgressConfig;
  /** Reserved concurrency (infra/README "Concurrency"). Unset: DEFAULT_CONCURRENCY. */
  readonly concurrency?: ConcurrencyConfig;
}

/** The stage's LRS budget (LRS_BUDGET): `lrsBudget`, or twice `lrsMaxConcurrency` when unset. */
export const lrsBudgetOf = (stage: Pick<StageConfig, 'lrsBudget' | 'lrsMaxConcurrency'>): number =>
  stage.lrsBudget ?? stage.lrsMaxConcurrency * 2;

/** CloudWatch Logs retention values accepted by CloudFormation (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

export const LRS_TEST_ENDPOINT = 'https://cmp-ws.dev.lrs.education.gov.uk';
export const LRS_LIVE_ENDPOINT = 'https://ws.lrs.education.gov.uk';

/**
 * dev and test alike: the LRS test environment, two calls in flight, the smaller functions, Cognito
 * callers on one standard tier. They differ in how long they keep data and logs.
 */
const preLive = (
  stage: Pick<StageConfig, 'name' | 'dataTtlDays' | 'logRetentionDays' | 'retainData'>,
): StageConfig => ({
  name: stage.name,
  region: 'eu-west-2',
  lrsEndpoint: LRS_TEST_ENDPOINT,
  lrsMaxConcurrency: 2,
  dataTtlDays: stage.dataTtlDays,
  logRetentionDays: stage.logRetentionDays,
  retainData: stage.retainData,
  functionMemoryMb: 512,
  auth: { kind: 'cognito' },
  usageTiers: [{ name: 'standard', rateLimit: 5, burstLimit: 10 }],
  queueSenderArns: [],
  secretReaderArns: [],
  apiThrottle: { rateLimit: 20, burstLimit: 40 },
  alarms: { certificateExpiryDays: 30, errorThreshold: 5 },
});

export const STAGES: Record<StageName, StageConfig> = {
  // A deployed dev stage cannot reach a simulator on a laptop: it talks to the LRS test environment.
  // The local runtime (npm start) uses the simulator instead.
  dev: preLive({ name: 'dev', dataTtlDays: 7, logRetentionDays: 14, retainData: false }),
  test: preLive({ name: 'test', dataTtlDays: 14, logRetentionDays: 30, retainData: true }),
  live: {
    name: 'live',
    region: 'eu-west-2',
    lrsEndpoint: LRS_LIVE_ENDPOINT,
    lrsMaxConcurrency: 5,
    dataTtlDays: 30,
    logRetentionDays: 365,
    retainData: true,
    functionMemoryMb: 1024,
    auth: { kind: 'cognito' },
    usageTiers: [
      { name: 'standard', rateLimit: 10, burstLimit: 20, dailyQuota: 50_000 },
      { name: 'bulk', rateLimit: 25, burstLimit: 50, dailyQuota: 500_000 },
    ],
    queueSenderArns: [],
    secretReaderArns: [],
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    alarms: { certificateExpiryDays: 30, errorThreshold: 1 },
  },
};

/**
 * Checks a stage record at synth time and returns every problem found, each naming the field and the rule.
 * An empty list means the record is usable.
 */
export function stageConfigProblems(config: StageConfig): string[] {
  const problems: string[] = [];
  const at = (field: string, rule: string) => problems.push(`stages.${config.name}.${field}: ${rule}`);

  if (!/^https:\/\/[^/\s]+(?::\d+)?$/.test(config.lrsEndpoint)) {
    at(
      'lrsEndpoint',
      `must be an https:// base URL without a path or trailing slash (got "${config.lrsEndpoint}")`,
    );
  }
  if (
    !Number.isInteger(config.lrsMaxConcurrency) ||
    config.lrsMaxConcurrency < 2 ||
    config.lrsMaxConcurrency > 1000
  ) {
    at(
      'lrsMaxConcurrency',
      `must be an integer from 2 to 1000 (SQS event source limit), got ${config.lrsMaxConcurrency}`,
    );
  }
  if (config.lrsServiceHours !== undefined && config.lrsServiceHours.trim() === '') {
    at('lrsServiceHours', 'must be omitted or look like "Mon-Sat 07:00-22:00 Europe/London"');
  }
  if (!Number.isInteger(config.dataTtlDays) || config.dataTtlDays < 1 || config.dataTtlDays > 365) {
    at('dataTtlDays', `must be an integer from 1 to 365, got ${config.dataTtlDays}`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(config.logRetentionDays)) {
    at('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${config.logRetentionDays}`);
  }
  if (config.name === 'live' && !config.retainData) {
    at('retainData', 'must be true on live: learner data and certificates must survive a stack deletion');
  }
  if (
    !Number.isInteger(config.functionMemoryMb) ||
    config.functionMemoryMb < 128 ||
    config.functionMemoryMb > 10240
  ) {
    at('functionMemoryMb', `must be an integer from 128 to 10240, got ${config.functionMemoryMb}`);
  }
  problems.push(...accessConfigProblems(config));
  if (!(config.apiThrottle.rateLimit > 0) || !(config.apiThrottle.burstLimit >= 1)) {
    at('apiThrottle', 'rateLimit must be > 0 and burstLimit >= 1');
  }
  if (!Number.isInteger(config.alarms.certificateExpiryDays) || config.alarms.certificateExpiryDays < 1) {
    at('alarms.certificateExpiryDays', 'must be a positive integer');
  }
  if (!Number.isInteger(config.alarms.errorThreshold) || config.alarms.errorThreshold < 1) {
    at('alarms.errorThreshold', 'must be a positive integer');
  }
  if (config.alarms.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.alarms.email)) {
    at('alarms.email', `"${config.alarms.email}" is not an e-mail address`);
  }
  problems.push(...productionSettingProblems(config));
  return problems;
}

const isStageName = (name: string): name is StageName => (STAGE_NAMES as readonly string[]).includes(name);

/**
 * The stage record for `-c stage=<name>`. Throws a message listing the valid stages when the name is missing
 * or unknown, and every problem of the record when it is invalid.
 */
export function resolveStage(name: unknown, stages: Record<StageName, StageConfig> = STAGES): StageConfig {
  const valid = STAGE_NAMES.join(', ');
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`No stage given: run with -c stage=<name>, where <name> is one of: ${valid}`);
  }
  if (!isStageName(name)) {
    throw new Error(`Unknown stage "${name}": valid stages are ${valid}`);
  }
  const config = stages[name];
  const problems = stageConfigProblems(config);
  if (problems.length > 0) {
    throw new Error(`Invalid stage configuration "${name}":\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
