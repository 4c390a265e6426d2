/**
 * The local AWS stand-ins, in-process and on 127.0.0.1 only: DynamoDB (dynalite), SQS (fauxqs) and
 * Secrets Manager (our own small emulator). The real AWS SDK v3 reaches them through the
 * AWS_ENDPOINT_URL_* variables, so the function code has no local-mode branch.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { createSecretsManagerServer, type SecretsStore } from './secrets-manager-emulator.js';

export const LOCAL_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'eu-west-2';

export interface EmulatorPorts {
  /** 0 (the default) picks a free port. */
  readonly dynamodb?: number;
  readonly sqs?: number;
  readonly secretsManager?: number;
}

export interface RunningEmulator {
  readonly url: string;
  readonly port: number;
}

export interface Emulators {
  readonly region: string;
  readonly dynamodb: RunningEmulator;
  readonly sqs: RunningEmulator;
  readonly secretsManager: RunningEmulator & { readonly store: SecretsStore };
  /** The AWS_ENDPOINT_URL_* variables (and region, dummy credentials) that point the SDK here. */
  readonly awsEnv: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Thrown when a fixed port is already in use, naming the port and what wanted it. */
export class PortInUseError extends Error {
  constructor(
    readonly what: string,
    readonly port: number,
    hint?: string,
  ) {
    super(
      `Port ${port} on ${LOCAL_HOST} (wanted by ${what}) is already in use.` +
        (hint ? ` ${hint}` : ' Stop whatever holds it or choose another port.'),
    );
    this.name = 'PortInUseError';
  }
}

/** Listens on 127.0.0.1 and resolves with the bound port; a taken port rejects with PortInUseError. */
export const listenLocal = (server: Server, port: number, what: string, hint?: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(what, port, hint) : error);
    };
    server.once('error', onError);
    server.listen(port, LOCAL_HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections?.();
  });

/**
 * fauxqs builds queue URLs as `http://sqs.<region>.<host>:<port>/…` from its store's `host`; with an
 * empty host it uses the request's Host header instead, giving `http://127.0.0.1:<port>/…` URLs that
 * resolve without DNS tricks in any process and work with SDK clients built as `new SQSClient({})`
 * (which send to the queue URL's host). The store class is not exported by the package entry, so we
 * load it from the file next to it.
 */
const fauxqsStoreWithRequestHost = async (region: string): Promise<unknown> => {
  const storeUrl = new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs'));
  const mod = (await import(storeUrl.href)) as { SqsStore: new () => { host: string; region?: string } };
  const store = new mod.SqsStore();
  store.host = '';
  store.region = region;
  return store;
};

interface FastifyLike {
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  addHook(
    name: 'preSerialization',
    hook: (
      request: { headers: Record<string, unknown> },
      reply: unknown,
      payload: unknown,
    ) => Promise<unknown>,
  ): void;
  server: Server;
}

/**
 * The SQS sender id of messages the functions send (they sign with the access key id `local`, see awsEnv).
 */
export const LOCAL_GATEWAY_SENDER_ID = 'local';
/** Sender ids remembered (the newest), so a long session does not grow without bound. */
const MAX_SENDERS = 100_000;

/**
 * fauxqs has no IAM and stamps every message with `SenderId: "000000000000"`. Real SQS stamps the sender's
 * IAM principal id, which the queue worker checks; locally the nearest faithful stand-in is the access key
 * id the SendMessage request was signed with (SigV4 `Credential=<key id>/…`). This hook notes it per
 * message id on SendMessage/SendMessageBatch and puts it in the SenderId that ReceiveMessage answers.
 */
