/**
 * API Gateway's own answers (authorizer 401/403, throttling 429, 413, no route, function failures, the
 * 4xx/5xx defaults) are the one error envelope: every response type is configured, with a status that
 * matches its code, Retry-After exactly on the retryable ones, and a body that, once API Gateway fills in
 * its $context variables, validates against the ErrorEnvelope schema of openapi.json.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../infra/config/stages.js';
import { GATEWAY_ANSWERS } from '../../infra/constructs/gateway-responses.js';
import { ERROR_CODES, type ErrorCode } from '../../shared/domain/error-codes.js';
import { answerChecker } from '../support/openapi-answers.js';
import { buildStage } from './support.js';

interface GatewayResponse {
  Properties: {
    ResponseType: string;
    StatusCode?: string;
    ResponseParameters?: Record<string, string>;
    ResponseTemplates: Record<string, string>;
  };
}

let responses: GatewayResponse[];

beforeAll(() => {
  const built = buildStage(STAGES.live);
  responses = Object.values(
    built.service.toJSON().Resources as Record<string, GatewayResponse & { Type: string }>,
  ).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
});

/** What API Gateway does to the template: its $context variables filled in. */
const render = (template: string): unknown =>
  JSON.parse(
    template
      .replaceAll('$context.requestId', '6f1c1e6b-3c1b-4a55-9d3e-0c8f1a2b3c4d')
      .replaceAll('$context.domainName', 'abc123.execute-api.eu-west-2.amazonaws.com')
      .replaceAll('$context.stage', 'live'),
  );

describe('gateway responses', () => {
  it('covers the authorizer, throttling, size, routing, function failures and both defaults', () => {
    const types = responses.map((r) => r.Properties.ResponseType).sort();
    expect(types).toEqual(GATEWAY_ANSWERS.map((a) => a.type.responseType).sort());
    for (const t of [
      'UNAUTHORIZED',
      'ACCESS_DENIED',
      'THROTTLED',
      'QUOTA_EXCEEDED',
      'REQUEST_TOO_LARGE',
      'MISSING_AUTHENTICATION_TOKEN',
      'INTEGRATION_TIMEOUT',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ])
      expect(types).toContain(t);
  });

  it('answers each in the envelope, with a status matching the code and Retry-After iff retryable', () => {
    const checker = answerChecker();
    for (const r of responses) {
      const p = r.Properties;
      const body = render(p.ResponseTemplates['application/json'] ?? '') as {
        error: {
          code: ErrorCode;
          retryable: boolean;
          retryAfterSeconds?: number;
          docUrl: string;
          requestId: string;
        };
      };
      // Validated against openapi.json's envelope (an unknown route answers in it).
      expect(
        checker.check('GET', '/no/such/route', Number(p.StatusCode ?? 400), body),
        p.ResponseType,
      ).toEqual([]);
      const info = ERROR_CODES[body.error.code];
      if (p.StatusCode !== undefined) expect(Number(p.StatusCode), p.ResponseType).toBe(info.status);
      const retryAfter = p.ResponseParameters?.['gatewayresponse.header.Retry-After'];
      expect(retryAfter !== undefined, p.ResponseType).toBe(body.error.retryable);
      if (retryAfter !== undefined) expect(retryAfter).toBe(`'${body.error.retryAfterSeconds}'`);
      expect(body.error.docUrl).toBe(
        `https://abc123.execute-api.eu-west-2.amazonaws.com/live/v1/docs/errors#${body.error.code}`,
      );
      expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const byType = Object.fromEntries(responses.map((r) => [r.Properties.ResponseType, r.Properties]));
    expect(byType.UNAUTHORIZED?.StatusCode).toBe('401');
    expect(byType.UNAUTHORIZED?.ResponseParameters?.['gatewayresponse.header.WWW-Authenticate']).toBe(
      "'Bearer'",
    );
    expect(byType.MISSING_AUTHENTICATION_TOKEN?.StatusCode).toBe('404');
    expect(byType.THROTTLED?.StatusCode).toBe('429');
  });
});
