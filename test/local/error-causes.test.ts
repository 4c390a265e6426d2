/**
 * Every route of the local runtime, sent each error cause it can have: no or bad credentials, a missing
 * organisation, bad JSON, a bad field, too deep a body, the wrong media type, too large a body, an
 * unknown route or method, a malformed path, an organisation the caller may not act for, Idempotency-Key
 * conflicts, the LRS out of hours or in maintenance, the LRS refusing the organisation's access. Every
 * answer must be documented for its route and status in openapi.json and validate against it, be the
 * one error envelope, and carry Retry-After exactly when it says retryable.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatewayRoutes } from '../../local/api-server.js';
import type { LocalCaller } from '../../local/resources.js';
import type { Scope } from '../../shared/config/scopes.js';
import { OPERATION_LIST, type OperationId } from '../../shared/lrs/contract/operations.js';
import { useLocalStack } from '../support/local-stack.js';
import { type AnswerChecker, answerChecker, openApiDocument } from '../support/openapi-answers.js';
import { sampleJob, sampleRequest, storedRequestAndJob } from '../support/route-samples.js';

let checker: AnswerChecker;
const ORG = 'TEST0001';
const FIND_ONLY_ORG = 'TEST0003';
const OTHER_CALLER: LocalCaller = {
  clientId: 'college-b',
  clientSecret: `college-b-${randomUUID()}`,
  organisations: ['TEST0002'],
  // Not an operator: an operator may read any organisation's status.
  scopes: ['lrs.read', 'lrs.write', 'jobs'] as Scope[],
};
let otherToken = '';
let requestId = '';
let jobId = '';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    error?: {
      code: string;
      retryable: boolean;
      retryAfterSeconds?: number;
      requestId: string;
      docUrl: string;
      issues?: Array<{ field: string; rule: string }>;
    };
  };
}

/** Every answer seen, for the checks at the end. */
const answers: Array<{ label: string; method: string; resource: string; answer: Answer }> = [];

const send = async (
  label: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> => {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { error: undefined };
  }
  const answer = { status: res.status, headers: res.headers, body };
  answers.push({ label, method, resource: checker.resourceOf(path) ?? path, answer });
  return answer;
};

const expectError = (answer: Answer, status: number, codes: string | string[], label: string): void => {
  expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBe(status);
  expect([codes].flat(), label).toContain(answer.body.error?.code);
};

const sample = sampleRequest;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly resource: string;
  readonly op?: OperationId;
  readonly mutating: boolean;
  readonly body?: () => Record<string, unknown>;
}

const routes = (): Route[] => [
  ...OPERATION_LIST.map(
    (op): Route => ({
      method: 'POST',
      path: op.route.path,
      resource: op.route.path,
      op: op.id,
      mutating: op.mutating,
      body: () => sample(op.id),
    }),
  ),
  {
    method: 'POST',
    path: '/v1/jobs',
    resource: '/v1/jobs',
    mutating: false,
    body: sampleJob,
  },
  { method: 'GET', path: `/v1/requests/${requestId}`, resource: '/v1/requests/{requestId}', mutating: false },
  { method: 'GET', path: `/v1/jobs/${jobId}`, resource: '/v1/jobs/{jobId}', mutating: false },
  { method: 'GET', path: `/v1/jobs/${jobId}/results`, resource: '/v1/jobs/{jobId}/results', mutating: false },
  { method: 'GET', path: '/v1/jobs', resource: '/v1/jobs', mutating: false },
  {
    method: 'GET',
    path: `/v1/organisations/${ORG}/status`,
    resource: '/v1/organisations/{organisationId}/status',
    mutating: false,
  },
];

const headersFor = (route: Route, extra: Record<string, string> = {}): Record<string, string> =>
  stack.headers(ORG, {
    ...(route.mutating ? { 'Idempotency-Key': `causes-${randomUUID()}` } : {}),
    ...extra,
  });

