/**
 * The outcome model every response carries. The catalogue of known LRS codes lives in
 * shared/lrs/contract/outcome-catalogue.ts; this file holds only the types (no SDK, no XML).
 */

export type OutcomeClass =
  /** A search result: no match, possible matches, exact, linked, too many. */
  | 'match-result'
  /** The LRS did what was asked (registered, updated, submitted, verified...). */
  | 'success'
  /** The LRS understood and refused for a business reason (not shared, stale version, duplicate...). */
  | 'business-refusal'
  /** The request was wrong (validation, credentials, unknown organisation). */
  | 'caller-error'
  /** Try again later (out of hours, maintenance, batch still running). */
  | 'retry-later';

export interface OutcomeInfo {
  /** The catalogue key: the LRS code as sent (`WSRC0004`, `VRF7`), or a code the gateway names itself (`OK`, `MAINTENANCE`). */
  readonly code: string;
  /** Stable machine name, e.g. `EXACT_MATCH`. */
  readonly name: string;
  readonly description: string;
  readonly class: OutcomeClass;
  /** True when repeating the same request later cannot give a different answer. */
  readonly final: boolean;
}

export interface Outcome extends OutcomeInfo {
  /** Seconds after which a retry makes sense (only for `retry-later`). */
  readonly retryAfterSeconds?: number;
}

/**
 * The outcome as the API shows it. `code` and `name` are the gateway's own (stable, e.g. `EXACT_MATCH`,
 * `LRS_MAINTENANCE`); `lrsCode` is the code the LRS sent (`WSRC0004`), absent when the LRS sent none.
 */
export interface OutcomeView {
  readonly code: string;
  readonly name: string;
  readonly lrsCode?: string;
  readonly description: string;
  readonly class: OutcomeClass;
  readonly final: boolean;
  readonly retryAfterSeconds?: number;
}
