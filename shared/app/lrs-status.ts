/**
 * The last LRS success and failure of each organisation, for GET /v1/organisations/{id}/status and the
 * operator's doctor. Noted from the operation pipeline cheaply: at most once a minute per organisation
 * and kind in a warm function (in memory), and a conditional update in the registry so that many
 * functions together still write about once a minute. Never on the caller's wait: errors are logged only.
 */
import type { AppLog } from '../observability/logger.js';
import type { Registry } from '../ports/registry.js';
import type { StoredRequest } from '../ports/results-store.js';
import { isGatewaySideLrsCode } from './failures.js';

export const LRS_STATUS_INTERVAL_MS = 60_000;

/**
 * What a stored request says about the organisation's LRS access: `ok` when the LRS answered with its
 * credentials (whatever the business outcome or a refusal of the caller's data), a failure code when the
 * LRS refused the gateway's credentials or access, or could not be reached; undefined when it says
 * nothing (e.g. the request never reached the LRS).
 */
export const lrsResultOf = (
  record: StoredRequest,
): { ok: true } | { ok: false; code: string } | undefined => {
  if (record.status === 'COMPLETED') return { ok: true };
  const error = record.error;
  if (record.status !== 'FAILED' || !error) return undefined;
  if (error.code === 'LRS_REJECTED') {
    return error.lrsCode && isGatewaySideLrsCode(error.lrsCode)
      ? { ok: false, code: error.lrsCode }
      : { ok: true };
  }
  // The reason (MAINTENANCE, OUT_OF_HOURS, CONNECTION…) says more than the LRS code (maintenance reuses WSEC0001).
  if (error.code === 'LRS_UNAVAILABLE')
    return { ok: false, code: error.reason ?? error.lrsCode ?? 'UNAVAILABLE' };
  return undefined;
};

export const lrsResultNoter = (
  registry: Pick<Registry, 'noteLrsResult'>,
  log: AppLog,
  now: () => Date = () => new Date(),
): ((organisationId: string, record: StoredRequest) => void) => {
  const last = new Map<string, number>();
  return (organisationId, record) => {
    const result = lrsResultOf(record);
    if (!result) return;
    const at = now();
    const k = `${organisationId}\n${result.ok ? 'ok' : result.code}`;
    const previous = last.get(k);
    if (previous !== undefined && at.getTime() - previous < LRS_STATUS_INTERVAL_MS) return;
    last.set(k, at.getTime());
    registry
      .noteLrsResult(
        organisationId,
        result.ok ? { ok: true, at } : { ok: false, at, code: result.code },
        LRS_STATUS_INTERVAL_MS,
      )
      .catch((e: unknown) => {
        last.delete(k);
        log.warn('Could not note the LRS status of the organisation', {
          organisationId,
          errorName: e instanceof Error ? e.name : typeof e,
        });
      });
  };
};
