/**
 * The outcome model every response carries. The catalogue of known LRS codes lives in
 * shared/lrs/outcomes.ts; this file holds only the types (no SDK, no XML).
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
  /** The LRS code exactly as sent, e.g. `WSRC0004`, `WSEC0208`, `WSVRC003`, `VRF7`. */
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
