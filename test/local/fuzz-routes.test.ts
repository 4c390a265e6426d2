/**
 * Generated requests (fast-check) to every route of the local runtime, of each kind: valid, boundary,
 * type-confused, huge, unicode, injection, odd headers, malformed percent-encoding in the path, deep
 * nesting. Every answer: no 5xx but an LRS-condition 503 with Retry-After; every non-2xx body documented
 * for its route and status in openapi.json (the one error envelope); and no value of any request, marked
 * with a canary, in any log line.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayRoutes } from '../../local/api-server.js';
import { OPERATION_LIST } from '../../shared/lrs/contract/operations.js';
import { useLocalStack } from '../support/local-stack.js';
import { type AnswerChecker, answerChecker } from '../support/openapi-answers.js';
import { captureOutput } from '../support/output.js';
import { sampleJob, sampleRequest, storedRequestAndJob } from '../support/route-samples.js';

const ORG = 'TEST0001';
/** Letters only, so that it is valid wherever a name is. */
const CANARY = `Zqx${randomUUID()
  .replace(/[^a-f]/g, '')
  .slice(0, 8)}w`;
const RUNS = 45;

const stack = useLocalStack({ api: true, pollers: true }, 60_000);
let checker: AnswerChecker;
let output: ReturnType<typeof captureOutput> | undefined;
const problems: string[] = [];
let requestId = '';
let jobId = '';

interface Target {
  readonly method: 'GET' | 'POST';
  readonly resource: string;
  /** The path with its parameter set to `id` (or the real id). */
  readonly path: (id?: string) => string;
  readonly body?: () => Record<string, unknown>;
}

const sample = sampleRequest;

const targets = (): Target[] =>
  gatewayRoutes().map((r): Target => {
    const op = OPERATION_LIST.find((o) => o.route.path === r.resource);
    const realId = r.resource.includes('{jobId}')
      ? jobId
      : r.resource.includes('{requestId}')
        ? requestId
        : r.resource.includes('{organisationId}')
          ? ORG
          : '';
    return {
      method: r.method as 'GET' | 'POST',
      resource: r.resource,
      path: (id = realId) => r.resource.replace(/\{[^}]+\}/, id),
      ...(op ? { body: () => sample(op.id) } : r.resource === '/v1/jobs' ? { body: sampleJob } : {}),
    };
  });

/** A request: path, headers, body. */
interface Shot {
  readonly target: Target;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const headersOf = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...stack.headers(ORG),
  'Idempotency-Key': `fuzz-${randomUUID()}`,
  ...extra,
});

