/**
 * `npm start`: the whole gateway on this machine, offline. Starts the LRS simulator (mutual TLS), the
 * DynamoDB / SQS / Secrets Manager emulators, creates the deployed resources on them, seeds the
 * organisation secrets, and serves the API (API Gateway stand-in) and the queue pollers (SQS event source
 * stand-in) with the real function code. Ctrl-C stops everything. See local/README.md.
 *
 * Environment (all optional): LOCAL_API_PORT (3000), LOCAL_TOKEN_PORT (3001), LOCAL_SIMULATOR_PORT (8443),
 * LOCAL_DYNAMODB_PORT (8000), LOCAL_SQS_PORT (9324), LOCAL_SECRETS_MANAGER_PORT (4584), LOCAL_CLIENT_SECRET
 * (local-dev-secret, the local caller's OAuth client secret).
 */
import { join, relative } from 'node:path';
import { CLIENT_PFX_PASSPHRASE, ensureCertificates } from '../simulator/certs.js';
import { exampleRequests, toCurl, tokenCurl } from './examples.js';
import { REPO_ROOT } from './lambda.js';
import { defaultCallers, LOCAL_CALLER_ID, type LocalRuntime, startLocalRuntime } from './runtime.js';
import {
  LOCAL_STAGE,
  PORTS,
  type PortName,
  READY_MARKER,
  readClientSecret,
  readPorts,
} from './start-config.js';

const time = (): string => new Date().toISOString().slice(11, 23);

const banner = (rt: LocalRuntime, certDir: string, clientSecret: string, startedAt: number): string => {
  const rel = (file: string) => relative(process.cwd(), join(certDir, file)) || join(certDir, file);
  const api = rt.api?.url ?? '(not started)';
  const org = rt.organisations[0]?.organisationId ?? 'TEST0001';
  const examples = exampleRequests()
    .map((e) => `  # ${e.title}\n  #   expect: ${e.expect}\n  ${toCurl(e, api, '$TOKEN', org)}`)
    .join('\n\n');
  return [
    '',
    `lrs-gateway local runtime (stage "${rt.stage}")`,
    `  API              ${api}    header authorization: Bearer <access token>`,
    `  token endpoint   ${rt.tokenIssuer.tokenEndpoint}  (client credentials; client ${LOCAL_CALLER_ID}, secret ${clientSecret}; JWKS ${rt.tokenIssuer.jwksUri})`,
    `  organisations    ${rt.organisations.map((o) => o.organisationId).join(', ')}    header x-lrs-organisation (the caller may act for all)`,
    `  LRS simulator    ${rt.simulator.url}  (mutual TLS; admin: POST ${rt.simulator.url}/__admin/conditions, /__admin/reset)`,
    `  certificates     CA ${rel('ca.crt')}, client ${rel('client.crt')} + ${rel('client.key')}, PFX ${rel('client.pfx')} (passphrase ${CLIENT_PFX_PASSPHRASE})`,
    `  DynamoDB         ${rt.emulators.dynamodb.url}  table ${rt.resources.tableName} (dynalite, in memory)`,
    `  SQS              ${rt.emulators.sqs.url}  ${Object.keys(rt.resources.queueUrls).length} operation queues + DLQs (fauxqs, in memory)`,
    `  Secrets Manager  ${rt.emulators.secretsManager.url}  ${rt.resources.secretNames.length} organisation secrets (in memory)`,
    '',
    'Get a token (valid for an hour), then try (more in local/README.md):',
    '',
    `  ${tokenCurl(rt.tokenIssuer.tokenEndpoint, LOCAL_CALLER_ID, clientSecret)}`,
    '',
    examples,
    '',
    `${READY_MARKER} (${Date.now() - startedAt} ms, pid ${process.pid}). Ctrl-C (or kill -INT ${process.pid}) to stop.`,
    '',
  ].join('\n');
};

const main = async (): Promise<void> => {
  const startedAt = Date.now();
  // Node 20 is supported here until the SDK pins move; the functions run on Node 22 in AWS.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ports = readPorts(process.env);
  const clientSecret = readClientSecret(process.env);
  const certDir = join(REPO_ROOT, '.local', 'certs');
  const certificates = ensureCertificates(certDir);
  const hint = (name: PortName) => `Stop whatever holds it, or set ${PORTS[name].variable} to another port.`;

  const runtime = await startLocalRuntime({
    stage: LOCAL_STAGE,
    certificates,
    ports,
    portHints: {
      api: hint('api'),
      token: hint('token'),
      simulator: hint('simulator'),
      dynamodb: hint('dynamodb'),
      sqs: hint('sqs'),
      secretsManager: hint('secretsManager'),
    },
    callers: defaultCallers(clientSecret),
    // A suspension or a new grant takes effect within this many seconds.
    registryCacheSeconds: 5,
    // Exercise both certificate forms the functions accept: PEM for the first organisation, PFX for the next.
    certificateFormat: 'alternate',
    log: (line) => process.stderr.write(`${time()} ${line}\n`),
  });
  process.stdout.write(banner(runtime, certDir, clientSecret, startedAt));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the local runtime…\n`);
    const watchdog = setTimeout(() => {
      process.stderr.write('Stopping took more than 10 s: exiting anyway.\n');
      process.exit(1);
    }, 10_000);
    watchdog.unref();
    runtime.stop().then(
      () => {
        process.stderr.write('Stopped.\n');
        // Keep-alive sockets inside the function modules' SDK clients may still hold the event loop.
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(
          `Error while stopping: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lrs-gateway local runtime failed to start:\n${message}\n`);
  process.exit(1);
});
