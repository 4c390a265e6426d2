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

// ---------------------------------------------------------------- service hours

/**
 * When the LRS answers requests. The live hours are not published in any source we have; the
 * default is an assumption (every day 06:00-24:00 UK time) and is configurable per client
 * (`createLrsClient({ serviceHours })`). Used only to compute Retry-After for WSEC0004.
 */
export interface ServiceHours {
  /** IANA time zone of the hours below. */
  readonly timeZone: string;
  /** Opening time, HH:MM (24h). */
  readonly open: string;
  /** Closing time, HH:MM; '24:00' means midnight. */
  readonly close: string;
  /** Days the service opens, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
}

export const DEFAULT_SERVICE_HOURS: ServiceHours = {
  timeZone: 'Europe/London',
  open: '06:00',
  close: '24:00',
  days: [0, 1, 2, 3, 4, 5, 6],
};

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Reads service hours from text such as `Mon-Sat 07:00-22:00 Europe/London` (days as a range or a
 * comma list, `Mon-Sun` or `*` for every day; close may be `24:00`). Intended for an environment
 * variable; throws an Error naming the part that is wrong.
 */
export const parseServiceHours = (text: string): ServiceHours => {
  const m =
    /^\s*(\*|[A-Za-z]{3}(?:-[A-Za-z]{3})?(?:,[A-Za-z]{3}(?:-[A-Za-z]{3})?)*)\s+([0-2][0-9]:[0-5][0-9])-([0-2][0-9]:[0-5][0-9])\s+(\S+)\s*$/.exec(
      text,
    );
  if (!m) throw new Error('service hours must look like "Mon-Sat 07:00-22:00 Europe/London"');
  const [, dayPart = '', open = '', close = '', timeZone = ''] = m;
  const dayIndex = (d: string): number => {
    const i = DAY_NAMES.findIndex((n) => n.toLowerCase() === d.toLowerCase());
    if (i < 0) throw new Error(`service hours: unknown day "${d}"`);
    return i;
  };
  const days = new Set<number>();
  if (dayPart === '*') for (let i = 0; i < 7; i++) days.add(i);
  else
    for (const part of dayPart.split(',')) {
      const [from = '', to] = part.split('-');
      const a = dayIndex(from);
      const b = to === undefined ? a : dayIndex(to);
      for (let i = a; ; i = (i + 1) % 7) {
        days.add(i);
        if (i === b) break;
      }
    }
  if (minutes(open) >= minutes(close) || minutes(close) > 24 * 60)
    throw new Error('service hours: open must be before close');
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    throw new Error('service hours: unknown time zone');
  }
  return { timeZone, open, close, days: [...days].sort() };
};

/** Seconds to wait after a maintenance answer. */
export const MAINTENANCE_RETRY_SECONDS = 300;
/** Seconds to wait after a timeout, reset or 5xx without fault. */
export const TRANSIENT_RETRY_SECONDS = 30;

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local weekday and minute-of-day in a time zone. */
const localClock = (now: Date, timeZone: string): { day: number; minute: number; second: number } => {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  return {
    day: WEEKDAYS.indexOf(get('weekday')),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
    second: Number(get('second')),
  };
};

/**
 * Seconds until the service is next expected to be open (at least 60, at most 7 days). If the clock
 * says it is open now (the LRS disagrees), retry in 15 minutes.
 */
export const secondsUntilOpen = (now: Date, hours: ServiceHours = DEFAULT_SERVICE_HOURS): number => {
  const { day, minute, second } = localClock(now, hours.timeZone);
  const open = minutes(hours.open);
  const close = minutes(hours.close);
  const openToday = hours.days.includes(day);
  if (openToday && minute >= open && minute < close) return 15 * 60;
  for (let d = 0; d <= 7; d++) {
    const wd = (day + d) % 7;
    if (!hours.days.includes(wd)) continue;
    if (d === 0 && minute >= open) continue;
    const waitMinutes = d * 24 * 60 + open - minute;
    return Math.max(60, waitMinutes * 60 - second);
  }
  return 24 * 3600;
};

// ---------------------------------------------------------------- mapping

