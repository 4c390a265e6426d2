/**
 * The production settings of a stage: the account pin, who the alarms reach, the edge (WAF, custom domain,
 * mutual TLS), static egress and reserved concurrency. Types and synth-time checks only; the constructs
 * that build them live in infra/constructs/.
 */

/** AWS Chatbot (Amazon Q Developer in chat applications) channels that receive the alarms. */
export interface ChatConfig {
  /** Slack: the workspace (team) id `T…` authorised once in the Chatbot console, and channel ids `C…`. */
  readonly slack?: readonly { readonly workspaceId: string; readonly channelId: string }[];
  /** Microsoft Teams: the tenant, team and channel ids of a team authorised once in the Chatbot console. */
  readonly teams?: readonly {
    readonly tenantId: string;
    readonly teamId: string;
    readonly channelId: string;
  }[];
}

/** Where the alarms go besides the stage's alarm topic, and the thresholds of the operational alarms. */
export interface AlarmRouting {
  /** SNS topic ARNs (for example an on-call or incident tool's topic) subscribed to the alarm topic. */
  readonly topicArns?: readonly string[];
  readonly chat?: ChatConfig;
  /** Oldest message in an operation queue, in minutes, that raises the queue age alarm. Default 60. */
  readonly queueAgeMinutes?: number;
  /** Share of LRS calls of one operation that fail (LRS unreachable, timeouts, faults), in %. Default 10. */
  readonly lrsErrorRatePercent?: number;
  /** p99 LRS latency of one operation, in ms, that raises the latency alarm. Default 10 000. */
  readonly lrsLatencyP99Ms?: number;
  /** Share of API responses that are 4xx, in %, over 15 minutes. Default 25. */
  readonly api4xxRatePercent?: number;
}

/** The WAF web ACL and the custom domain in front of the API stage. */
export interface EdgeConfig {
  /** Rate-based rule: requests per source IP in any 5 minutes before that IP is blocked (100-2 000 000 000). */
  readonly rateLimitPer5Minutes: number;
  /** Optional allow-list: when set, only these source ranges (IPv4 or IPv6 CIDRs) reach the API. */
  readonly allowedCidrs?: readonly string[];
  /** Optional custom domain (TLS 1.2 minimum). */
  readonly domain?: DomainConfig;
}

export interface DomainConfig {
  /** The API's host name, e.g. `lrs-api.example.ac.uk`. */
  readonly name: string;
  /** An ACM certificate for `name` in the stage's region. Either this or `hostedZone`. */
  readonly certificateArn?: string;
  /**
   * A Route 53 public hosted zone that holds `name`: a certificate is issued with DNS validation and an
   * alias record is created. Either this or `certificateArn`.
   */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /**
   * Mutual TLS for callers: `s3://bucket/key` of a PEM bundle of the CA certificates callers' client
   * certificates must chain to. The default execute-api endpoint is switched off so that it cannot be used
   * to bypass it.
   */
  readonly mutualTlsTruststoreUri?: string;
  /** Optional S3 object version of the truststore (pin it, so that a changed bundle needs a deploy). */
  readonly mutualTlsTruststoreVersion?: string;
}

/** Static egress: the functions run in private subnets and reach the internet through NAT with Elastic IPs. */
export interface EgressConfig {
  /** Availability zones, one private subnet, NAT gateway and Elastic IP each (1-3; 2+ for live). */
  readonly availabilityZones: number;
  /** VPC address range, a /16 to /24 private IPv4 block. Default 10.40.0.0/16. */
  readonly cidr?: string;
}

/** Reserved concurrency of the functions (see infra/README "Concurrency"). */
export interface ConcurrencyConfig {
  /** Invocations per operation function kept for API calls on top of its queue's LRS budget. */
  readonly httpHeadroom: number;
  /** Reserved concurrency of each platform function (requests, jobs, certificate check). */
  readonly platformFunction: number;
  /** The account's Lambda concurrency quota in the stage's region (1000 unless raised). */
  readonly accountLimit: number;
}

export const DEFAULT_CONCURRENCY: ConcurrencyConfig = {
  httpHeadroom: 5,
  platformFunction: 5,
  accountLimit: 1000,
};
/** Lambda keeps this much of the account's concurrency unreserved; reservations beyond it fail to deploy. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
export const DEFAULT_RATE_LIMIT_PER_5_MINUTES = 3000;
export const DEFAULT_EGRESS_CIDR = '10.40.0.0/16';

/** DynamoDB keeps point-in-time backups for 1-35 days. */
export const PITR_MAX_DAYS = 35;
/**
 * Point-in-time recovery never reaches further back than learner data lives: a restore cannot bring back
 * data whose lifetime has ended (TTL would delete it again, but until then it would be readable).
 */
