/** The pure pieces of the HTTP edge: the status table, failure views, headers and caller access. */
import { describe, expect, it } from 'vitest';
import { failureFromError } from '../../../shared/app/failures.js';
import { RequestInFlightError } from '../../../shared/app/process-request.js';
import {
  ConfigurationError,
  ConflictError,
  ForbiddenError,
  LrsRejectedError,
  LrsUnavailableError,
  NotFoundError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { readCallHeaders } from '../../../shared/http/http-input.js';
import { errorResponse, failureView, fromBodyParserError } from '../../../shared/http/http-response.js';
import { httpStatusForFailure, httpStatusForRecord } from '../../../shared/http/http-status.js';
import type { StoredRequest } from '../../../shared/ports/results-store.js';

describe('the HTTP status table', () => {
  it.each([
    [new ValidationError([{ field: 'uln', rule: 'ulnCheckDigit', message: 'uln fails' }]), 400],
    [new ForbiddenError('no'), 403],
    [new NotFoundError('no'), 404],
    [new ConflictError('no'), 409],
    [new LrsRejectedError('WSEC0001', 'invalid request', 'cvc-pattern-valid'), 422],
    [new LrsRejectedError('WSEC0136', 'invalid ULN'), 422],
    [new LrsRejectedError('WSEC0003', 'unknown organisation'), 502],
    [new LrsRejectedError('WSEC0005', 'incorrect password'), 502],
    [new LrsRejectedError('WSEC0006', 'insufficient access'), 403],
    [new LrsRejectedError('WCF_DESERIALIZATION_FAILED', 'contract'), 502],
    [new LrsRejectedError('RESPONSE_TOO_LARGE', 'answer too large'), 502],
    [new LrsRejectedError('TLS_SERVER_KEY_TOO_WEAK', 'weak key'), 502],
    [new LrsUnavailableError('OUT_OF_HOURS', 'out of hours', 3600, 'WSEC0004'), 503],
    [new LrsUnavailableError('CONNECTION', 'ECONNREFUSED 10.1.2.3:443', 30), 503],
    [new ConfigurationError('secret lrs-gateway/dev/org/x has no key'), 500],
    [new TypeError('cannot read properties of undefined'), 500],
  ])('%s → %i', (error, status) => {
    expect(httpStatusForFailure(failureFromError(error))).toBe(status);
  });

  it('answers 200 for every completed request, whatever the LRS outcome', () => {
    const completed = { status: 'COMPLETED', outcome: { code: 'WSRC0013' } } as unknown as StoredRequest;
    expect(httpStatusForRecord(completed)).toBe(200);
  });
});

describe('failure views', () => {
  it('never shows an internal message in a 5xx', () => {
    const response = errorResponse(
      new ConfigurationError('secret arn:aws:secretsmanager:eu-west-2:1:secret:x'),
      {
        requestId: 'r1',
        operation: 'findLearnerByUln',
      },
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secretsmanager');
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Internal error',
        retryable: false,
        requestId: 'r1',
        operation: 'findLearnerByUln',
        docUrl: '/v1/docs/errors#INTERNAL',
      },
    });
  });

  it('replaces a transport message with our own and keeps the retry hint', () => {
    const failure = failureFromError(
      new LrsUnavailableError('CONNECTION', 'connect ECONNREFUSED 10.1.2.3:443', 30),
    );
    expect(failure.message).not.toContain('10.1.2.3');
    expect(failure).toMatchObject({ code: 'LRS_UNAVAILABLE', reason: 'CONNECTION', retryAfterSeconds: 30 });
    const response = errorResponse(new LrsUnavailableError('OUT_OF_HOURS', 'x', 1234.2, 'WSEC0004'), {
      requestId: 'r1',
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('1235');
  });

  it('shows LRS detail for a rejection of caller data but not for a rejection of our credentials', () => {
    expect(
      failureView(failureFromError(new LrsRejectedError('WSEC0001', 'm', 'cvc-pattern-valid'))),
    ).toMatchObject({
      lrsCode: 'WSEC0001',
      detail: 'cvc-pattern-valid',
    });
    expect(
      failureView(failureFromError(new LrsRejectedError('WSEC0005', 'm', 'password x'))),
    ).not.toHaveProperty('detail');
  });

  it('tells the caller of an in-flight duplicate to retry shortly, whatever the lease left', () => {
    const response = errorResponse(new RequestInFlightError('r0', 85), { requestId: 'r1' });
    expect(response.statusCode).toBe(409);
    expect(response.headers?.['Retry-After']).toBe('2');
    expect(
      errorResponse(new RequestInFlightError('r0', 1), { requestId: 'r1' }).headers?.['Retry-After'],
    ).toBe('1');
  });

  it('maps the body parser errors to 415 for the media type and 400 naming the body for bad JSON', () => {
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    const malformed = Object.assign(new Error('Invalid or malformed JSON was provided'), { statusCode: 415 });
    expect(errorResponse(fromBodyParserError(media), { requestId: 'r' }).statusCode).toBe(415);
    const bad = errorResponse(fromBodyParserError(malformed), { requestId: 'r' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.issues).toEqual([
      expect.objectContaining({ field: 'body', rule: 'json' }),
    ]);
  });
});

describe('call headers', () => {
  it('reads the organisation, user name and idempotency key case-insensitively', () => {
    const out = readCallHeaders(
      { 'x-lrs-organisation': '10000001', 'X-LRS-USERNAME': 'jsmith', 'idempotency-key': 'a1b2c3d4e5' },
      { idempotencyKeyRequired: true },
    );
    expect(out).toEqual({
      issues: [],
      value: { organisationId: '10000001', userName: 'jsmith', idempotencyKey: 'a1b2c3d4e5' },
    });
  });

  it('names every bad header and its rule, without the value', () => {
    const out = readCallHeaders(
      { 'x-lrs-organisation': 'SECRET-ORG-VALUE', 'x-lrs-username': 'x'.repeat(36) },
      { idempotencyKeyRequired: true },
    );
    expect(out.value).toBeUndefined();
    expect(out.issues.map((i) => [i.field, i.rule])).toEqual([
      ['headers.X-LRS-Organisation', 'pattern'],
      ['headers.X-LRS-Username', 'pattern'],
      ['headers.Idempotency-Key', 'required'],
    ]);
    expect(JSON.stringify(out.issues)).not.toContain('SECRET-ORG-VALUE');
  });

  it('does not require an idempotency key on a read', () => {
    expect(
      readCallHeaders({ 'x-lrs-organisation': 'ORG001' }, { idempotencyKeyRequired: false }).issues,
    ).toEqual([]);
  });
});
