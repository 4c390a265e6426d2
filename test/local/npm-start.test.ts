/**
 * Runs `npm start` exactly as local/README.md says (with the ports moved by the documented env vars, so
 * it cannot clash with a developer's own `npm start`), waits for it to be ready, makes a find by
 * demographics, a register (find-before-register), a PLR request and a 100-learner bulk job over HTTP,
 * and stops it with SIGINT sent to its process group as Ctrl-C in a terminal does.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleRequests } from '../../local/examples.js';
import { READY_MARKER } from '../../local/start-config.js';
import { notableLearner, verifiableLearners } from '../../simulator/seed.js';
import { isListening } from '../support/net.js';

const REPO = join(import.meta.dirname, '..', '..');
const CLIENT_SECRET = 'npm-start-test-secret';
let token = '';

/**
 * Runs the token command `npm start` printed (the `TOKEN=$(curl …)` lines), in bash, as a user would paste
 * it, and returns the access token it got.
 */
const runPrintedTokenCommand = (output: string): string => {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith('TOKEN=$(curl'));
  expect(start, 'npm start prints a token command').toBeGreaterThanOrEqual(0);
  const command: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    command.push(line);
    if (!line.trimEnd().endsWith('\\')) break;
  }
  const got = execFileSync('bash', ['-c', `${command.join('\n')}\nprintf %s "$TOKEN"`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(got).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  return got;
};
const children: ChildProcess[] = [];

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

const npmStart = (env: Record<string, string>): Started => {
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
};

const waitForOutput = async (started: Started, text: string, timeoutMs = 60_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    if (Date.now() > until) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Ctrl-C: SIGINT to the whole foreground process group (npm, tsx and node). */
const ctrlC = (child: ChildProcess): void => {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
};

afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & {
    outcome?: { code?: string; lrsCode?: string };
    result?: Record<string, unknown>;
  };
}

const call = async (
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-lrs-organisation': 'TEST0001',
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
};

/** The rest of the main job through the child process: register, PLR and a 100-learner bulk job. */
const registerPlrAndBulkJob = async (port: number): Promise<void> => {
  // Register a learner the LRS does not know: the gateway searches first (no match), then registers.
  const suffix = Array.from({ length: 6 }, () =>
    String.fromCharCode(97 + Math.floor(Math.random() * 26)),
  ).join('');
  const registered = await call(
    port,
    'POST',
    '/v1/learners/register',
    {
      learner: {
        givenName: 'Newcomer',
        familyName: `Testregister${suffix}`,
        dateOfBirth: '2007-03-14',
        gender: '1',
        lastKnownPostCode: 'B1 1AA',
        verificationType: '2',
        abilityToShare: '1',
      },
    },
    { 'Idempotency-Key': `npm-start-register-${suffix}` },
  );
  expect(registered.status, JSON.stringify(registered.body)).toBe(200);
  expect(registered.body.outcome?.lrsCode).toBe('WSRC0005');
  expect(String(registered.body.result?.uln)).toMatch(/^[1-9][0-9]{9}$/);

  // The Personal Learning Record of a seeded learner with events.
  const plr = notableLearner('plrExact');
  const events = await call(port, 'POST', '/v1/learners/learning-events', {
    uln: plr.uln,
    givenName: plr.givenName,
    familyName: plr.familyName,
  });
  expect(events.status, JSON.stringify(events.body)).toBe(200);
  expect(events.body.outcome?.lrsCode).toBe('WSRC0004');
  expect((events.body.result?.learningEvents as unknown[] | undefined)?.length).toBeGreaterThan(0);

  // A 100-learner verification job through the queue, followed to completion and read back.
  const learners = verifiableLearners(100);
  const submitted = await call(port, 'POST', '/v1/jobs', {
    operation: 'verifyLearner',
    items: learners.map((l) => ({ uln: l.uln, givenName: l.givenName, familyName: l.familyName })),
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
  const jobId = String(submitted.body.jobId);
  const until = Date.now() + 60_000;
  let job: Answer;
  do {
    await new Promise((r) => setTimeout(r, 250));
    job = await call(port, 'GET', `/v1/jobs/${jobId}`);
  } while (job.body.status !== 'COMPLETED' && Date.now() < until);
  expect(job.body, JSON.stringify(job.body)).toMatchObject({
    status: 'COMPLETED',
    counts: { completed: 100, failed: 0 },
    outcomes: { WSVRC001: 100 },
  });
  const results = await call(port, 'GET', `/v1/jobs/${jobId}/results?limit=1000`);
  expect(results.status).toBe(200);
  expect((results.body.items as unknown[]).length).toBe(100);
};

describe('npm start', () => {
  it('starts; runs a find, a register (find-before-register), a PLR request and a 100-learner bulk job; stops cleanly on SIGINT (exit code 0) and on Ctrl-C, and starts again', async () => {
    const ports = {
      LOCAL_API_PORT: await freePort(),
      LOCAL_TOKEN_PORT: await freePort(),
      LOCAL_SIMULATOR_PORT: await freePort(),
      LOCAL_DYNAMODB_PORT: await freePort(),
      LOCAL_SQS_PORT: await freePort(),
      LOCAL_SECRETS_MANAGER_PORT: await freePort(),
    };
    const env = {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      LOCAL_CLIENT_SECRET: CLIENT_SECRET,
    };

    for (const round of [1, 2]) {
      const started = npmStart(env);
      await waitForOutput(started, READY_MARKER);
      expect(started.output()).toContain(`http://127.0.0.1:${ports.LOCAL_API_PORT}`);
      token = runPrintedTokenCommand(started.output());

      const find = exampleRequests()[0];
      const res = await fetch(`http://127.0.0.1:${ports.LOCAL_API_PORT}${find?.path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-lrs-organisation': 'TEST0001',
        },
        body: JSON.stringify(find?.body),
      });
      const body = await res.text();
      expect(res.status, `round ${round}: ${body}`).toBe(200);
      expect(body).toContain(notableLearner('exact').uln);

      if (round === 1) await registerPlrAndBulkJob(ports.LOCAL_API_PORT);

      if (round === 1) {
        // SIGINT to the runtime process alone (as a process supervisor would): npm passes on its exit code.
        const pid = Number(/pid (\d+)\)/.exec(started.output())?.[1]);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid, 'SIGINT');
        expect(await started.exited, started.output()).toBe(0);
      } else {
        // Ctrl-C in a terminal: every process of the group gets SIGINT. The runtime stops cleanly; npm
        // itself then ends by re-raising SIGINT (its own Ctrl-C behaviour, shown by shells as 130).
        ctrlC(started.child);
        await started.exited;
        expect(started.child.signalCode ?? started.child.exitCode).toBe('SIGINT');
      }
      expect(started.output()).toContain('Stopped.');
      expect(started.output()).not.toContain('Error while stopping');
      for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
    }
  }, 120_000);

  it('refuses to start when a port is taken, naming the port and the variable that moves it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    try {
      const started = npmStart({
        LOCAL_API_PORT: '0',
        LOCAL_TOKEN_PORT: '0',
        LOCAL_SIMULATOR_PORT: '0',
        LOCAL_DYNAMODB_PORT: '0',
        LOCAL_SQS_PORT: String(taken),
        LOCAL_SECRETS_MANAGER_PORT: '0',
      });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`Port ${taken} on 127.0.0.1`);
      expect(started.output()).toContain('LOCAL_SQS_PORT');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});