export interface FaultContext {
  readonly now?: Date;
  readonly serviceHours?: ServiceHours;
}

const isMaintenance = (f: ParsedFault): boolean =>
  [f.description, f.furtherDetails, f.faultString].some((t) => t?.includes('UnsupportedHttpVerb'));

/** Codes that mean the organisation's credentials are wrong (reload the secret and try once more). */
export const CREDENTIAL_CODES: ReadonlySet<string> = new Set(['WSEC0003', 'WSEC0005']);

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

/**
 * Faults of the SOAP stack and the WCF dispatcher that mean our message does not fit the service's
 * contract. Never retryable: the same message gets the same fault.
 */
const CONTRACT_FAULTS: Readonly<Record<string, { code: string; meaning: string }>> = {
  DeserializationFailed: {
    code: 'WCF_DESERIALIZATION_FAILED',
    meaning: 'an element does not match the schema of the service (WCF DeserializationFailed)',
  },
  ActionNotSupported: {
    code: 'WCF_ACTION_NOT_SUPPORTED',
    meaning: 'the SOAPAction is not one the service offers (WCF ActionNotSupported)',
  },
  ContractFilterMismatch: {
    code: 'WCF_ACTION_NOT_SUPPORTED',
    meaning: 'the message does not match an operation of the service (WCF ContractFilterMismatch)',
  },
  MustUnderstand: {
    code: 'SOAP_MUST_UNDERSTAND',
    meaning: 'a mustUnderstand header is not understood by the service',
  },
  VersionMismatch: { code: 'SOAP_VERSION_MISMATCH', meaning: "the SOAP version is not the service's" },
};

// ---------------------------------------------------------------- what a rejection means

/**
 * What an `LrsRejectedError` code means for the caller:
 * - `request`: the LRS refused the caller's data (WSEC0001, WSEC0136, a DomainFault…): the caller can fix it;
 * - `access`: the LRS does not let the organisation use this operation (WSEC0006);
 * - `setup`: the gateway's credentials or certificates for the organisation (WSEC0002/3/5, TLS_*, HTTP 401/403);
 * - `contract`: our message does not fit the service's contract (WCF dispatcher and SOAP faults);
 * - `answer`: the LRS's answer broke a limit or could not be read (size, decompressed size, parse time, charset).
 * Only `request` is something the caller can correct; none of them is retryable.
 */
export type RejectionKind = 'request' | 'access' | 'setup' | 'contract' | 'answer';

const ACCESS_CODES: ReadonlySet<string> = new Set(['WSEC0006']);
const SETUP_CODES: ReadonlySet<string> = new Set([
  'WSEC0002',
  'WSEC0003',
  'WSEC0005',
  'HTTP_401',
  'HTTP_403',
]);
const CONTRACT_CODES: ReadonlySet<string> = new Set([
  ...new Set(Object.values(CONTRACT_FAULTS).map((c) => c.code)),
  'SOAP_CLIENT_FAULT',
  'UNKNOWN_OPERATION',
]);

/** Codes of an answer refused by the client's limits (see `shared/lrs/soap/transport.ts`). */
export const ANSWER_CODES = {
  tooLarge: 'RESPONSE_TOO_LARGE',
  decompressedTooLarge: 'RESPONSE_DECOMPRESSED_TOO_LARGE',
  parseTime: 'RESPONSE_PARSE_TIME_EXCEEDED',
  charset: 'RESPONSE_CHARSET_UNSUPPORTED',
  encoding: 'RESPONSE_ENCODING_UNSUPPORTED',
  malformed: 'RESPONSE_MALFORMED',
} as const;
const ANSWER_CODE_SET: ReadonlySet<string> = new Set(Object.values(ANSWER_CODES));

export const rejectionKind = (lrsCode: string): RejectionKind => {
  if (ACCESS_CODES.has(lrsCode)) return 'access';
  if (SETUP_CODES.has(lrsCode) || lrsCode.startsWith('TLS_')) return 'setup';
  if (CONTRACT_CODES.has(lrsCode)) return 'contract';
  if (ANSWER_CODE_SET.has(lrsCode)) return 'answer';
  return 'request';
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
