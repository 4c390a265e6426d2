/**
 * Every LRS call of a stage goes through one budget of calls in flight (shared/ports/lrs-budget.ts):
 * the HTTP path and the queue path alike, so a bulk job cannot starve interactive callers of the LRS,
 * nor HTTP traffic push the LRS past what it is allowed. When the budget is full the call is not made:
 * RateLimitedError, which HTTP answers 429 with Retry-After and the queue path turns into a wait (a fresh
 * delayed copy, no receive charged; see shared/queue/retry-policy.ts).
 *
 * Settings (environment, read once per cold start):
 * - `LRS_BUDGET`: LRS calls in flight per stage, all functions together (unset or 0: no budget).
 * - `LRS_BUDGET_ORGANISATIONS`: per-organisation limits within it, `10000000=2,TST001=1`.
 */
import { ConfigurationError, RateLimitedError } from '../domain/errors.js';
import type { LrsPort } from '../ports/lrs.js';
import type { BudgetScope, LrsBudget } from '../ports/lrs-budget.js';

export const LRS_BUDGET_ENV = {
  limit: 'LRS_BUDGET',
  organisations: 'LRS_BUDGET_ORGANISATIONS',
} as const;

/** Retry-After of a call refused because the budget is full: LRS calls last about a second. */
export const BUDGET_RETRY_AFTER_SECONDS = 1;

export interface LrsBudgetSettings {
  /** Calls in flight per stage; 0 = no budget. */
  readonly limit: number;
  readonly organisations: Readonly<Record<string, number>>;
}

export const loadLrsBudgetSettings = (
  env: Record<string, string | undefined> = process.env,
): LrsBudgetSettings => {
  const problems: string[] = [];
  const whole = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 10_000) {
      problems.push(`${name} must be a whole number from 0 to 10000`);
      return 0;
    }
    return n;
  };
  const limitText = env[LRS_BUDGET_ENV.limit];
  const limit = limitText === undefined || limitText === '' ? 0 : whole(LRS_BUDGET_ENV.limit, limitText);
  const organisations: Record<string, number> = {};
  for (const part of (env[LRS_BUDGET_ENV.organisations] ?? '').split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*([A-Za-z0-9]{6,8})\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) {
      problems.push(`${LRS_BUDGET_ENV.organisations} must be a list like 10000000=2,TST001=1`);
      continue;
    }
    organisations[m[1] as string] = whole(LRS_BUDGET_ENV.organisations, m[2] as string);
  }
  if (problems.length > 0)
    throw new ConfigurationError(`Invalid function configuration: ${problems.join('; ')}`);
  return { limit, organisations };
};

/** The scopes a call of `organisationId` needs a slot in. */
export const budgetScopes = (settings: LrsBudgetSettings, organisationId: string): BudgetScope[] => {
  const scopes: BudgetScope[] = [];
  if (settings.limit > 0) scopes.push({ key: 'stage', limit: settings.limit });
  const own = settings.organisations[organisationId];
  if (own !== undefined) scopes.push({ key: `org#${organisationId}`, limit: own });
  return scopes;
};

/** `lrs` with every call holding a budget slot for its duration. */
export const withLrsBudget = (
  lrs: Pick<LrsPort, 'call'>,
  budget: LrsBudget,
  settings: LrsBudgetSettings,
  leaseMs: number,
): Pick<LrsPort, 'call'> => ({
  call: async (op, request, ctx) => {
    const scopes = budgetScopes(settings, ctx.organisationId);
    if (scopes.length === 0) return lrs.call(op, request, ctx);
    const lease = await budget.acquire(scopes, leaseMs);
    if (!lease) {
      throw new RateLimitedError(
        'The LRS is at the limit of calls in flight for this stage or organisation; retry shortly',
        BUDGET_RETRY_AFTER_SECONDS,
      );
    }
    try {
      return await lrs.call(op, request, ctx);
    } finally {
      await lease.release();
    }
  },
});
