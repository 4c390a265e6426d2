/**
 * SOAP faults and transport failures → the typed error model.
 *
 * - LearnerService `MIAPAPIException` (children qualified or not): WSEC0004 (out of hours) and the
 *   maintenance signature (`UnsupportedHttpVerb`) are LrsUnavailableError; every other code
 *   (WSEC0001/2/3/5/6/0136…) is LrsRejectedError carrying the Xerces detail with values redacted.
 * - R9/ExternalService `DomainFault` (ErrorCode + base64 ErrorDetail): same code mapping.
 * - Other SOAP faults: `Server` → retryable HTTP_ERROR, `Client` → rejected.
 * - Transport: timeouts, resets, refused connections → retryable; TLS certificate problems → not
 *   retryable (an operator must fix the certificate or the trust store).
 */
import { type AppError, LrsRejectedError, LrsUnavailableError } from '../../domain/errors.js';
import { NS } from '../contract/operations.js';
import { CONTRACT_FAULTS } from '../contract/rejections.js';
import {
  MAINTENANCE_RETRY_SECONDS,
  type ServiceHours,
  secondsUntilOpen,
  TRANSIENT_RETRY_SECONDS,
} from '../contract/service-hours.js';
import { child, textOf, type XNode } from './xml.js';

/** Error code of a server certificate whose key is below the minimum (set by shared/lrs/soap/tls.ts). */
export const SERVER_KEY_TOO_WEAK = 'ERR_TLS_SERVER_KEY_TOO_WEAK';

export interface ParsedFault {
  readonly kind: 'miap' | 'domain' | 'soap';
  readonly faultCode?: string;
  readonly faultString?: string;
  readonly errorCode?: string;
  readonly errorActor?: string;
  readonly description?: string;
  readonly furtherDetails?: string;
  readonly errorTimestamp?: string;
}

/** Reads a `Fault` element (SOAP 1.1). Accepts qualified or unqualified detail children. */
export const readFault = (fault: XNode): ParsedFault => {
  const detail = child(fault, 'detail') ?? child(fault, 'Detail');
  const base = {
    faultCode: textOf(fault, 'faultcode')?.trim(),
    faultString: textOf(fault, 'faultstring')?.trim(),
  };
  const miap = detail?.children.find((c) => c.name === 'MIAPAPIException');
  if (miap) {
    return {
      kind: 'miap',
      ...base,
      errorCode: textOf(miap, 'ErrorCode')?.trim(),
      errorActor: textOf(miap, 'ErrorActor'),
      description: textOf(miap, 'Description'),
      furtherDetails: textOf(miap, 'FurtherDetails'),
      errorTimestamp: textOf(miap, 'ErrorTimestamp'),
    };
  }
  const domain = detail?.children.find((c) => c.name === 'DomainFault');
  if (domain) {
    const raw = textOf(domain, 'ErrorDetail');
    let decoded: string | undefined;
    if (raw) {
      try {
        decoded = Buffer.from(raw.trim(), 'base64').toString('utf8');
      } catch {
        decoded = undefined;
      }
    }
    return {
      kind: 'domain',
      ...base,
      errorCode: textOf(domain, 'ErrorCode')?.trim(),
      furtherDetails: decoded,
    };
  }
  return { kind: 'soap', ...base };
};

/** True when the element is a SOAP 1.1 Fault. */
export const isFault = (node: XNode): boolean => node.name === 'Fault' && node.ns === NS.soapEnv;

/**
 * Removes values from a validation message (Xerces echoes them: `Value 'Smith' is not facet-valid…`),
 * keeping the rule and the type, and caps the length.
 */
export const safeDetail = (detail: string | undefined): string | undefined => {
  if (detail === undefined) return undefined;
  return detail
    .replace(/Value '[^']*'/g, "Value '[redacted]'")
    .replace(/value '[^']*'/g, "value '[redacted]'")
    .replace(/"[^"]*"/g, '"[redacted]"')
    .slice(0, 500);
};

// ---------------------------------------------------------------- mapping

export interface FaultContext {
  readonly now?: Date;
  readonly serviceHours?: ServiceHours;
}