export const pointInTimeRecoveryDays = (dataTtlDays: number): number =>
  Math.max(1, Math.min(dataTtlDays, PITR_MAX_DAYS));

/** Stages that deploy only into their pinned account, and only with an alarm subscriber. */
export const PINNED_STAGES: readonly string[] = ['test', 'live'];

const ACCOUNT = /^\d{12}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

const isIpv4Cidr = (cidr: string, minPrefix = 0, maxPrefix = 32): boolean => {
  const m = IPV4_CIDR.exec(cidr);
  if (m === null) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  return octets.every((o) => o <= 255) && prefix >= minPrefix && prefix <= maxPrefix;
};
const isIpv6Cidr = (cidr: string): boolean => {
  const m = IPV6_CIDR.exec(cidr);
  return m !== null && cidr.includes(':') && Number(m[1]) <= 128;
};
const isPrivateIpv4 = (cidr: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(cidr);

const positiveInt = (v: number | undefined, min: number, max: number): boolean =>
  v === undefined || (Number.isInteger(v) && v >= min && v <= max);

export interface ProductionSettings {
  readonly name: string;
  readonly account?: string;
  readonly alarms: AlarmRouting & { readonly email?: string };
  readonly edge?: EdgeConfig;
  readonly egress?: EgressConfig;
  readonly concurrency?: ConcurrencyConfig;
}

/** Checks the production settings of a stage record; every problem names the field and the rule. */
export function productionSettingProblems(config: ProductionSettings): string[] {
  const problems: string[] = [];
  const at = (field: string, rule: string) => problems.push(`stages.${config.name}.${field}: ${rule}`);
  if (config.account !== undefined && !ACCOUNT.test(config.account)) {
    at('account', 'must be a 12-digit AWS account id');
  }
  const { alarms } = config;
  for (const [i, arn] of (alarms.topicArns ?? []).entries()) {
    if (!TOPIC_ARN.test(arn))
      at(`alarms.topicArns[${i}]`, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');
  }
  for (const [i, s] of (alarms.chat?.slack ?? []).entries()) {
    if (!/^[A-Z0-9]{9,15}$/.test(s.workspaceId))
      at(`alarms.chat.slack[${i}].workspaceId`, 'must be a Slack workspace id like T0123ABCD');
    if (!/^[A-Z0-9]{9,15}$/.test(s.channelId))
      at(`alarms.chat.slack[${i}].channelId`, 'must be a Slack channel id like C0123ABCD');
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  for (const [i, t] of (alarms.chat?.teams ?? []).entries()) {
    if (!uuid.test(t.tenantId))
      at(`alarms.chat.teams[${i}].tenantId`, 'must be a Microsoft Entra tenant id (a UUID)');
    if (!uuid.test(t.teamId)) at(`alarms.chat.teams[${i}].teamId`, 'must be a Teams team id (a UUID)');
    if (!/^\S{10,200}$/.test(t.channelId))
      at(`alarms.chat.teams[${i}].channelId`, 'must be a Teams channel id like 19:…@thread.tacv2');
  }
  if (!positiveInt(alarms.queueAgeMinutes, 5, 20_160))
    at('alarms.queueAgeMinutes', 'must be an integer from 5 to 20160');
  if (!positiveInt(alarms.lrsErrorRatePercent, 1, 100))
    at('alarms.lrsErrorRatePercent', 'must be an integer from 1 to 100');
  if (!positiveInt(alarms.lrsLatencyP99Ms, 100, 60_000))
    at('alarms.lrsLatencyP99Ms', 'must be an integer from 100 to 60000');
  if (!positiveInt(alarms.api4xxRatePercent, 1, 100))
    at('alarms.api4xxRatePercent', 'must be an integer from 1 to 100');

  const { edge } = config;
  if (edge !== undefined) {
    if (!positiveInt(edge.rateLimitPer5Minutes, 100, 2_000_000_000)) {
      at(
        'edge.rateLimitPer5Minutes',
        'must be an integer from 100 to 2000000000 (WAF rate-based rule limits)',
      );
    }
    if (edge.allowedCidrs !== undefined && edge.allowedCidrs.length === 0) {
      at('edge.allowedCidrs', 'must be omitted (no allow-list) or list at least one CIDR');
    }
    for (const [i, cidr] of (edge.allowedCidrs ?? []).entries()) {
      if (!isIpv4Cidr(cidr, 1) && !isIpv6Cidr(cidr))
        at(`edge.allowedCidrs[${i}]`, 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24');
    }
    const d = edge.domain;
    if (d !== undefined) {
      if (!HOST_NAME.test(d.name))
        at('edge.domain.name', 'must be a lower-case DNS host name such as lrs-api.example.ac.uk');
      if ((d.certificateArn === undefined) === (d.hostedZone === undefined)) {
        at(
          'edge.domain',
          'set exactly one of certificateArn (an existing ACM certificate) or hostedZone (DNS validation)',
        );
      }
      if (d.certificateArn !== undefined && !CERTIFICATE_ARN.test(d.certificateArn)) {
        at('edge.domain.certificateArn', 'must be an ACM certificate ARN in the stage region');
      }
      if (d.hostedZone !== undefined) {
        if (!HOSTED_ZONE_ID.test(d.hostedZone.id))
          at('edge.domain.hostedZone.id', 'must be a Route 53 hosted zone id like Z0123456789ABC');
        if (!(d.name === d.hostedZone.name || d.name.endsWith(`.${d.hostedZone.name}`))) {
          at('edge.domain.hostedZone.name', 'must be the zone that holds edge.domain.name');
        }
      }
      if (d.mutualTlsTruststoreUri !== undefined && !S3_URI.test(d.mutualTlsTruststoreUri)) {
        at('edge.domain.mutualTlsTruststoreUri', 'must be an s3://bucket/key URI of a PEM bundle');
      }
      if (d.mutualTlsTruststoreVersion !== undefined && d.mutualTlsTruststoreUri === undefined) {
        at('edge.domain.mutualTlsTruststoreVersion', 'needs edge.domain.mutualTlsTruststoreUri');
      }
    }
  }

  const { egress } = config;
  if (egress !== undefined) {
    if (!positiveInt(egress.availabilityZones, 1, 3) || egress.availabilityZones === undefined) {
      at('egress.availabilityZones', 'must be 1, 2 or 3');
    }
    if (config.name === 'live' && egress.availabilityZones < 2) {
      at('egress.availabilityZones', 'must be at least 2 on live: one zone is a single point of failure');
    }
    if (egress.cidr !== undefined && !(isIpv4Cidr(egress.cidr, 16, 24) && isPrivateIpv4(egress.cidr))) {
      at('egress.cidr', 'must be a private IPv4 range from /16 to /24, such as 10.40.0.0/16');
    }
  }

  const c = config.concurrency;
  if (c !== undefined) {
    if (!positiveInt(c.httpHeadroom, 1, 1000))
      at('concurrency.httpHeadroom', 'must be an integer from 1 to 1000');
    if (!positiveInt(c.platformFunction, 1, 1000))
      at('concurrency.platformFunction', 'must be an integer from 1 to 1000');
    if (!positiveInt(c.accountLimit, 1000, 1_000_000)) {
      at(
        'concurrency.accountLimit',
        'must be your account Lambda concurrency quota, an integer of at least 1000',
      );
    }
  }
  return problems;
}

/** True when at least one person or system receives the alarms. */
export const hasAlarmSubscriber = (alarms: ProductionSettings['alarms']): boolean =>
  alarms.email !== undefined ||
  (alarms.topicArns ?? []).length > 0 ||
  (alarms.chat?.slack ?? []).length > 0 ||
  (alarms.chat?.teams ?? []).length > 0;

/**
 * What a pinned stage (test, live) needs before it synthesizes: its account, and somebody who receives its
 * alarms. Every problem names the setting to add.
 */
export function deploymentPinProblems(config: ProductionSettings): string[] {
  if (!PINNED_STAGES.includes(config.name)) return [];
  const problems: string[] = [];
  if (config.account === undefined) {
    problems.push(
      `stages.${config.name}.account: must be set to the 12-digit AWS account id the ${config.name} stage ` +
        'deploys into (test and live are pinned to one account and region)',
    );
  }
  if (!hasAlarmSubscriber(config.alarms)) {
    problems.push(
      `stages.${config.name}.alarms: must name at least one subscriber (alarms.email, alarms.topicArns or ` +
        `alarms.chat), or nobody hears the ${config.name} alarms`,
    );
  }
  return problems;
}