const stack = useLocalStack(
  {
    api: true,
    pollers: true,
    callers: [
      { clientId: 'local-mis', clientSecret: `local-${randomUUID()}`, organisations: ['*'] },
      OTHER_CALLER,
    ],
  },
  60_000,
);

beforeAll(async () => {
  checker = answerChecker();
  otherToken = await stack.tokenFor(OTHER_CALLER);
  ({ requestId, jobId } = await storedRequestAndJob(stack, ORG));
});

describe('every route, every error cause', () => {
  it('the valid call of each route answers 2xx (so the causes below are the only thing wrong)', async () => {
    for (const route of routes()) {
      const a = await send(`${route.resource} valid`, route.method, route.path, {
        headers: headersFor(route),
        ...(route.body ? { body: JSON.stringify(route.body()) } : {}),
      });
      expect(a.status, `${route.resource}: ${JSON.stringify(a.body)}`).toBeLessThan(300);
    }
  });

  it('no credentials, bad credentials', async () => {
    for (const route of routes()) {
      const { authorization: _token, ...without } = headersFor(route);
      const body = route.body ? { body: JSON.stringify(route.body()) } : {};
      const none = await send(`${route.resource} no token`, route.method, route.path, {
        headers: without,
        ...body,
      });
      expectError(none, 401, 'UNAUTHENTICATED', route.resource);
      for (const token of ['not-a-token', `${stack.token.slice(0, -4)}AAAA`]) {
        const bad = await send(`${route.resource} bad token`, route.method, route.path, {
          headers: { ...without, authorization: `Bearer ${token}` },
          ...body,
        });
        expectError(bad, 401, 'UNAUTHENTICATED', route.resource);
      }
    }
  });

  it('bad JSON, a bad field, a missing organisation, too deep a body, the wrong media type', async () => {
    for (const route of routes().filter((r) => r.body)) {
      const label = route.resource;
      const body = route.body?.() ?? {};
      const broken = await send(`${label} bad json`, 'POST', route.path, {
        headers: headersFor(route),
        body: '{"uln": "1026893096", ',
      });
      expectError(broken, 400, ['BAD_REQUEST_BODY', 'VALIDATION_FAILED'], label);
      const field = await send(`${label} bad field`, 'POST', route.path, {
        headers: headersFor(route),
        body: JSON.stringify({ ...body, noSuchField: 1 }),
      });
      expectError(field, 400, 'VALIDATION_FAILED', label);
      expect(field.body.error?.issues?.length, label).toBeGreaterThan(0);
      const { 'x-lrs-organisation': _org, ...noOrg } = headersFor(route);
      const missing = await send(`${label} no organisation`, 'POST', route.path, {
        headers: noOrg,
        body: JSON.stringify(body),
      });
      expectError(missing, 400, 'VALIDATION_FAILED', label);
      expect(missing.body.error?.issues?.map((i) => i.field)).toContain('headers.X-LRS-Organisation');
      const deep = await send(`${label} deep`, 'POST', route.path, {
        headers: headersFor(route),
        body: JSON.stringify({ ...body, nested: JSON.parse(`${'['.repeat(3000)}${']'.repeat(3000)}`) }),
      });
      expectError(deep, 400, 'VALIDATION_FAILED', label);
      expect(deep.body.error?.issues).toEqual([expect.objectContaining({ field: 'body', rule: 'maxDepth' })]);
      const media = await send(`${label} media type`, 'POST', route.path, {
        headers: headersFor(route, { 'content-type': 'application/xml' }),
        body: '<learner/>',
      });
      expectError(media, 415, 'UNSUPPORTED_MEDIA_TYPE', label);
    }
  });

  it('too large a body', async () => {
    const huge = Buffer.alloc(6 * 1024 * 1024 + 1, 0x20);
    for (const route of routes().filter((r) => r.body)) {
      const a = await send(`${route.resource} too large`, 'POST', route.path, {
        headers: headersFor(route),
        body: huge,
      });
      expectError(a, 413, 'REQUEST_TOO_LARGE', route.resource);
    }
  });

  it('an unknown route, a wrong method, a malformed or invalid path parameter', async () => {
    for (const route of routes()) {
      const unknown = await send(`${route.resource} unknown`, route.method, `/v1/nope${route.path}`, {
        headers: headersFor(route),
      });
      expectError(unknown, 404, 'ROUTE_NOT_FOUND', route.resource);
      const wrong = await send(`${route.resource} method`, 'DELETE', route.path, {
        headers: headersFor(route),
      });
      expectError(wrong, 405, 'METHOD_NOT_ALLOWED', route.resource);
      expect(wrong.headers.get('allow')?.split(', ')).toContain(route.method);
    }
    for (const route of routes().filter(
      (r) => r.method === 'GET' && r.resource.includes('{') && !r.resource.startsWith('/v1/organisations'),
    )) {
      const malformed = route.path.replace(/\/v1\/(requests|jobs)\/[^/]+/, '/v1/$1/%E0%A4%A');
      const a = await send(`${route.resource} percent`, 'GET', malformed, { headers: headersFor(route) });
      expectError(a, 400, 'VALIDATION_FAILED', route.resource);
      const invalid = route.path.replace(/\/v1\/(requests|jobs)\/[^/]+/, '/v1/$1/not%20an%20id!');
      const b = await send(`${route.resource} invalid id`, 'GET', invalid, { headers: headersFor(route) });
      expectError(b, 400, 'VALIDATION_FAILED', route.resource);
      const absentId = route.resource.startsWith('/v1/jobs')
        ? jobId.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
        : 'no-such-id-0000';
      const absent = route.path.replace(/\/v1\/(requests|jobs)\/[^/]+/, `/v1/$1/${absentId}`);
      const c = await send(`${route.resource} not found`, 'GET', absent, { headers: headersFor(route) });
      expectError(c, 404, 'NOT_FOUND', route.resource);
    }
  });

  it('an organisation the caller may not act for, or that the gateway holds no credentials for', async () => {
    for (const route of routes()) {
      const body = route.body ? { body: JSON.stringify(route.body()) } : {};
      const other = await send(`${route.resource} other caller`, route.method, route.path, {
        headers: headersFor(route, { authorization: `Bearer ${otherToken}` }),
        ...body,
      });
      // A stored request or job of another organisation does not exist for this caller; the organisation is forbidden.
      // The job list is the caller's own: another caller simply sees its own (empty) list.
      if (route.resource === '/v1/jobs' && route.method === 'GET') continue;
      const hidden = route.method === 'GET' && !route.resource.startsWith('/v1/organisations');
      expectError(other, hidden ? 404 : 403, hidden ? 'NOT_FOUND' : 'FORBIDDEN', route.resource);
      if (route.op) {
        const unknownOrg = await send(`${route.resource} no secret`, 'POST', route.path, {
          headers: headersFor(route, { 'x-lrs-organisation': 'ZZZZ9999' }),
          ...body,
        });
        expectError(unknownOrg, 403, 'FORBIDDEN', route.resource);
      }
    }
  });

  it('Idempotency-Key conflicts: reused with another body, and still in use', async () => {
    for (const route of routes().filter(
      (r) => r.mutating || (r.method === 'POST' && r.path === '/v1/jobs'),
    )) {
      const key = `reuse-${randomUUID()}`;
      const headers = headersFor(route, { 'Idempotency-Key': key });
      const first = await send(`${route.resource} first`, 'POST', route.path, {
        headers,
        body: JSON.stringify(route.body?.()),
      });
      expect(first.status, `${route.resource}: ${JSON.stringify(first.body)}`).toBeLessThan(300);
      // The same key with another request: another body for a job, another end user for an operation.
      const second = await send(`${route.resource} reused`, 'POST', route.path, {
        headers: route.op ? { ...headers, 'X-LRS-Username': 'another-user' } : headers,
        body: JSON.stringify(
          route.op
            ? route.body?.()
            : {
                operation: 'findLearnerByUln',
                items: [sample('findLearnerByUln'), sample('findLearnerByUln')],
              },
        ),
      });
      expectError(second, 409, 'IDEMPOTENCY_KEY_REUSED', route.resource);
    }
    stack.simulator.setConditions({ latencyMs: 400 });
    try {
      const route = routes().find((r) => r.op === 'registerLearner') as Route;
      const headers = headersFor(route);
      const body = JSON.stringify(route.body?.());
      const both = await Promise.all([
        send('register in use 1', 'POST', route.path, { headers, body }),
        (async () => {
          await new Promise((r) => setTimeout(r, 100));
          return send('register in use 2', 'POST', route.path, { headers, body });
        })(),
      ]);
      expectError(both[1], 409, 'IDEMPOTENCY_KEY_IN_USE', 'in use');
      expect(both[1].body.error?.retryable).toBe(true);
    } finally {
      stack.simulator.setConditions({ latencyMs: 0 });
    }
  });

  it('the LRS out of hours or in maintenance: 503 with Retry-After on every operation route', async () => {
    for (const condition of [{ outOfHours: true }, { maintenance: true }] as const) {
      stack.simulator.setConditions(condition);
      try {
        for (const route of routes().filter((r) => r.op)) {
          const a = await send(`${route.resource} ${Object.keys(condition)[0]}`, 'POST', route.path, {
            headers: headersFor(route),
            body: JSON.stringify(route.body?.()),
          });
          expectError(a, 503, 'LRS_UNAVAILABLE', route.resource);
        }
      } finally {
        stack.simulator.setConditions({ outOfHours: false, maintenance: false });
      }
    }
  });

  it('the LRS refusing the organisation an operation: 403 LRS_OPERATION_NOT_ALLOWED', async () => {
    const route = routes().find((r) => r.op === 'updateLearner') as Route;
    const a = await send('access refused', 'POST', route.path, {
      headers: headersFor(route, { 'x-lrs-organisation': FIND_ONLY_ORG }),
      body: JSON.stringify(route.body?.()),
    });
    expectError(a, 403, 'LRS_OPERATION_NOT_ALLOWED', route.resource);
  });

  it('every answer is documented for its route and status, in the one envelope, Retry-After iff retryable', () => {
    const problems: string[] = [];
    const doc = openApiDocument();
    for (const { label, method, resource, answer } of answers) {
      problems.push(
        ...checker.check(method, resource, answer.status, answer.body).map((p) => `${label}: ${p}`),
      );
      if (answer.status < 400) continue;
      const error = answer.body.error;
      if (!error) {
        problems.push(`${label}: no error envelope`);
        continue;
      }
      const retryAfter = answer.headers.get('retry-after');
      if (error.retryable !== (retryAfter !== null))
        problems.push(`${label}: retryable ${error.retryable} vs Retry-After ${retryAfter}`);
      if (retryAfter !== null && Number(retryAfter) !== error.retryAfterSeconds)
        problems.push(`${label}: Retry-After ${retryAfter} vs retryAfterSeconds ${error.retryAfterSeconds}`);
      if (!error.docUrl.endsWith(`/v1/docs/errors#${error.code}`))
        problems.push(`${label}: docUrl ${error.docUrl}`);
      if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(error.docUrl)) problems.push(`${label}: docUrl not absolute`);
    }
    expect(problems).toEqual([]);
    // Every route the runtime serves is documented, and every documented route (but the public reference) was sent here.
    const served = gatewayRoutes().map((r) => `${r.method} ${r.resource}`);
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(served.sort()).toEqual(documented.sort());
    const sent = new Set(routes().map((r) => `${r.method} ${r.resource}`));
    expect(
      // The public reference has only the route table's causes; cancelling a job is covered by the jobs tests.
      documented.filter(
        (d) =>
          !sent.has(d) && !d.includes('/v1/docs') && !d.endsWith('openapi.json') && !d.endsWith('/cancel'),
      ),
    ).toEqual([]);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
    expect(answers.length).toBeGreaterThan(250);
  });
});