const senderIds = (app: FastifyLike): void => {
  const senders = new Map<string, string>();
  const remember = (messageId: unknown, sender: string) => {
    if (typeof messageId !== 'string') return;
    if (senders.size >= MAX_SENDERS) {
      const oldest = senders.keys().next().value;
      if (oldest !== undefined) senders.delete(oldest);
    }
    senders.set(messageId, sender);
  };
  app.addHook('preSerialization', async (request, _reply, payload) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!payload || typeof payload !== 'object') return payload;
    const body = payload as {
      MessageId?: unknown;
      Successful?: Array<{ MessageId?: unknown }>;
      Messages?: Array<{ MessageId?: string; Attributes?: Record<string, string> }>;
    };
    if (target === 'AmazonSQS.SendMessage' || target === 'AmazonSQS.SendMessageBatch') {
      const keyId = /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
      const sender = keyId ?? 'anonymous';
      remember(body.MessageId, sender);
      for (const entry of body.Successful ?? []) remember(entry.MessageId, sender);
    } else if (target === 'AmazonSQS.ReceiveMessage') {
      for (const m of body.Messages ?? []) {
        const sender = m.MessageId ? senders.get(m.MessageId) : undefined;
        if (sender && m.Attributes?.SenderId !== undefined) m.Attributes.SenderId = sender;
      }
    }
    return payload;
  });
};

const startSqs = async (
  region: string,
  port: number,
  hint?: string,
): Promise<RunningEmulator & { close(): Promise<void> }> => {
  const sqsStore = await fauxqsStoreWithRequestHost(region);
  const app = buildApp({
    logger: false,
    defaultRegion: region,
    // fauxqs' store types are not exported from its entry point; it fills in the other stores itself.
    stores: { sqsStore } as unknown as NonNullable<Parameters<typeof buildApp>[0]>['stores'],
  }) as unknown as FastifyLike;
  senderIds(app);
  try {
    await app.listen({ port, host: LOCAL_HOST });
  } catch (error) {
    await app.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError('SQS (fauxqs)', port, hint);
    throw error;
  }
  const bound = (app.server.address() as AddressInfo).port;
  return { url: `http://${LOCAL_HOST}:${bound}`, port: bound, close: () => app.close() };
};

export interface StartEmulatorsOptions {
  readonly region?: string;
  /**
   * A DynamoDB emulator already running elsewhere (e.g. dynalite in a process of its own, so its work does
   * not share an event loop with the LRS simulator): used instead of starting one here.
   */
  readonly dynamodb?: RunningEmulator;
  readonly ports?: EmulatorPorts;
  /** Added to a port-in-use error, e.g. which env var changes the port. */
  readonly portHints?: {
    readonly dynamodb?: string;
    readonly sqs?: string;
    readonly secretsManager?: string;
  };
}

/** dynalite on 127.0.0.1, its tables ACTIVE at once (it keeps them CREATING for 500 ms by default). */
export const startDynalite = async (
  port: number,
  hint?: string,
): Promise<RunningEmulator & { close(): Promise<void> }> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const bound = await listenLocal(server, port, 'DynamoDB (dynalite)', hint);
  return { url: `http://${LOCAL_HOST}:${bound}`, port: bound, close: () => closeServer(server) };
};

const startDynamodb = async (
  port: number,
  hints: StartEmulatorsOptions['portHints'],
  closers: Array<() => Promise<void>>,
): Promise<RunningEmulator> => {
  const { close, ...running } = await startDynalite(port, hints?.dynamodb);
  closers.push(close);
  return running;
};

export const startEmulators = async (options: StartEmulatorsOptions = {}): Promise<Emulators> => {
  const region = options.region ?? DEFAULT_REGION;
  const ports = options.ports ?? {};
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const close of closers.splice(0).reverse()) {
      await close().catch((e: unknown) => errors.push(e));
    }
    if (errors.length > 0) throw errors[0];
  };
  try {
    const dynamodb =
      options.dynamodb ?? (await startDynamodb(ports.dynamodb ?? 0, options.portHints, closers));

    const sqs = await startSqs(region, ports.sqs ?? 0, options.portHints?.sqs);
    closers.push(sqs.close);

    const sm = createSecretsManagerServer(region);
    const smPort = await listenLocal(
      sm.server,
      ports.secretsManager ?? 0,
      'Secrets Manager emulator',
      options.portHints?.secretsManager,
    );
    closers.push(() => closeServer(sm.server));

    const secretsManager = { url: `http://${LOCAL_HOST}:${smPort}`, port: smPort, store: sm.store };
    return {
      region,
      dynamodb,
      sqs: { url: sqs.url, port: sqs.port },
      secretsManager,
      awsEnv: {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: LOCAL_GATEWAY_SENDER_ID,
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
        AWS_ENDPOINT_URL_SQS: sqs.url,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
};
