import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LrsRejectedError, LrsUnavailableError } from '../../../shared/domain/errors.js';
import { OUTCOME_CATALOGUE } from '../../../shared/lrs/contract/outcome-catalogue.js';
import { outcomeFor } from '../../../shared/lrs/contract/outcomes.js';
import { rejectionKind } from '../../../shared/lrs/contract/rejections.js';
import { MAINTENANCE_RETRY_SECONDS, secondsUntilOpen } from '../../../shared/lrs/contract/service-hours.js';
import {
  faultToError,
  httpStatusError,
  safeDetail,
  transportError,
} from '../../../shared/lrs/soap/faults.js';
import { parseResponse } from '../../../shared/lrs/soap/parse.js';
import { recorded } from '../../support/reference.js';

const FIX = join(import.meta.dirname, 'fixtures');

const errorFor = (xml: string, now = new Date('2026-11-26T12:00:00Z')) => {
  const r = parseResponse('findLearnerByDemographics', xml);
  if (r.kind !== 'fault') throw new Error(`expected a fault, got ${r.kind}`);
  return faultToError(r.fault, { now });
};

describe('faults → typed errors', () => {
  it('recorded WSEC0001 validation fault → LrsRejectedError with the safe Xerces detail', () => {
    const e = errorFor(recorded('test-resources/error_ful.xml'));
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.retryable).toBe(false);
    expect((e as LrsRejectedError).lrsCode).toBe('WSEC0001');
    expect((e as LrsRejectedError).detail).toBe(
      "cvc-pattern-valid: Value '[redacted]' is not facet-valid with respect to pattern '[\\s]*[\\S][\\s\\S]*' for type 'MIAPNameNonEmpty'.",
    );
  });

  it('recorded maintenance fault (UnsupportedHttpVerb) → LrsUnavailableError MAINTENANCE, retryable', () => {
    const e = errorFor(recorded('test-resources/error_down_ful.xml'));
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect(e.retryable).toBe(true);
    expect((e as LrsUnavailableError).reason).toBe('MAINTENANCE');
    expect((e as LrsUnavailableError).retryAfterSeconds).toBe(MAINTENANCE_RETRY_SECONDS);
  });

  it('qualified MIAPAPIException children are read too (WSEC0005 → rejected, not retryable)', () => {
    const e = errorFor(readFileSync(join(FIX, 'miap-fault-qualified-children.xml'), 'utf8'));
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect((e as LrsRejectedError).lrsCode).toBe('WSEC0005');
    expect((e as LrsRejectedError).detail).toBeUndefined();
  });

  it('WSEC0004 out of hours → LrsUnavailableError with seconds until the service opens', () => {
    // 03:00 UK time (GMT in November); the default hours open at 06:00 → 3 hours.
    const e = errorFor(
      readFileSync(join(FIX, 'miap-fault-out-of-hours.xml'), 'utf8'),
      new Date('2026-11-27T03:00:00Z'),
    );
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect((e as LrsUnavailableError).reason).toBe('OUT_OF_HOURS');
    expect((e as LrsUnavailableError).retryAfterSeconds).toBe(3 * 3600);
  });

  it('WSEC0136 → rejected with the ULN redacted from the detail', () => {
    const e = errorFor(readFileSync(join(FIX, 'miap-fault-invalid-uln.xml'), 'utf8')) as LrsRejectedError;
    expect(e.lrsCode).toBe('WSEC0136');
    expect(e.detail).not.toContain('1234567890');
    expect(e.message).not.toContain('1234567890');
  });

  it('R9 DomainFault → rejected with its code and decoded detail', () => {
    const e = errorFor(readFileSync(join(FIX, 'domain-fault-r9.xml'), 'utf8')) as LrsRejectedError;
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.lrsCode).toBe('WSEC0006');
    expect(e.detail).toBe('Organisation not authorised for this operation');
  });

  it('ExternalService DomainFault with qualified children and WSEC0004 → out of hours', () => {
    const e = errorFor(readFileSync(join(FIX, 'domain-fault-external-out-of-hours.xml'), 'utf8'));
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect((e as LrsUnavailableError).reason).toBe('OUT_OF_HOURS');
  });

  it('a WCF internal fault without detail → retryable HTTP_ERROR', () => {
    const e = errorFor(readFileSync(join(FIX, 'wcf-internal-fault.xml'), 'utf8'));
    expect(e).toBeInstanceOf(LrsUnavailableError);
    expect((e as LrsUnavailableError).reason).toBe('HTTP_ERROR');
  });

  /** A WCF dispatcher or SOAP-stack fault as WCF writes it (faultcode prefix bound on the element). */
  const dispatcherFault = (code: string, ns: string, text: string) =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="${ns}">${code}</faultcode><faultstring xml:lang="en-GB">${text}</faultstring></s:Fault></s:Body></s:Envelope>`;
  const DISPATCHER = 'http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher';

  it.each([
    ['a:DeserializationFailed', DISPATCHER, 'WCF_DESERIALIZATION_FAILED'],
    [
      'a:ActionNotSupported',
      'http://schemas.microsoft.com/ws/2005/05/addressing/none',
      'WCF_ACTION_NOT_SUPPORTED',
    ],
    [
      'a:ContractFilterMismatch',
      'http://schemas.microsoft.com/ws/2005/05/addressing/none',
      'WCF_ACTION_NOT_SUPPORTED',
    ],
    ['s:MustUnderstand', 'http://schemas.xmlsoap.org/soap/envelope/', 'SOAP_MUST_UNDERSTAND'],
    ['s:VersionMismatch', 'http://schemas.xmlsoap.org/soap/envelope/', 'SOAP_VERSION_MISMATCH'],
  ])('%s is a contract error: rejected, never retried', (code, ns, lrsCode) => {
    const e = errorFor(dispatcherFault(code, ns, 'The formatter threw an exception'));
    expect(e).toBeInstanceOf(LrsRejectedError);
    expect(e.retryable).toBe(false);
    expect((e as LrsRejectedError).lrsCode).toBe(lrsCode);
    expect(rejectionKind(lrsCode)).toBe('contract');
  });

  it('what each rejection means: caller data, access, set-up, contract, answer', () => {
    expect(rejectionKind('WSEC0001')).toBe('request');
    expect(rejectionKind('WSEC0136')).toBe('request');
    expect(rejectionKind('WSEC0006')).toBe('access');
    for (const c of ['WSEC0002', 'WSEC0003', 'WSEC0005', 'TLS_SERVER_KEY_TOO_WEAK', 'HTTP_403'])
      expect(rejectionKind(c)).toBe('setup');
    for (const c of ['RESPONSE_TOO_LARGE', 'RESPONSE_DECOMPRESSED_TOO_LARGE', 'RESPONSE_PARSE_TIME_EXCEEDED'])
      expect(rejectionKind(c)).toBe('answer');
  });

  it('out of hours and maintenance say the LRS did not act on the request', () => {
    const e = errorFor(readFileSync(join(FIX, 'miap-fault-out-of-hours.xml'), 'utf8'));
    expect((e as LrsUnavailableError).mayHaveReached).toBe(false);
    const m = errorFor(recorded('test-resources/error_down_ful.xml'));
    expect((m as LrsUnavailableError).mayHaveReached).toBe(false);
  });

  it('safeDetail removes quoted values', () => {
    expect(safeDetail(`Value 'Jane' is not valid; "secret" too`)).toBe(
      `Value '[redacted]' is not valid; "[redacted]" too`,
    );
  });
});

describe('service hours', () => {
  const hours = { timeZone: 'Europe/London', open: '07:00', close: '21:00', days: [1, 2, 3, 4, 5] };
  it('counts to the next opening in UK time, across the weekend and summer time', () => {
    // Friday 2026-11-27 21:30 GMT → Monday 07:00 = 2 days 9.5 hours.
    expect(secondsUntilOpen(new Date('2026-11-27T21:30:00Z'), hours)).toBe((2 * 24 + 9.5) * 3600);
    // Wednesday 2026-07-01 05:00 BST (04:00Z) → 07:00 BST = 2 hours.
    expect(secondsUntilOpen(new Date('2026-07-01T04:00:00Z'), hours)).toBe(2 * 3600);
  });
  it('when the clock says open but the LRS says closed, waits 15 minutes', () => {
    expect(secondsUntilOpen(new Date('2026-11-26T12:00:00Z'), hours)).toBe(900);
  });
});

describe('transport and HTTP failures', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  it.each([
    [err('ECONNABORTED', 'timeout of 100ms exceeded'), 'TIMEOUT'],
    [err('ETIMEDOUT'), 'TIMEOUT'],
    [err('ECONNRESET', 'socket hang up'), 'CONNECTION'],
    [err('ECONNREFUSED'), 'CONNECTION'],
  ])('%s → LrsUnavailableError %s', (e, reason) => {
    const mapped = transportError(e);
    expect(mapped).toBeInstanceOf(LrsUnavailableError);
    expect((mapped as LrsUnavailableError).reason).toBe(reason);
  });

  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_SERVER_CERTIFICATE_UNTRUSTED'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_SERVER_CERTIFICATE_UNTRUSTED'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'TLS_CLIENT_CERTIFICATE_REJECTED'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'TLS_CLIENT_CERTIFICATE_REJECTED'],
  ])('certificate problem %s → non-retryable %s', (code, lrsCode) => {
    const mapped = transportError(err(code)) as LrsRejectedError;
    expect(mapped).toBeInstanceOf(LrsRejectedError);
    expect(mapped.retryable).toBe(false);
    expect(mapped.lrsCode).toBe(lrsCode);
  });

  it('HTTP status without a SOAP body', () => {
    expect(httpStatusError(502)).toMatchObject({ reason: 'HTTP_ERROR', retryable: true });
    expect(httpStatusError(429, '120')).toMatchObject({ reason: 'THROTTLED', retryAfterSeconds: 120 });
    expect(httpStatusError(403)).toMatchObject({ lrsCode: 'HTTP_403', retryable: false });
    expect(httpStatusError(404)).toMatchObject({ lrsCode: 'HTTP_404', retryable: false });
  });
});

describe('outcome catalogue', () => {
  it.each([
    ['WSRC0001', 'NO_MATCH', 'match-result'],
    ['WSRC0004', 'EXACT_MATCH', 'match-result'],
    ['WSRC0005', 'REGISTERED', 'success'],
    ['WSRC0008', 'BATCH_INCOMPLETE', 'retry-later'],
    ['WSRC0013', 'STALE_VERSION', 'business-refusal'],
    ['WSRC0021', 'NOT_REGISTERED', 'business-refusal'],
    ['WSRC0024', 'REPORT_NO_ULNS', 'business-refusal'],
    ['WSEC0004', 'OUT_OF_HOURS', 'retry-later'],
    ['WSEC0005', 'INCORRECT_PASSWORD', 'caller-error'],
    ['WSEC0206', 'NOT_SHARED', 'business-refusal'],
    ['WSVRC006', 'ULN_NOT_FOUND', 'match-result'],
    ['VRF8', 'GENDER_MISMATCH', 'match-result'],
  ])('%s is %s (%s)', (code, name, cls) => {
    expect(outcomeFor(code)).toMatchObject({ code, name, class: cls });
  });

  it('holds every listed code once, with a description', () => {
    const codes = OUTCOME_CATALOGUE.map((o) => o.code);
    expect(new Set(codes).size).toBe(codes.length);
    const expected = [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24].map(
        (n) => `WSRC${String(n).padStart(4, '0')}`,
      ),
      ...['0001', '0002', '0003', '0004', '0005', '0006', '0136', '0206', '0208'].map((n) => `WSEC${n}`),
      ...[1, 2, 3, 4, 5, 6].map((n) => `WSVRC00${n}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `VRF${n}`),
    ];
    for (const c of expected) expect(codes).toContain(c);
    for (const o of OUTCOME_CATALOGUE) expect(o.description.length).toBeGreaterThan(5);
  });

  it('gives unknown codes a generic entry instead of crashing', () => {
    expect(outcomeFor('WSRC0099')).toMatchObject({ code: 'WSRC0099', name: 'UNKNOWN_CODE', final: false });
  });
});

