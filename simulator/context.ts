/** Shared plumbing of the simulator's operation handlers: results, failures, credentials. */
import type { LearnerRegister } from './register.js';
import { SIMULATOR_ORGANISATIONS, type SimulatorOrganisation } from './seed/organisations.js';

export interface OpResult {
  readonly status: number;
  readonly body: string;
  /** The LRS operation name (for the request log). */
  readonly operation: string;
  /** The outcome code (response code or fault code) for the request log. */
  readonly code?: string;
}

/** Thrown by a handler to answer with a fault. */
export class SoapFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly code: string,
  ) {
    super(code);
  }
}

export interface Job<TInput, TOutput> {
  /** Decimal text: LearnerService job ids are xs:long (64-bit), more than a JS number holds exactly. */
  readonly id: string;
  readonly org: string;
  readonly userName: string;
  readonly submittedAt: number;
  /** Mutable so a test can finish jobs early (`finishJobs()`). */
  startAt: number;
  finishAt: number;
  readonly input: TInput;
  output?: TOutput;
}

export interface SimState {
  readonly register: LearnerRegister;
  batchDurationMs: number;
  readonly jobs: Map<string, Job<unknown, unknown>>;
  /** Next LearnerService batch job id (xs:long). */
  nextJobId: bigint;
  nextAchievementJobId: number;
}

/** Operations a `find-only` organisation may use. */
const FIND_ONLY_ALLOWED = new Set([
  'learnerByULN',
  'learnerByDemographics',
  'verifyLearner',
  'retrieveULNs',
  'LearnerByUln',
  'GetOrganisation',
]);

export type CredentialProblem = 'WSEC0003' | 'WSEC0005' | 'WSEC0006';

/**
 * Identifies the calling organisation by UKPRN and/or organisation reference (both, when given, must
 * name the same organisation), then checks the password and the access to the operation.
 */
export const authenticate = (
  ids: { ukprn?: string | undefined; orgRef?: string | undefined },
  password: string | undefined,
  operation: string,
): { org: SimulatorOrganisation } | { problem: CredentialProblem } => {
  const ukprn = ids.ukprn?.trim() || undefined;
  const orgRef = ids.orgRef?.trim() || undefined;
  if (!ukprn && !orgRef) return { problem: 'WSEC0003' };
  const byUkprn = ukprn
    ? SIMULATOR_ORGANISATIONS.find((o) => o.ukprn.toUpperCase() === ukprn.toUpperCase())
    : undefined;
  // A production WCF client (TLRC) sends the UKPRN as the R9 OrganisationRef too, so a reference
  // equal to an organisation's UKPRN names that organisation.
  const byRef = orgRef
    ? (SIMULATOR_ORGANISATIONS.find((o) => o.organisationRef.toUpperCase() === orgRef.toUpperCase()) ??
      SIMULATOR_ORGANISATIONS.find((o) => o.ukprn.toUpperCase() === orgRef.toUpperCase()))
    : undefined;
  if ((ukprn && !byUkprn) || (orgRef && !byRef) || (byUkprn && byRef && byUkprn !== byRef)) {
    return { problem: 'WSEC0003' };
  }
  const org = (byUkprn ?? byRef) as SimulatorOrganisation;
  if (password !== org.orgPassword) return { problem: 'WSEC0005' };
  if (org.access === 'find-only' && !FIND_ONLY_ALLOWED.has(operation)) return { problem: 'WSEC0006' };
  if (
    (operation === 'SubmitAchievementBatchJob' || operation === 'GetAchievementBatchJob') &&
    !org.awardingOrganisation
  ) {
    return { problem: 'WSEC0006' };
  }
  return { org };
};

export type JobPhase = 'waiting' | 'running' | 'done';
export const jobPhase = (job: Job<unknown, unknown>, now = Date.now()): JobPhase =>
  now >= job.finishAt ? 'done' : now >= job.startAt ? 'running' : 'waiting';

/** Registers a new batch job with id `id`: waiting for the first 20 % of the batch duration, then running. */
export const newJob = <I>(
  state: SimState,
  id: string,
  org: string,
  userName: string,
  input: I,
): Job<I, unknown> => {
  const now = Date.now();
  const job: Job<I, unknown> = {
    id,
    org,
    userName,
    submittedAt: now,
    startAt: now + Math.round(state.batchDurationMs * 0.2),
    finishAt: now + state.batchDurationMs,
    input,
  };
  state.jobs.set(id, job as Job<unknown, unknown>);
  return job;
};

/**
 * Completes every due job not processed yet, in submission order, with the completer of its kind
 * (called by a timer and on poll).
 */
export const completeDue = (
  state: SimState,
  /** Each completer takes the jobs of its own kind. */
  completers: Readonly<Record<string, (state: SimState, job: never) => unknown>>,
): void => {
  const now = Date.now();
  for (const job of state.jobs.values()) {
    if (job.output || now < job.finishAt) continue;
    completers[(job.input as { kind?: string }).kind ?? '']?.(state, job as never);
  }
};

/** An answer given before any operation was identified (transport, envelope and routing refusals). */
export const refusal = (status: number, code: string, body: string): OpResult => ({
  status,
  operation: 'unknown',
  code,
  body,
});
