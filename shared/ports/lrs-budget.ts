/**
 * The one budget of LRS calls in flight that every path of a stage shares (HTTP calls, queue messages,
 * bulk jobs), per stage and, where configured, per organisation. A slot is held for one LRS call and
 * released when it ends; a slot whose holder crashed frees itself when its lease expires. No SDK here:
 * the DynamoDB implementation is in shared/adapters/dynamodb-lrs-budget.ts.
 */

/** One limit: `key` names what it limits ('stage', 'org#10000000'), `limit` the calls in flight. */
export interface BudgetScope {
  readonly key: string;
  readonly limit: number;
}

export interface BudgetLease {
  /** Gives the slots back (idempotent; never throws: an unreleased slot expires with its lease). */
  release(): Promise<void>;
}

export interface LrsBudget {
  /**
   * Takes one slot in every scope, or none: undefined when a scope is full (nothing is held then).
   * `leaseMs` bounds how long a slot stays taken if it is never released.
   */
  acquire(scopes: readonly BudgetScope[], leaseMs: number): Promise<BudgetLease | undefined>;
}
