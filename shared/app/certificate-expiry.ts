/**
 * The daily certificate check: for every organisation in the stage's registry, read its secret through the same
 * credentials adapter the operation functions use, and publish the days left on its LRS client
 * certificate (metric contract: METRICS in shared/config/names.ts; the CDK app alarms at 30 days).
 * An organisation whose secret cannot be read (still empty, malformed, no readable certificate) gets no
 * data point; the run then fails after the others are published, so the function's error alarm fires
 * and the schedule retries. Logs carry organisation ids, days and error codes only.
 */
import * as z from 'zod';
import { ENV, METRICS } from '../config/names.js';
import { ConfigurationError, isAppError } from '../domain/errors.js';
import type { AppLog } from '../observability/logger.js';
import { publishMetrics } from '../observability/metrics.js';
import type { CredentialsSource } from '../ports/credentials.js';

const DAY_MS = 24 * 3600 * 1000;

export interface CertificateCheckDependencies {
  readonly credentials: CredentialsSource;
  readonly organisationIds: readonly string[];
  /** Publishes one data point of CertificateDaysRemaining for an organisation. */
  readonly publish: (organisationId: string, daysRemaining: number) => void;
  readonly log: AppLog;
  readonly now?: () => Date;
}

export type CertificateCheck =
  | { readonly organisationId: string; readonly daysRemaining: number; readonly notAfter: string }
  | { readonly organisationId: string; readonly problem: string };

/** Whole days until the certificate stops being valid (negative once it has expired). */
export const daysRemaining = (notAfter: Date, now: Date): number =>
  Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);

/** Checks every organisation; returns one entry each, publishing a data point for each readable one. */
export const checkCertificates = async (deps: CertificateCheckDependencies): Promise<CertificateCheck[]> => {
  const now = (deps.now ?? (() => new Date()))();
  const checks: CertificateCheck[] = [];
  for (const organisationId of deps.organisationIds) {
    try {
      const credentials = await deps.credentials.get(organisationId);
      const notAfter = credentials.certificateNotAfter;
      if (!notAfter) throw new ConfigurationError('the client certificate has no readable expiry date');
      const days = daysRemaining(notAfter, now);
      deps.publish(organisationId, days);
      deps.log.info('Client certificate checked', { organisationId, certificateDaysRemaining: days });
      checks.push({ organisationId, daysRemaining: days, notAfter: notAfter.toISOString() });
    } catch (e) {
      const problem = isAppError(e) ? e.code : e instanceof Error ? e.name : 'UNKNOWN';
      deps.log.error('Client certificate could not be checked', { organisationId, errorCode: problem });
      checks.push({ organisationId, problem });
    }
  }
  return checks;
};

const configSchema = z.object({
  [ENV.orgSecretPrefix]: z.string().min(1),
  [ENV.registryTableName]: z.string().min(3).max(255),
});

export const loadCertificateCheckConfig = (
  env: NodeJS.ProcessEnv = process.env,
): { secretPrefix: string; registryTableName: string } => {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ConfigurationError(`Invalid function configuration: ${problems.join('; ')}`);
  }
  return {
    secretPrefix: parsed.data[ENV.orgSecretPrefix],
    registryTableName: parsed.data[ENV.registryTableName],
  };
};

/** EMF: the `service` dimension plus OrganisationId, published at once. */
export const publishDaysRemaining = (organisationId: string, days: number): void =>
  publishMetrics([
    {
      name: METRICS.certificateDaysRemaining,
      unit: 'Count',
      value: days,
      dimensions: { [METRICS.organisationDimension]: organisationId },
    },
  ]);