describe('service hours configuration', () => {
  it('reads day ranges, lists and every day', async () => {
    const { parseServiceHours } = await import('../../../shared/lrs/contract/service-hours.js');
    expect(parseServiceHours('Mon-Fri 07:00-21:00 Europe/London')).toEqual({
      timeZone: 'Europe/London',
      open: '07:00',
      close: '21:00',
      days: [1, 2, 3, 4, 5],
    });
    expect(parseServiceHours('Sat-Mon 08:00-24:00 UTC').days).toEqual([0, 1, 6]);
    expect(parseServiceHours('Mon,Wed 06:00-23:00 Europe/London').days).toEqual([1, 3]);
    expect(parseServiceHours('* 06:00-24:00 Europe/London').days).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it('refuses malformed text, unknown days and zones, and open after close', async () => {
    const { parseServiceHours } = await import('../../../shared/lrs/contract/service-hours.js');
    expect(() => parseServiceHours('always')).toThrow(/must look like/);
    expect(() => parseServiceHours('Mon-Fun 07:00-21:00 Europe/London')).toThrow(/unknown day/);
    expect(() => parseServiceHours('Mon-Fri 07:00-21:00 Mars/Base')).toThrow(/time zone/);
    expect(() => parseServiceHours('Mon-Fri 21:00-07:00 Europe/London')).toThrow(/before close/);
  });
});
