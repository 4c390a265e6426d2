/**
 * The port the use cases call to reach the LRS. The adapter (shared/lrs/soap/client.ts) validates the
 * request, adds the organisation's in-body credentials, talks SOAP over mutual TLS and returns a
 * typed response with its outcome. Business outcomes (no match, not shared, stale version…) are
 * returned; transport, credential and validation problems are thrown as AppErrors.
 */
import type { Outcome } from '../domain/outcome.js';
import type { OperationId } from '../lrs/contract/operations.js';
import type { OperationResponse } from '../lrs/contract/responses.js';
import type { OperationRequest } from '../lrs/contract/schemas.js';

export interface LrsCallContext {
  /** Whose credentials and certificate to use. */
  readonly organisationId: string;
  /** The end user's identifier sent as LRS UserName (1-35 characters); defaults to the organisation's. */
  readonly userName?: string;
  /** Correlation id, for logs and metrics (never sent to the LRS). */
  readonly requestId: string;
}

export interface LrsCallResult<K extends OperationId> {
  readonly outcome: Outcome;
  readonly response: OperationResponse<K>;
  /** Wall-clock time of the LRS exchange(s), in milliseconds. */
  readonly durationMs: number;
}

export interface LrsPort {
  call<K extends OperationId>(
    op: K,
    request: OperationRequest<K>,
    ctx: LrsCallContext,
  ): Promise<LrsCallResult<K>>;
}
