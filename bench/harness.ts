/**
 * What every bench phase shares: the run options, the worker child processes (one process per measured
 * side, as a function has one), the function environment, and the SOAP Bodies the gateway would send.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { FUNCTION_BASE_ENVIRONMENT } from '../infra/constructs/gateway-function.js';
import { REPO_ROOT } from '../infra/support/paths.js';
import type { LocalRuntime } from '../local/runtime.js';
import type { OperationId } from '../shared/lrs/contract/operations.js';
import { validateRequest } from '../shared/lrs/contract/schemas.js';
import { buildRequestBody } from '../shared/lrs/soap/request.js';
import type { OrganisationCredentials } from '../shared/ports/credentials.js';
import { SIMULATOR_ORGANISATIONS } from '../simulator/seed.js';
import type { FunctionBundle, WorkerName } from './bundle.js';
import { BENCH_ORGANISATION } from './requests.js';
import type { LrsTarget, WorkerReply } from './workers/protocol.js';

export const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_PROFILE=warm|queue|cold: that phase's worker(s) write V8 CPU profiles to bench/results/profiles. */
export const PROFILE = process.env.BENCH_PROFILE ?? '';
/** BENCH_PHASES=warm,cold,parse,queue,realistic (default all): run only these measurements. */
export const PHASES = new Set(
  (process.env.BENCH_PHASES ?? 'warm,cold,parse,queue,realistic').split(',').map((p) => p.trim()),
);
const PROFILE_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');
export const profileArgs = (phase: string): string[] =>
  PROFILE === phase ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];

export const log = (line: string) => process.stderr.write(`${line}\n`);

/** What a phase runs against: the local stack this process hosts, the bundles and the worker scripts. */
export interface BenchContext {
  readonly runtime: LocalRuntime;
  /** CPU time (ms) used so far by the processes hosting the simulator and the emulators. */
  readonly hostCpuMs: () => Promise<number>;
  /** The function environment for a child process. */
  readonly env: NodeJS.ProcessEnv;
  readonly apiKeyId: string;
  readonly lrs: LrsTarget;
  readonly bundles: readonly FunctionBundle[];
  readonly workers: Readonly<Record<WorkerName, string>>;
  readonly bundleOf: (op: OperationId) => FunctionBundle;
}

/**
 * A worker child process with IPC, its stderr kept (the last lines, for error messages) and shown with
 * BENCH_VERBOSE; profiled when BENCH_PROFILE names `phase`.
 */
export const forkWorker = (
  name: string,
  file: string,
  env: NodeJS.ProcessEnv,
  phase: string = name,
): { readonly child: ChildProcess; readonly stderr: string[] } => {
  const stderr: string[] = [];
  const child = fork(file, [], {
    env,
    execArgv: profileArgs(phase),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      stderr.push(line);
      if (stderr.length > 50) stderr.shift();
      if (process.env.BENCH_VERBOSE) log(`[${name}] ${line}`);
    }
  });
  return { child, stderr };
};

/** dynalite in its own process (bench/workers/dynamodb.ts), and the CPU time it has used. */
export interface DynamodbProcess {
  readonly url: string;
  readonly port: number;
  readonly cpuMs: () => Promise<number>;
  readonly stop: () => void;
}

export const startDynamodbProcess = async (file: string): Promise<DynamodbProcess> => {
  const { child, stderr } = forkWorker('dynamodb', file, process.env);
  const next = () =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const onExit = () => reject(new Error(`dynamodb worker exited: ${stderr.join(' | ')}`));
      child.once('exit', onExit);
      child.once('message', (m: Record<string, number>) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  const { port } = await next();
  if (typeof port !== 'number') throw new Error('dynamodb worker sent no port');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cpuMs: async () => {
      const reply = next();
      child.send({ kind: 'cpu' });
      return (await reply).cpuMs ?? 0;
    },
    stop: () => {
      child.disconnect();
    },
  };
};

/** A long-lived worker process answering one request message at a time over IPC. */
export class Worker {
  private readonly child: ChildProcess;
  private readonly stderr: string[];
  private exited = false;

  constructor(
    readonly name: string,
    file: string,
    env: NodeJS.ProcessEnv,
  ) {
    ({ child: this.child, stderr: this.stderr } = forkWorker(name, file, env));
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  request<T>(message: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${this.name} worker exited (${code}): ${this.stderr.slice(-5).join(' | ')}`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: WorkerReply<T>) => {
        this.child.off('exit', onExit);
        if (reply.ok) resolve(reply.value);
        else reject(new Error(`${this.name} worker: ${reply.error} ${this.stderr.slice(-3).join(' | ')}`));
      });
      this.child.send(message as object);
    });
  }

  stop(): void {
    if (!this.exited && this.child.connected) this.child.disconnect();
  }
}

/** The function's environment for a child process: the deployed base env plus the local stack's. */
export const childEnv = (functionEnv: Readonly<Record<string, string>>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...functionEnv,
  ...FUNCTION_BASE_ENVIRONMENT,
  // Node 20 here, Node 22 on Lambda: the SDK's one-off Node-version notice is not part of the function.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const benchCredentials = (): OrganisationCredentials => {
  const org = SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === BENCH_ORGANISATION);
  if (!org) throw new Error(`no seeded organisation ${BENCH_ORGANISATION}`);
  return {
    organisationId: BENCH_ORGANISATION,
    ...(org.ukprn ? { ukprn: org.ukprn } : {}),
    ...(org.organisationRef ? { organisationRef: org.organisationRef } : {}),
    orgPassword: org.orgPassword,
    userName: org.userName,
    vendorId: org.vendorId,
    certificate: { kind: 'pem', key: Buffer.alloc(0), cert: Buffer.alloc(0) },
    version: 'bench',
  } as OrganisationCredentials;
};

/** The SOAP Body the gateway sends for this request (built once, outside any timing). */
export const soapBodyOf = (op: OperationId, request: unknown): string => {
  const credentials = benchCredentials();
  return buildRequestBody(op, validateRequest(op, request), { credentials, userName: credentials.userName });
};