const isMaintenance = (f: ParsedFault): boolean =>
  [f.description, f.furtherDetails, f.faultString].some((t) => t?.includes('UnsupportedHttpVerb'));

export const faultToError = (f: ParsedFault, ctx: FaultContext = {}): AppError => {
  const code = f.errorCode;
  if (f.kind !== 'soap' && isMaintenance(f)) {
    return new LrsUnavailableError(
      'MAINTENANCE',
      'The LRS is down for maintenance',
      MAINTENANCE_RETRY_SECONDS,
      code ?? 'WSEC0001',
      { mayHaveReached: false },
    );
  }
  if (code === 'WSEC0004') {
    return new LrsUnavailableError(
      'OUT_OF_HOURS',
      'The LRS is outside its service hours',
      secondsUntilOpen(ctx.now ?? new Date(), ctx.serviceHours),
      code,
      { mayHaveReached: false },
    );
  }
  if (f.kind === 'miap' || f.kind === 'domain') {
    const c = code ?? (f.kind === 'domain' ? 'DOMAIN_FAULT' : 'MIAP_FAULT');
    const description = f.description?.trim();
    return new LrsRejectedError(
      c,
      `The LRS rejected the request (${c}${description ? `: ${safeDetail(description)}` : ''})`,
      safeDetail(f.furtherDetails),
    );
  }
  const local = localFaultCode(f.faultCode);
  const contract = CONTRACT_FAULTS[local];
  if (contract) {
    // The service's dispatcher could not take our message as its contract says: sending it again
    // cannot help, and nothing was processed.
    return new LrsRejectedError(contract.code, `The LRS could not accept the message: ${contract.meaning}`);
  }
  // A bare SOAP fault: Client faults are ours; Server faults (WCF's InternalServiceFault without
  // detail included) are an unhandled error inside the service, usually transient.
  if (local === 'Client') {
    return new LrsRejectedError('SOAP_CLIENT_FAULT', 'The LRS rejected the request (SOAP Client fault)');
  }
  return new LrsUnavailableError(
    'HTTP_ERROR',
    local === 'InternalServiceFault'
      ? 'The LRS had an internal error (WCF InternalServiceFault without detail)'
      : 'The LRS returned a server fault without detail',
    TRANSIENT_RETRY_SECONDS,
  );
};

/** The local part of a faultcode QName (`a:DeserializationFailed` → `DeserializationFailed`). */
const localFaultCode = (code: string | undefined): string => {
  if (!code) return '';
  const colon = code.lastIndexOf(':');
  return colon < 0 ? code : code.slice(colon + 1);
};

// ---------------------------------------------------------------- transport errors

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CLOSED',
]);
const CLIENT_CERT_REJECTED =
  /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED|DECRYPT_ERROR)/;
/** We did not accept the server's certificate. */
const SERVER_CERT_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

const errorCode = (e: unknown): string | undefined => {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c !== 'ERR_BAD_RESPONSE' && c !== 'ERR_BAD_REQUEST') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

/** True for TLS failures that may be fixed by reloading the organisation's certificate. */
export const isCertificateError = (e: unknown): boolean =>
  e instanceof LrsRejectedError && e.lrsCode.startsWith('TLS_');

/**
 * A cause that is safe to log: the HTTP client's own errors carry the request (with the in-body
 * password) and the TLS options (with the private key), so only the code and message are kept.
 */
export const safeCause = (e: unknown): Error => {
  const code = errorCode(e);
  const message = (e instanceof Error ? e.message : String(e)).slice(0, 200);
  return Object.assign(new Error(message), code ? { code } : {});
};

/**
 * Maps a transport failure (no HTTP response) to the error model. `mayHaveReached`: whether the
 * request was fully written before the failure (see LrsUnavailableError); unknown counts as yes.
 */