const shoot = async (shot: Shot, kind: string): Promise<void> => {
  const res = await fetch(`${stack.apiUrl}${shot.path}`, {
    method: shot.target.method,
    headers: shot.headers,
    ...(shot.target.method === 'POST' && shot.body !== undefined ? { body: shot.body } : {}),
  });
  const text = await res.text();
  const label = `${kind} ${shot.target.method} ${shot.target.resource} → ${res.status}`;
  if (res.status >= 500) {
    const lrs503 =
      res.status === 503 && res.headers.get('retry-after') !== null && text.includes('LRS_UNAVAILABLE');
    if (!lrs503) problems.push(`${label}: ${text.slice(0, 200)}`);
  }
  if (res.status >= 300) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${label}: not JSON`);
      return;
    }
    // An answer for a path the route table does not know is checked against the envelope.
    const resource = checker.resourceOf(shot.path.split('?')[0] ?? '') ?? '/not/a/route';
    problems.push(
      ...checker.check(shot.target.method, resource, res.status, body).map((p) => `${label}: ${p}`),
    );
  }
};

/** Every string leaf of a value replaced by `f(leaf)`. */
const mapStrings = (value: unknown, f: (s: string) => unknown): unknown => {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
};

const leafKeys = (value: unknown, prefix: string[] = []): string[][] => {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafKeys(v, [...prefix, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leafKeys(v, [...prefix, k]));
  return [prefix];
};

const setAt = (value: unknown, path: string[], leaf: unknown): unknown => {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  const copy = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  (copy as Record<string, unknown>)[head] = setAt((copy as Record<string, unknown>)[head], rest, leaf);
  return copy;
};

const postTargets = () => targets().filter((t) => t.body);
const anyTarget = () => fc.constantFrom(...targets());
const postTarget = () => fc.constantFrom(...postTargets());

const INJECTIONS = [
  "' OR '1'='1' --",
  '<script>alert(1)</script>',
  ']]><x:y xmlns:x="urn:x">',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the log4j lookup is the attack
  '${jndi:ldap://127.0.0.1/a}',
  '../../../../etc/passwd',
  '=HYPERLINK("http://127.0.0.1")',
  '{{7*7}}',
  '%00%0d%0aSet-Cookie: a=b',
  '"; DROP TABLE learners; --',
];

/** A valid request of a POST route with one field (or, with orWhole, the whole body) replaced by `leaf`. */
const atLeaf = (leaf: fc.Arbitrary<unknown>, options: { orWhole?: boolean } = {}): fc.Arbitrary<Shot> =>
  postTarget().chain((target) => {
    const body = target.body?.() ?? {};
    const paths = [...leafKeys(body), ...(options.orWhole ? [[]] : [])];
    return fc.tuple(fc.constantFrom(...paths), leaf).map(([path, value]) => ({
      target,
      path: target.path(),
      headers: headersOf(),
      body: JSON.stringify(setAt(body, path, value)),
    }));
  });

const property = (arb: fc.Arbitrary<Shot>, kind: string) =>
  fc.assert(
    fc.asyncProperty(arb, async (shot) => shoot(shot, kind)),
    { numRuns: RUNS, endOnFailure: true },
  );

beforeAll(async () => {
  checker = answerChecker();
  output = captureOutput();
  ({ requestId, jobId } = await storedRequestAndJob(stack, ORG));
});
afterAll(() => output?.restore());

describe('every route, generated requests of every kind', () => {
  it('valid requests, names carrying the canary', async () => {
    await property(
      anyTarget().map((target) => ({
        target,
        path: target.path(),
        headers: headersOf(),
        ...(target.body
          ? {
              body: JSON.stringify(
                mapStrings(target.body(), (s) =>
                  /^[A-Z][a-z]+$/.test(s) ? `${s}${CANARY}`.slice(0, 35) : s,
                ),
              ),
            }
          : {}),
      })),
      'valid',
    );
  }, 120_000);

  it('boundary values', async () => {
    const boundary = fc.constantFrom(
      '',
      ' ',
      'x'.repeat(35),
      `${CANARY}${'y'.repeat(36)}`,
      0,
      -1,
      2147483648,
      1e308,
      '0000000000',
    );
    await property(atLeaf(boundary), 'boundary');
  }, 120_000);

  it('type-confused fields', async () => {
    const confused = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.constant(CANARY), { maxLength: 3 }),
      fc.dictionary(fc.constant(CANARY), fc.constant(CANARY), { maxKeys: 1 }),
    );
    await property(atLeaf(confused, { orWhole: true }), 'type-confused');
  }, 120_000);

  it('huge values', async () => {
    await property(
      postTarget().chain((target) =>
        fc
          .constantFrom(
            () => ({ ...target.body?.(), familyName: `${CANARY}${'a'.repeat(1_000_000)}` }),
            () => ({ ...target.body?.(), items: Array.from({ length: 20_000 }, () => CANARY) }),
            () => ({ ...target.body?.(), [`${CANARY}${'k'.repeat(10_000)}`]: 1 }),
          )
          .map((make) => ({
            target,
            path: target.path(),
            headers: headersOf(),
            body: JSON.stringify(make()),
          })),
      ),
      'huge',
    );
  }, 180_000);

  it('unicode', async () => {
    await property(
      postTarget().chain((target) => {
        const body = target.body?.() ?? {};
        return fc
          .tuple(
            fc.constantFrom(...leafKeys(body)),
            fc.string({ unit: 'grapheme', maxLength: 40 }),
            fc.string({ unit: 'binary', maxLength: 10 }),
          )
          .map(([path, text, key]) => ({
            target,
            path: target.path(),
            headers: headersOf(),
            body: JSON.stringify({
              ...(setAt(body, path, `${text}${CANARY}`) as object),
              [`${key}${CANARY}`]: text,
            }),
          }));
      }),
      'unicode',
    );
  }, 120_000);

  it('injection', async () => {
    await property(atLeaf(fc.constantFrom(...INJECTIONS).map((attack) => `${attack}${CANARY}`)), 'injection');
  }, 120_000);

  it('odd headers', async () => {
    const headerText = fc
      .string({
        // fetch sends only printable ASCII header values (undici refuses the rest before sending).
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      })
      .map((s) => `${s.trim()}${CANARY}`);
    await property(
      fc
        .tuple(
          anyTarget(),
          fc.constantFrom(
            'x-lrs-organisation',
            'x-lrs-username',
            'idempotency-key',
            'content-type',
            'authorization',
          ),
          headerText,
        )
        .map(([target, name, value]) => ({
          target,
          path: target.path(),
          headers: headersOf({ [name]: name === 'authorization' ? `Bearer ${value}` : value }),
          ...(target.body ? { body: JSON.stringify(target.body()) } : {}),
        })),
      'headers',
    );
  }, 120_000);

  it('malformed percent-encoding in the path', async () => {
    const bad = fc.constantFrom('%E0%A4%A', '%', '%zz', `%C0%AF${CANARY}`, `${CANARY}%`, '%ED%A0%80', '%%41');
    await property(
      fc.tuple(anyTarget(), bad).map(([target, malformed]) => ({
        target,
        path: target.resource.includes('{') ? target.path(malformed) : `${target.path()}${malformed}`,
        headers: headersOf(),
        ...(target.body ? { body: JSON.stringify(target.body()) } : {}),
      })),
      'percent',
    );
  }, 120_000);

  it('deep nesting', async () => {
    await property(
      fc
        .tuple(postTarget(), fc.integer({ min: 33, max: 5000 }), fc.boolean())
        .map(([target, depth, arrays]) => {
          const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
          const nested = `${open.repeat(depth)}"${CANARY}"${close.repeat(depth)}`;
          const body = JSON.stringify(target.body?.() ?? {});
          return {
            target,
            path: target.path(),
            headers: headersOf(),
            body: `${body.slice(0, -1)}${body.length > 2 ? ',' : ''}"deep":${nested}}`,
          };
        }),
      'deep',
    );
  }, 120_000);

  it('found no 5xx, every error documented in the envelope, no request value in any log line', () => {
    expect(problems).toEqual([]);
    const text = output?.text() ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(text.includes(CANARY), 'a request value reached a log line').toBe(false);
  });
});
