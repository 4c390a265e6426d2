/**
 * Settings of `npm start` read from the environment (see local/README.md), kept apart from local/start.ts so
 * tests can use them without starting anything.
 */

export const LOCAL_STAGE = 'local';
/** Printed once everything listens; the start-up test waits for it. */
export const READY_MARKER = 'lrs-gateway local runtime is ready';
/** The local caller's OAuth client secret at the local token endpoint (a local-only, published value). */
export const DEFAULT_LOCAL_CLIENT_SECRET = 'local-dev-secret';

export const PORTS = {
  api: { variable: 'LOCAL_API_PORT', fallback: 3000 },
  token: { variable: 'LOCAL_TOKEN_PORT', fallback: 3001 },
  simulator: { variable: 'LOCAL_SIMULATOR_PORT', fallback: 8443 },
  dynamodb: { variable: 'LOCAL_DYNAMODB_PORT', fallback: 8000 },
  sqs: { variable: 'LOCAL_SQS_PORT', fallback: 9324 },
  secretsManager: { variable: 'LOCAL_SECRETS_MANAGER_PORT', fallback: 4584 },
} as const;
export type PortName = keyof typeof PORTS;

/** A bad setting: the message names the variable and its rule, never its value. */
export class StartupError extends Error {}

export const readPorts = (env: NodeJS.ProcessEnv): Record<PortName, number> => {
  const problems: string[] = [];
  const ports = Object.fromEntries(
    (Object.keys(PORTS) as PortName[]).map((name) => {
      const { variable, fallback } = PORTS[name];
      const raw = env[variable];
      if (raw === undefined || raw === '') return [name, fallback];
      const port = Number(raw);
      if (!/^[0-9]+$/.test(raw) || port > 65_535) {
        problems.push(`${variable} must be a port number from 0 to 65535 (0 = any free port)`);
      }
      return [name, port];
    }),
  ) as Record<PortName, number>;
  if (problems.length > 0) throw new StartupError(problems.join('\n'));
  return ports;
};

export const readClientSecret = (env: NodeJS.ProcessEnv): string => {
  const secret = env.LOCAL_CLIENT_SECRET ?? DEFAULT_LOCAL_CLIENT_SECRET;
  if (!/^[\x21-\x7e]{8,128}$/.test(secret)) {
    throw new StartupError('LOCAL_CLIENT_SECRET must be 8-128 printable characters without spaces');
  }
  return secret;
};
