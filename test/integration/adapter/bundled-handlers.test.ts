/**
 * The production bundles, built once here with the options CDK deploys (FUNCTION_BUNDLING: soap's modules for
 * WS-Security, NTLM, attachments and its own axios client aliased to stand-ins that throw when called; its
 * debug loggers to silent ones), run
 * against the simulator over mutual TLS and the emulators: every operation's bundled handler over HTTP with a
 * PEM and a PFX organisation, the queue path, the LRS's faults and failures (out of hours, maintenance, HTTP
 * 500/503 without a SOAP body, connection resets), and the requests and jobs functions. Any stand-in reached
 * emits a LRS_GATEWAY_LEFT_OUT warning, which fails the test that reached it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSBatchResponse } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cdkEsbuildOptions } from '../../../bench/bundle.js';
import { sampleRequests } from '../../../bench/requests.js';
import { LEFT_OUT_MODULES, LEFT_OUT_WARNING_CODE } from '../../../infra/bundling/left-out.js';
import { REPO_ROOT } from '../../../infra/support/paths.js';
import { ERRORS_DOC_PATH } from '../../../shared/domain/error-codes.js';
import { JOBS_PATH } from '../../../shared/handlers/jobs-handler.js';
import {
  kebab,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
} from '../../../shared/lrs/contract/operations.js';
import { lambdaContext, parse, proxyEvent, sqsEvent, sqsRecord } from '../../support/events.js';
import { type LocalStack, startLocalStack } from '../../support/local-stack.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Packages that must not be in any bundle: the left-out modules and what only they pull in, and the X-Ray
 * SDK with its async hooks and semver (shared/observability/xray.ts sends the subsegments).
 */
const ABSENT = [
  ...Object.keys(LEFT_OUT_MODULES),
  'aws-xray-sdk-core',
  'cls-hooked',
  'semver',
  'xpath',
  '@xmldom/xmldom',
  'mime-db',
  'mime-types',
  'form-data',
  'follow-redirects',
  'des.js',
  'js-md4',
  // The default credential chain is bundled as its environment link alone (infra/bundling/env-credentials.ts).
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
  // The reference XML parser of the differential tests (test/unit/lrs/xml-reference.ts).
  'saxes',
  // soap's loggers are silent in the bundles (infra/bundling/silent-debug.ts), and what only debug needs.
  'debug',
  'supports-color',
  'ms',
];

const FUNCTIONS = [...OPERATION_IDS.map((op) => kebab(op)), 'requests', 'jobs'];

let stack: LocalStack;
let outdir: string;
let metafile: Metafile;
const handlers = new Map<string, Handler>();
const reached: string[] = [];
const onWarning = (w: Error & { code?: string }) => {
  if (w.code === LEFT_OUT_WARNING_CODE) reached.push(w.message);
};

beforeAll(async () => {
  process.on('warning', onWarning);
  stack = await startLocalStack({ api: false, pollers: false, certificateFormat: 'alternate' });
  outdir = mkdtempSync(join(tmpdir(), 'lrs-gateway-bundles-'));
  const result = await build({
    ...cdkEsbuildOptions(),
    entryPoints: FUNCTIONS.map((name) => ({
      in: join(REPO_ROOT, 'functions', name, 'handler.ts'),
      out: `${name}/index`,
    })),
    outdir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    // The source maps are not needed to run the bundles here.
    sourcemap: false,
  });
  metafile = result.metafile;
}, 120_000);

