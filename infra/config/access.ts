/**
 * The stage settings of caller access: who issues caller tokens, the usage tiers, who may send to the
 * operation queues directly and who may read organisation secrets, with their synth-time checks. No
 * organisation or caller is listed here: those are run-time data in the registry (`npm run admin`).
 */

/**
 * Who issues the callers' OAuth 2.0 access tokens (client credentials grant).
 * - `cognito` (default): the stage's own Amazon Cognito user pool with a domain (token endpoint) and a resource
 *   server with the gateway's scopes. App clients (one per caller) are created at run time by the admin CLI.
 * - `oidc`: any other OpenID Connect issuer, e.g. Microsoft Entra ID
 *   (`https://login.microsoftonline.com/<tenant-id>/v2.0`, JWKS `https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys`).
 */
export type CallerAuthConfig =
  | {
      readonly kind: 'cognito';
      /**
       * Prefix of the Cognito domain `https://<prefix>.auth.<region>.amazoncognito.com` (globally unique per
       * region). Default: `lrs-gateway-<stage>-<account id>`.
       */
      readonly domainPrefix?: string;
    }
  | {
      readonly kind: 'oidc';
      /** The exact `iss` claim of the tokens, an https:// URL. */
      readonly issuer: string;
      /** Accepted `aud` values (for Entra ID: the application ID URI or client id of the gateway's app). */
      readonly audience: readonly string[];
      /** The issuer's JWKS URI (https://). */
      readonly jwksUri: string;
      /** What precedes the gateway's scope names in the token (`scp`/`scope` claim). Default: none. */
      readonly scopePrefix?: string;
    };

/**
 * A usage tier: one API Gateway usage plan (throttle, optional daily quota). The admin CLI puts each caller's
 * usage key into the plan of its tier; the authorizer hands API Gateway that key (API key source AUTHORIZER).
 */
export interface UsageTierConfig {
  /** `[a-z0-9-]{1,40}`, used in the usage plan name `lrs-gateway-<stage>-<tier>`. */
  readonly name: string;
  /** Steady-state requests per second of one caller of this tier. */
  readonly rateLimit: number;
  /** Burst of requests of one caller of this tier. */
  readonly burstLimit: number;
  /** Optional cap of requests per day per caller. */
  readonly dailyQuota?: number;
}

const TIER_NAME = /^[a-z0-9-]{1,40}$/;
/** Cognito domain prefixes: lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/;
/** An IAM principal ARN, optionally with `*` wildcards (matched with ArnLike). */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(?:\d{12}|\*):[A-Za-z0-9+=,.@_/*:-]+$/;

/** The access settings of a stage (the part of its StageConfig checked here). */
export interface StageAccessSettings {
  readonly name: string;
  readonly auth: CallerAuthConfig;
  readonly usageTiers: readonly UsageTierConfig[];
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly queueSenderArns: readonly string[];
  readonly secretReaderArns: readonly string[];
}

/** Every problem of the access settings, each naming the field and the rule (never the value). */
export function accessConfigProblems(config: StageAccessSettings): string[] {
  const problems: string[] = [];
  const at = (field: string, rule: string) => problems.push(`stages.${config.name}.${field}: ${rule}`);
  const auth = config.auth;
  if (auth.kind === 'cognito') {
    if (auth.domainPrefix !== undefined) {
      if (!DOMAIN_PREFIX.test(auth.domainPrefix)) {
        at(
          'auth.domainPrefix',
          'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
        );
      } else if (/aws|amazon|cognito/.test(auth.domainPrefix)) {
        at('auth.domainPrefix', 'must not contain "aws", "amazon" or "cognito" (reserved by Cognito)');
      }
    }
  } else if (auth.kind === 'oidc') {
    if (!HTTPS_URL.test(auth.issuer)) at('auth.issuer', 'must be an https:// URL (the exact iss claim)');
    if (!HTTPS_URL.test(auth.jwksUri)) at('auth.jwksUri', "must be an https:// URL (the issuer's JWKS)");
    if (auth.audience.length === 0) at('auth.audience', 'must list at least one accepted aud value');
    for (const [i, aud] of auth.audience.entries()) {
      if (aud.trim() === '' || aud.includes(',')) {
        at(`auth.audience[${i}]`, 'must be a non-empty aud value without commas');
      }
    }
    if (auth.scopePrefix !== undefined && /\s|,/.test(auth.scopePrefix)) {
      at('auth.scopePrefix', 'must not contain spaces or commas');
    }
  } else {
    at('auth.kind', 'must be "cognito" or "oidc"');
  }

  if (config.usageTiers.length === 0) at('usageTiers', 'must list at least one tier (the default)');
  const seen = new Set<string>();
  for (const [i, tier] of config.usageTiers.entries()) {
    if (!TIER_NAME.test(tier.name)) at(`usageTiers[${i}].name`, `must match ${TIER_NAME}`);
    if (seen.has(tier.name)) at(`usageTiers[${i}].name`, 'is listed twice');
    seen.add(tier.name);
    if (!(tier.rateLimit > 0) || !Number.isInteger(tier.burstLimit) || tier.burstLimit < 1) {
      at(`usageTiers[${i}]`, 'rateLimit must be > 0 and burstLimit an integer >= 1');
    }
    if (tier.rateLimit > config.apiThrottle.rateLimit) {
      at(`usageTiers[${i}].rateLimit`, 'must not exceed the stage apiThrottle.rateLimit');
    }
    if (tier.dailyQuota !== undefined && (!Number.isInteger(tier.dailyQuota) || tier.dailyQuota < 1)) {
      at(`usageTiers[${i}].dailyQuota`, 'must be omitted or a positive integer');
    }
  }

  for (const field of ['queueSenderArns', 'secretReaderArns'] as const) {
    for (const [i, arn] of config[field].entries()) {
      if (!PRINCIPAL_ARN.test(arn)) {
        at(
          `${field}[${i}]`,
          'must be an IAM principal ARN, e.g. arn:aws:iam::123456789012:role/name (* allowed)',
        );
      } else if (/^arn:[^:]+:(?:iam|sts)::\*:/.test(arn) || arn.endsWith(':*') || /:role\/\*$/.test(arn)) {
        at(`${field}[${i}]`, 'must name one account and a role name or name pattern, not every principal');
      }
    }
  }
  return problems;
}