export const transportError = (raw: unknown, sent: { mayHaveReached?: boolean } = {}): AppError => {
  const code = errorCode(raw) ?? '';
  const e = safeCause(raw);
  const message = e.message;
  const mayHaveReached = sent.mayHaveReached ?? true;
  if (code === SERVER_KEY_TOO_WEAK) {
    return new LrsRejectedError(
      'TLS_SERVER_KEY_TOO_WEAK',
      'The LRS server certificate key is below the minimum strength (RSA 2048 bits or EC P-256)',
      undefined,
      { cause: e },
    );
  }
  if (TIMEOUT_CODES.has(code) || /timeout/i.test(message)) {
    return new LrsUnavailableError(
      'TIMEOUT',
      'The LRS did not answer in time',
      TRANSIENT_RETRY_SECONDS,
      undefined,
      { cause: e, mayHaveReached },
    );
  }
  if (SERVER_CERT_UNTRUSTED.has(code)) {
    return new LrsRejectedError(
      'TLS_SERVER_CERTIFICATE_UNTRUSTED',
      `The LRS server certificate is not trusted (${code})`,
      undefined,
      { cause: e },
    );
  }
  if (CLIENT_CERT_REJECTED.test(code) || CLIENT_CERT_REJECTED.test(message)) {
    return new LrsRejectedError(
      'TLS_CLIENT_CERTIFICATE_REJECTED',
      `The LRS refused our client certificate (${code || 'TLS alert'})`,
      undefined,
      { cause: e },
    );
  }
  if (code.startsWith('ERR_OSSL') || code.startsWith('ERR_CRYPTO')) {
    return new LrsRejectedError(
      'TLS_CLIENT_CERTIFICATE_UNUSABLE',
      `The organisation's client certificate or key cannot be used (${code})`,
      undefined,
      { cause: e },
    );
  }
  if (/before secure TLS connection was established/i.test(message)) {
    // With TLS 1.2 the server checks our certificate inside the handshake: a close here is, in
    // practice, a refused client certificate. The client reloads the credentials once before giving up.
    return new LrsRejectedError(
      'TLS_HANDSHAKE_REFUSED',
      'The LRS closed the connection during the TLS handshake (client certificate probably refused)',
      undefined,
      { cause: e },
    );
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return new LrsUnavailableError(
      'TLS',
      `TLS handshake with the LRS failed (${code})`,
      TRANSIENT_RETRY_SECONDS,
      undefined,
      { cause: e, mayHaveReached },
    );
  }
  if (CONNECTION_CODES.has(code) || /socket hang up/i.test(message)) {
    return new LrsUnavailableError(
      'CONNECTION',
      `The connection to the LRS failed (${code || 'socket hang up'})`,
      TRANSIENT_RETRY_SECONDS,
      undefined,
      { cause: e, mayHaveReached },
    );
  }
  return new LrsUnavailableError(
    'CONNECTION',
    `Calling the LRS failed (${code || 'unknown'})`,
    TRANSIENT_RETRY_SECONDS,
    undefined,
    { cause: e, mayHaveReached },
  );
};

/** Maps an HTTP answer that carries no SOAP envelope. */
export const httpStatusError = (status: number, retryAfterHeader?: string): AppError => {
  if (status === 429 || status === 503) {
    const ra = Number(retryAfterHeader);
    return new LrsUnavailableError(
      status === 429 ? 'THROTTLED' : 'HTTP_ERROR',
      `The LRS answered HTTP ${status}`,
      Number.isFinite(ra) && ra > 0 ? ra : TRANSIENT_RETRY_SECONDS,
    );
  }
  if (status >= 500 || status < 200) {
    return new LrsUnavailableError(
      'HTTP_ERROR',
      `The LRS answered HTTP ${status} without a SOAP fault`,
      TRANSIENT_RETRY_SECONDS,
    );
  }
  if (status === 401 || status === 403) {
    return new LrsRejectedError(`HTTP_${status}`, `The LRS refused access (HTTP ${status})`);
  }
  if (status >= 400) {
    return new LrsRejectedError(`HTTP_${status}`, `The LRS answered HTTP ${status} without a SOAP fault`);
  }
  return new LrsUnavailableError(
    'HTTP_ERROR',
    `The LRS answered HTTP ${status} with an unexpected body`,
    TRANSIENT_RETRY_SECONDS,
  );
};
