/**
 * `doctor <org>`: one harmless LRS call for the organisation — R9 `GetOrganisation` of its own UKPRN (or
 * organisation reference): it reads no learner, changes nothing, and even a look-up-only organisation may
 * make it — through the same credentials adapter and LRS client the functions use, and an explanation in
 * words of what went wrong: the certificate refused in the TLS handshake, WSEC0003 unknown organisation,
 * WSEC0005 wrong password, WSEC0006 operation not allowed, out of hours, maintenance, unreachable.
 */
import { randomUUID } from 'node:crypto';
import { SecretsManagerCredentialsSource } from '../../shared/adapters/secrets-manager-credentials.js';
import { daysRemaining } from '../../shared/app/certificate-expiry.js';
import { ConfigurationError, LrsRejectedError, LrsUnavailableError } from '../../shared/domain/errors.js';
import { validateRequest } from '../../shared/lrs/contract/schemas.js';
import { createLrsClient } from '../../shared/lrs/soap/client.js';
import { type AdminContext, organisationArg, UsageError } from './context.js';

export interface Diagnosis {
  readonly ok: boolean;
  /** LRS code, unavailability reason or gateway problem. */
  readonly code: string;
  readonly explanation: string;
}

const REJECTIONS: Record<string, string> = {
  WSEC0002:
    'The LRS does not know this request: the operation or its SOAP action is not one it offers (check LRS_ENDPOINT points at the LRS)',
  WSEC0003:
    'Unknown organisation: the LRS has no organisation with the UKPRN / organisation reference in the secret (a typo, or not registered in this LRS environment — test and live are separate)',
  WSEC0005:
    'Wrong password: the LRS refused the organisation password (orgPassword) in the secret. Rotate it with the password the LRS issued: npm run admin -- org rotate <org> --org-password-env <VARIABLE>',
  WSEC0006:
    "Operation not allowed: the organisation's LRS access does not include this operation (ask the LRS service desk to extend its access)",
};

const UNAVAILABLE: Record<string, string> = {
  OUT_OF_HOURS:
    'Out of hours: the LRS is closed now. Nothing is wrong with the set-up; try again when it opens',
  MAINTENANCE: 'Maintenance: the LRS is down for planned maintenance. Try again later',
  CONNECTION:
    'Unreachable: no connection to the LRS (DNS, firewall, proxy, or the LRS is down). Check LRS_ENDPOINT and the network path from this account',
  TIMEOUT: 'Unreachable: the LRS did not answer in time (network path or an LRS outage)',
  TLS: "TLS failed: the LRS server certificate is not trusted by the gateway (for a test environment, the secret's serverCa)",
  HTTP_ERROR: 'The LRS answered with an HTTP error, not SOAP (a proxy in the way, or an LRS outage)',
  THROTTLED: 'The LRS is throttling this organisation: too many calls; try again shortly',
};

const TLS_CLIENT_REFUSED =
  'TLS handshake refused: the LRS did not accept the client certificate (not issued by the LRS for this organisation, expired or revoked, or for the other LRS environment). Rotate with the certificate the LRS issued: npm run admin -- org rotate <org> --pfx <file>';

/** The TLS failures of the transport (shared/lrs/soap/faults.ts), each by which side refused what. */
const TLS_EXPLANATIONS: Record<string, string> = {
  TLS_CLIENT_CERTIFICATE_REJECTED: TLS_CLIENT_REFUSED,
  TLS_HANDSHAKE_REFUSED: TLS_CLIENT_REFUSED,
  TLS_CLIENT_CERTIFICATE_UNUSABLE:
    "The organisation's client certificate or key cannot be used for TLS (wrong passphrase, key and certificate that do not match, or an unsupported key): rotate with a working PFX or PEM pair: npm run admin -- org rotate <org> --pfx <file>",
  TLS_SERVER_CERTIFICATE_UNTRUSTED:
    "The gateway does not trust the LRS server certificate: for a test LRS (or the local simulator) store its CA in the organisation's secret with org add/rotate --server-ca <pem>; the live LRS must present a publicly trusted certificate",
  TLS_SERVER_KEY_TOO_WEAK:
    'The LRS server presented a key below the minimum (2048-bit RSA or a 256-bit EC key): the gateway refused it before sending anything; this is the server side to fix, not the organisation',
};

/** The failure, in words. */
export const explain = (e: unknown): Diagnosis => {
  if (e instanceof LrsRejectedError) {
    if (e.lrsCode.startsWith('TLS_')) {
      return { ok: false, code: e.lrsCode, explanation: TLS_EXPLANATIONS[e.lrsCode] ?? TLS_CLIENT_REFUSED };
    }
    return {
      ok: false,
      code: e.lrsCode,
      explanation: REJECTIONS[e.lrsCode] ?? `The LRS refused the call (${e.lrsCode}): ${e.message}`,
    };
  }
  if (e instanceof LrsUnavailableError) {
    return { ok: false, code: e.lrsCode ?? e.reason, explanation: UNAVAILABLE[e.reason] ?? e.message };
  }
  if (e instanceof ConfigurationError) {
    return {
      ok: false,
      code: 'SECRET',
      explanation: `The organisation's secret cannot be used: ${e.message}`,
    };
  }
  return {
    ok: false,
    code: 'UNKNOWN',
    explanation: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
  };
};

export const doctor = async (ctx: AdminContext, id: string | undefined): Promise<boolean> => {
  const organisationId = organisationArg(id);
  if (!ctx.lrsEndpoint) throw new UsageError('--lrs-endpoint (or LRS_ENDPOINT) names the LRS to call');
  const org = await ctx.registry.getOrganisation(organisationId);
  const say = ctx.io.out;
  if (!org) {
    say(
      `✗ ${organisationId} is not registered in stage ${ctx.stage}: npm run admin -- org add ${organisationId} …`,
    );
    return false;
  }
  say(`${organisationId}: ${org.status}, secret ${org.secretName}`);
  if (org.status !== 'active') say('  ! suspended: callers are refused until npm run admin -- org resume');
  if (org.certificateNotAfter) {
    const days = daysRemaining(new Date(org.certificateNotAfter), new Date());
    say(
      `  certificate ${org.certificateSubject ?? ''}, ${days} days left${days < 30 ? ' (renew it soon)' : ''}`,
    );
  }
  const credentials = new SecretsManagerCredentialsSource({
    client: ctx.secrets,
    secretPrefix: ctx.secretPrefix,
    cacheTtlMs: 0,
  });
  const lrs = createLrsClient({ endpoint: ctx.lrsEndpoint, credentials, timeoutMs: 20_000 });
  let diagnosis: Diagnosis;
  try {
    const creds = await credentials.get(organisationId);
    const request = validateRequest('getOrganisation', {
      ...(creds.ukprn ? { ukprn: creds.ukprn } : { organisationRef: creds.organisationRef }),
    });
    const out = await lrs.call('getOrganisation', request, {
      organisationId,
      requestId: `doctor-${randomUUID()}`,
    });
    diagnosis = {
      ok: true,
      code: out.outcome.code,
      explanation: `The LRS answered GetOrganisation (${out.outcome.code}) in ${Math.round(out.durationMs)} ms: the certificate, the password and the access work`,
    };
  } catch (e) {
    diagnosis = explain(e);
  }
  say(`${diagnosis.ok ? '✓' : '✗'} ${diagnosis.code}: ${diagnosis.explanation}`);
  return diagnosis.ok;
};
