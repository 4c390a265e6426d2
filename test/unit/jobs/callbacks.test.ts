/**
 * The pure parts of job callbacks and job progress: the signature against an independent computation,
 * callback URL rules (fuzzed: untrusted input never throws and is never echoed), blocked addresses, the
 * backoff schedule, the list cursor, and the ETA from the observed pace.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALLBACK_SETTINGS } from '../../../shared/jobs/callback-settings.js';
import {
  callbackBody,
  callbackEventId,
  callbackUrlIssues,
  isBlockedAddress,
  MAX_CALLBACK_URL_LENGTH,
  nextCallbackDelay,
  signatureHeader,
} from '../../../shared/jobs/callbacks.js';
import { decodeListCursor, encodeListCursor, jobProgress } from '../../../shared/jobs/read-job.js';
import type { JobCounts, JobRecord } from '../../../shared/ports/jobs-store.js';

describe('signatureHeader', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const body = '{"id":"evt-1","type":"job.completed"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1767225600.${body}`).digest('hex');
    expect(signatureHeader('whsec_test', 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
    expect(signatureHeader('whsec_other', 1767225600, body)).not.toContain(expected);
  });
});

describe('callbackUrlIssues', () => {
  const strict = { allowLoopbackHttp: false };
  it('accepts https URLs of public hosts', () => {
    for (const url of ['https://mis.example.ac.uk/hooks/lrs', 'https://93.184.216.34:8443/x?y=1']) {
      expect(callbackUrlIssues(url, strict), url).toEqual([]);
    }
  });
  it('allows http to loopback only when the setting says so', () => {
    expect(callbackUrlIssues('http://127.0.0.1:9999/h', { allowLoopbackHttp: true })).toEqual([]);
    expect(callbackUrlIssues('http://127.0.0.1:9999/h', strict)[0]?.rule).toBe('https');
    expect(callbackUrlIssues('https://localhost/h', strict)[0]?.rule).toBe('publicHost');
  });
  it('never throws and never echoes the value, whatever it is', () => {
    // One refused URL per rule: every message is one of theirs, so no message depends on the value
    // (a plain "does not contain the value" check fails by chance when the value is a word of the message).
    const fixedMessages = new Set(
      [
        `https://a.example/${'x'.repeat(MAX_CALLBACK_URL_LENGTH)}`,
        'not a url',
        'https://user:pass@a.example/h',
        'https://a.example/h#f',
        'ftp://a.example/h',
        'https://localhost/h',
        'https://10.0.0.1/h',
      ].flatMap((u) => callbackUrlIssues(u, strict).map((i) => i.message)),
    );
    expect(fixedMessages.size).toBe(7);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' })), (url) => {
        const issues = callbackUrlIssues(url, strict);
        for (const i of issues) {
          expect(i.field).toBe('callbackUrl');
          expect(fixedMessages).toContain(i.message);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('isBlockedAddress', () => {
  it('blocks private, loopback, link-local, CGNAT, multicast and unique-local addresses', () => {
    for (const a of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isBlockedAddress(a, false), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '172.32.0.1', '2606:4700::1111'])
      expect(isBlockedAddress(a, false), a).toBe(false);
    expect(isBlockedAddress('127.0.0.1', true)).toBe(false);
    expect(isBlockedAddress('10.0.0.1', true)).toBe(true);
  });
});

describe('nextCallbackDelay', () => {
  it('doubles from 30 s, caps at an hour, and stops at the 24-hour window', () => {
    const s = DEFAULT_CALLBACK_SETTINGS;
    const first = 0;
    let now = first;
    const delays: number[] = [];
    for (let attempt = 1; attempt < 100; attempt++) {
      const d = nextCallbackDelay(s, attempt, first, now);
      if (d === undefined) break;
      delays.push(d);
      now += d * 1000;
    }
    expect(delays.slice(0, 8)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600]);
    expect(Math.max(...delays)).toBe(3600);
    expect(now).toBeLessThanOrEqual(86_400_000);
    expect(now + 3600_000).toBeGreaterThan(86_400_000);
  });
});

describe('callbackBody', () => {
  it('carries ids, status, counts and links only', () => {
    const body = JSON.parse(
      callbackBody(
        { jobId: 'job-1', operation: 'verifyLearner', organisationId: '10000000' },
        {
          status: 'COMPLETED',
          total: 2,
          counts: { pending: 0, completed: 2, failed: 0, cancelled: 0, deadLettered: 0 },
          outcomes: { WSVRC001: 2 },
          errors: {},
        },
        'job.completed',
        new Date('2026-09-01T08:00:00Z'),
      ),
    );
    expect(body).toEqual({
      id: callbackEventId('job-1', 'job.completed'),
      type: 'job.completed',
      createdAt: '2026-09-01T08:00:00.000Z',
      data: {
        jobId: 'job-1',
        operation: 'verifyLearner',
        organisationId: '10000000',
        status: 'COMPLETED',
        total: 2,
        counts: { pending: 0, completed: 2, failed: 0, cancelled: 0, deadLettered: 0 },
        outcomes: { WSVRC001: 2 },
        errors: {},
        links: { self: '/v1/jobs/job-1', results: '/v1/jobs/job-1/results' },
      },
    });
    expect(callbackEventId('job-1', 'job.cancelled')).not.toBe(body.id);
  });
});

describe('the list cursor', () => {
  it('round-trips a position and refuses anything else with the cursor rule', () => {
    const at = { createdAt: '2026-09-01T08:00:00.000Z', jobId: `job-${'a'.repeat(32)}` };
    expect(decodeListCursor(encodeListCursor(at))).toEqual(at);
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          decodeListCursor(text);
        } catch (e) {
          expect((e as { issues: { field: string; rule: string }[] }).issues).toEqual([
            expect.objectContaining({ field: 'query.cursor', rule: 'cursor' }),
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('jobProgress', () => {
  const job = {
    total: 100,
    status: 'RUNNING',
    createdAt: '2026-09-01T08:00:00.000Z',
    queuedAt: '2026-09-01T08:00:00.000Z',
  } as JobRecord;
  const counts = (pending: number, settled: number, last?: string): JobCounts => ({
    byStatus: { PENDING: pending, COMPLETED: 100 - pending, FAILED: 0, CANCELLED: 0 },
    deadLettered: 0,
    byOutcome: {},
    byError: {},
    settledByWorkers: settled,
    ...(last ? { firstSettledAt: job.queuedAt, lastSettledAt: last } : {}),
  });
  it('projects the observed pace over what is left', () => {
    // 40 items in 60 s: 40/min; 60 left → 90 s after the last settlement.
    const p = jobProgress(
      job,
      counts(60, 40, '2026-09-01T08:01:00.000Z'),
      new Date('2026-09-01T08:01:10.000Z'),
    );
    expect(p).toEqual({
      percent: 40,
      itemsPerMinute: 40,
      etaSeconds: 80,
      estimatedCompletionAt: '2026-09-01T08:02:30.000Z',
    });
  });
  it('has no ETA before the first settlement, or once nothing is pending', () => {
    expect(jobProgress(job, counts(100, 0), new Date())).toEqual({ percent: 0 });
    expect(jobProgress(job, counts(0, 100, '2026-09-01T08:02:00.000Z'), new Date())).toEqual({
      percent: 100,
      itemsPerMinute: 50,
    });
  });
});
