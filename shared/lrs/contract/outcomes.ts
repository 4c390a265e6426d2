/**
 * Outcomes from LRS codes: the catalogue entry of a code (a generic one for an unknown code, never a
 * crash), the outcome as the API shows it, and the wait attached to a retry-later outcome. The table
 * itself is outcome-catalogue.ts.
 */
import type { Outcome, OutcomeClass, OutcomeInfo, OutcomeView } from '../../domain/outcome.js';
import { type CatalogueEntry, OUTCOME_CATALOGUE } from './outcome-catalogue.js';

const BY_CODE: ReadonlyMap<string, CatalogueEntry> = new Map(OUTCOME_CATALOGUE.map((o) => [o.code, o]));

const UNKNOWN_NAME = 'UNKNOWN_CODE';

/** The catalogue entry for a code; unknown codes get a generic, non-final entry. */
export function outcomeFor(code: string): OutcomeInfo {
  const known = BY_CODE.get(code.trim());
  if (known) {
    const { action: _action, fromLrs: _fromLrs, ...info } = known;
    return info;
  }
  const cls: OutcomeClass = /^WSEC/.test(code) ? 'caller-error' : 'business-refusal';
  return {
    code,
    name: UNKNOWN_NAME,
    class: cls,
    final: false,
    description: 'A code this gateway does not know; see the LRS interface specification',
  };
}

/**
 * The outcome as the API shows it: the gateway's own `code` and `name`, and the LRS code in `lrsCode`
 * only when the LRS sent one (never for the outcomes the gateway names itself).
 */
export const outcomeView = (outcome: Outcome): OutcomeView => {
  const known = BY_CODE.get(outcome.code);
  const fromLrs = known ? known.fromLrs : true;
  return {
    code: outcome.name,
    name: outcome.name,
    ...(fromLrs ? { lrsCode: outcome.code } : {}),
    description: outcome.description,
    class: outcome.class,
    final: outcome.final,
    ...(outcome.retryAfterSeconds !== undefined ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
  };
};

/** Default wait before asking again about a running batch job. */
export const JOB_POLL_SECONDS = 60;

export const toOutcome = (info: OutcomeInfo, retryAfterSeconds?: number): Outcome =>
  info.class === 'retry-later' ? { ...info, retryAfterSeconds: retryAfterSeconds ?? JOB_POLL_SECONDS } : info;