afterAll(async () => {
  process.off('warning', onWarning);
  await stack?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

afterEach(() => {
  // Warnings are emitted on the next tick: by the end of a test every reached stand-in has reported.
  expect(reached.splice(0), 'a left-out module was reached').toEqual([]);
});

/** The bundle's handler, imported once (it reads the stack's environment when it loads). */
const handler = async (name: string): Promise<Handler> => {
  let h = handlers.get(name);
  if (!h) {
    const mod = (await import(pathToFileURL(join(outdir, name, 'index.mjs')).href)) as { handler: Handler };
    h = mod.handler;
    handlers.set(name, h);
  }
  return h;
};

// With certificateFormat 'alternate' the organisations' certificates are PEM, PFX, PEM, PFX…
const pemOrg = () => stack.organisations[0]?.organisationId ?? '';
const pfxOrg = () => stack.organisations[1]?.organisationId ?? '';
/** The awarding organisation (achievements are its operations): the fourth, a PFX one. */
const awardingPfxOrg = () => stack.organisations[3]?.organisationId ?? '';
const ACHIEVEMENT_OPERATIONS: readonly OperationId[] = ['submitAchievementBatch', 'getAchievementBatch'];

const callOperation = async (op: OperationId, organisationId: string, body = sampleRequests()[op]) => {
  const def = OPERATIONS[op];
  const event = proxyEvent({
    path: def.route.path,
    body,
    headers: {
      'X-LRS-Organisation': organisationId,
      ...(def.mutating || op === 'updateLearnerSubsetFields' || op === 'submitAchievementBatch'
        ? { 'Idempotency-Key': `bundle-${crypto.randomUUID()}` }
        : {}),
    },
    callerId: stack.callers[0]?.clientId ?? '',
  });
  const h = await handler(kebab(op));
  return parse<{ requestId: string; status: string; outcome: { code?: string; lrsCode?: string } }>(
    await h(event, lambdaContext(`lrs-gateway-test-${kebab(op)}`)),
  );
};

/** GET /v1/requests/{requestId} through the bundled requests function. */
const readRequest = async (requestId: string, organisationId: string) => {
  const requests = await handler('requests');
  return parse<{ requestId: string; operation: string; status: string }>(
    await requests(
      proxyEvent({
        method: 'GET',
        path: `/v1/requests/${requestId}`,
        resource: '/v1/requests/{requestId}',
        pathParameters: { requestId },
        headers: { 'X-LRS-Organisation': organisationId },
        callerId: stack.callers[0]?.clientId ?? '',
      }),
      lambdaContext('lrs-gateway-test-requests'),
    ),
  );
};

describe('the production bundles', () => {
  it('carry none of the left-out modules, and every bundle with soap carries the stand-ins', () => {
    const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
    expect(outputs).toHaveLength(FUNCTIONS.length);
    for (const [file, output] of outputs) {
      const inputs = Object.keys(output.inputs);
      const packages = new Set(
        inputs.flatMap((i) => i.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []),
      );
      expect(
        ABSENT.filter((p) => packages.has(p)),
        file,
      ).toEqual([]);
      if (packages.has('soap')) {
        expect(inputs.filter((i) => i.startsWith('infra/bundling/left-out/')).sort(), file).toEqual(
          Object.keys(LEFT_OUT_MODULES)
            .map((m) => `infra/bundling/left-out/${m}.ts`)
            .sort(),
        );
      }
    }
  });
});

describe('every operation, bundled, over HTTP', () => {
  it.each(OPERATION_IDS)('%s with a PEM and a PFX organisation reaches the LRS and answers', async (op) => {
    const orgs = [pemOrg(), ACHIEVEMENT_OPERATIONS.includes(op) ? awardingPfxOrg() : pfxOrg()];
    for (const org of orgs) {
      const before = stack.simulator.requestCount();
      const res = await callOperation(op, org);
      expect(res.statusCode, `${org}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
      expect(res.body.status).toBe('COMPLETED');
      expect(stack.simulator.requestCount()).toBeGreaterThan(before);
    }
  });
});

describe('the LRS failing, bundled', () => {
  afterEach(() => stack.simulator.resetConditions());

  it.each([
    ['out of hours (WSEC0004 fault)', { outOfHours: true }],
    ['maintenance (HTTP 500 with the recorded fault)', { maintenance: true }],
    ['HTTP 500/503 without a SOAP body', { failureRate: 1 }],
    ['connection reset before the request is processed', { resetRate: 1 }],
  ] as const)('%s: a retryable error, no left-out module', async (_label, conditions) => {
    stack.simulator.setConditions(conditions);
    for (const op of ['verifyLearner', 'findLearnerByDemographics'] as const) {
      for (const org of [pemOrg(), pfxOrg()]) {
        const res = await callOperation(op, org);
        expect(res.statusCode, JSON.stringify(res.body).slice(0, 300)).toBeGreaterThanOrEqual(500);
        expect(res.headers['Retry-After']).toMatch(/^\d+$/);
      }
    }
  });
});

describe('the queue path, bundled', () => {
  it('a queued lookup completes through the bundled handler', async () => {
    const op = 'findLearnerByUln';
    const requestId = crypto.randomUUID();
    const body = JSON.stringify({
      requestId,
      operation: op,
      organisationId: pfxOrg(),
      request: sampleRequests()[op],
      caller: stack.callers[0]?.clientId,
    });
    const h = await handler(kebab(op));
    const res = (await h(
      sqsEvent([sqsRecord(body, stack.queueArns[op])]),
      lambdaContext(`lrs-gateway-test-${kebab(op)}`),
    )) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    const read = await readRequest(requestId, pfxOrg());
    expect(read.statusCode, JSON.stringify(read.body)).toBe(200);
    expect(read.body).toMatchObject({ requestId, operation: op, status: 'COMPLETED' });
  });
});

describe('the platform functions, bundled', () => {
  it('requests reads a request made over HTTP; jobs answers 404 for an unknown job', async () => {
    const made = await callOperation('verifyLearner', pemOrg());
    expect(made.statusCode).toBe(200);
    const callerId = stack.callers[0]?.clientId ?? '';
    const { requestId } = made.body;
    const read = await readRequest(requestId, pemOrg());
    expect(read.statusCode, JSON.stringify(read.body)).toBe(200);
    expect(read.body).toMatchObject({ requestId, status: 'COMPLETED' });

    const jobs = await handler('jobs');
    const jobId = `job-${crypto.randomUUID().replaceAll('-', '')}`;
    const job = parse(
      await jobs(
        proxyEvent({
          method: 'GET',
          path: `${JOBS_PATH}/${jobId}`,
          resource: `${JOBS_PATH}/{jobId}`,
          pathParameters: { jobId },
          headers: { 'X-LRS-Organisation': pemOrg() },
          callerId,
        }),
        lambdaContext('lrs-gateway-test-jobs'),
      ),
    );
    expect(job.statusCode, JSON.stringify(job.body)).toBe(404);
  });

  it('requests serves the committed API document and the error catalogue (both loaded on first ask)', async () => {
    const requests = await handler('requests');
    const doc = parse(
      await requests(
        proxyEvent({ method: 'GET', path: '/v1/openapi.json', resource: '/v1/openapi.json' }),
        lambdaContext('lrs-gateway-test-requests'),
      ),
    );
    expect(doc.statusCode).toBe(200);
    expect(doc.body).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'openapi.json'), 'utf8')));
    const page = (await requests(
      proxyEvent({ method: 'GET', path: ERRORS_DOC_PATH, resource: ERRORS_DOC_PATH }),
      lambdaContext('lrs-gateway-test-requests'),
    )) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(page.statusCode).toBe(200);
    expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/^<!doctype html>/i);
  });
});
