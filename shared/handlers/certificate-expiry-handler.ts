/** The Lambda entry of the daily certificate check (the check itself: shared/app/certificate-expiry.ts). */
import {
  type CertificateCheckDependencies,
  checkCertificates,
  loadCertificateCheckConfig,
  publishDaysRemaining,
} from '../app/certificate-expiry.js';
import { appLog, withInvocationLogs } from '../observability/logger.js';
import type { Registry } from '../ports/registry.js';
import { certificateCheckCredentials, certificateCheckRegistry } from '../wiring/certificate-check.js';

/**
 * The scheduled handler: the organisations come from the registry at each run (onboarded ones are checked
 * the next day with no deploy). Config is read once per cold start; a bad config fails at init.
 */
export const createCertificateExpiryHandler = (
  deps: Partial<Omit<CertificateCheckDependencies, 'organisationIds'>> & {
    readonly registry?: Pick<Registry, 'listOrganisations'>;
  } = {},
) => {
  const config = deps.credentials && deps.registry ? undefined : loadCertificateCheckConfig();
  const registry = deps.registry ?? certificateCheckRegistry(config?.registryTableName ?? '');
  const base: Omit<CertificateCheckDependencies, 'organisationIds'> = {
    credentials: deps.credentials ?? certificateCheckCredentials(config?.secretPrefix ?? ''),
    publish: deps.publish ?? publishDaysRemaining,
    log: deps.log ?? appLog,
    ...(deps.now ? { now: deps.now } : {}),
  };
  const run = async (): Promise<{ checked: number; failed: string[] }> => {
    const organisationIds = (await registry.listOrganisations()).map((o) => o.organisationId);
    const checks = await checkCertificates({ ...base, organisationIds });
    const failed = checks.filter((c) => 'problem' in c).map((c) => c.organisationId);
    if (failed.length > 0) {
      throw new Error(`Client certificate could not be checked for organisation(s) ${failed.join(', ')}`);
    }
    return { checked: checks.length, failed };
  };
  return withInvocationLogs<unknown, { checked: number; failed: string[] }>(run);
};
