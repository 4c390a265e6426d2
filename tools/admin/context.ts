/**
 * What every admin command shares: the parsed command line, the stage, and SDK clients made with the
 * operator's own AWS credentials (the SDK's default chain), or aimed at the local emulators with
 * `--local` (the ports `npm start` uses) or `--dynamodb-endpoint` / `--secrets-endpoint` /
 * `--cognito-endpoint`.
 */
import type { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbRegistry } from '../../shared/adapters/dynamodb-registry.js';
import { DEFAULT_TOKEN_SCOPE_PREFIX, orgSecretPrefix, registryTableName } from '../../shared/config/names.js';
import { ORGANISATION_ID_PATTERN } from '../../shared/config/runtime.js';
import type { RegistryStatus } from '../../shared/ports/registry.js';

export const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  local: { type: 'boolean' },
  'dynamodb-endpoint': { type: 'string' },
  'secrets-endpoint': { type: 'string' },
  'cognito-endpoint': { type: 'string' },
  'registry-table': { type: 'string' },
  'user-pool-id': { type: 'string' },
  'scope-prefix': { type: 'string' },
  'lrs-endpoint': { type: 'string' },
  pfx: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'key-passphrase-env': { type: 'string' },
  'org-password-env': { type: 'string' },
  'user-name': { type: 'string' },
  'vendor-id': { type: 'string' },
  ukprn: { type: 'string' },
  'org-ref': { type: 'string' },
  'server-ca': { type: 'string' },
  'kms-key-id': { type: 'string' },
  'secret-reader-arn': { type: 'string' },
  'keep-secret': { type: 'boolean' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  'queue-sender': { type: 'string', multiple: true },
  'read-all': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** A mistake in the command line or its inputs: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** The `npm start` ports of the emulators. */
const LOCAL = {
  dynamodb: 'http://127.0.0.1:8000',
  secrets: 'http://127.0.0.1:4584',
  lrs: 'https://127.0.0.1:8443',
};

export interface AdminContext {
  readonly stage: string;
  readonly local: boolean;
  readonly values: Values;
  readonly io: Io;
  readonly registry: DynamoDbRegistry;
  readonly secrets: SecretsManagerClient;
  readonly secretsEndpoint?: string;
  readonly cognito: () => CognitoIdentityProviderClient;
  readonly secretPrefix: string;
  readonly scopePrefix: string;
  readonly userPoolId?: string;
  readonly lrsEndpoint?: string;
  close(): void;
}

export const createContext = (values: Values, io: Io): AdminContext => {
  const local = values.local === true;
  const stage = values.stage ?? io.env.STAGE ?? (local ? 'local' : undefined);
  if (!stage || !/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new UsageError('--stage (or STAGE) must name the stage, e.g. dev, test or live');
  }
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'eu-west-2';
  const localCredentials = local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const dynamodbEndpoint = values['dynamodb-endpoint'] ?? (local ? LOCAL.dynamodb : undefined);
  const secretsEndpoint = values['secrets-endpoint'] ?? (local ? LOCAL.secrets : undefined);
  const dynamodb = new DynamoDBClient({
    region,
    ...localCredentials,
    ...(dynamodbEndpoint ? { endpoint: dynamodbEndpoint } : {}),
  });
  const secrets = new SecretsManagerClient({
    region,
    ...localCredentials,
    ...(secretsEndpoint ? { endpoint: secretsEndpoint } : {}),
  });
  let cognito: CognitoIdentityProviderClient | undefined;
  const userPoolId = values['user-pool-id'] ?? io.env.COGNITO_USER_POOL_ID;
  const lrsEndpoint = values['lrs-endpoint'] ?? io.env.LRS_ENDPOINT ?? (local ? LOCAL.lrs : undefined);
  return {
    stage,
    local,
    values,
    io,
    registry: new DynamoDbRegistry({
      tableName: values['registry-table'] ?? registryTableName(stage),
      client: dynamodb,
    }),
    secrets,
    ...(secretsEndpoint ? { secretsEndpoint } : {}),
    cognito: () => {
      cognito ??= new CognitoIdentityProviderClient({
        region,
        ...(values['cognito-endpoint'] ? { endpoint: values['cognito-endpoint'] } : {}),
      });
      return cognito;
    },
    secretPrefix: orgSecretPrefix(stage),
    scopePrefix: values['scope-prefix'] ?? io.env.TOKEN_SCOPE_PREFIX ?? DEFAULT_TOKEN_SCOPE_PREFIX,
    ...(userPoolId ? { userPoolId } : {}),
    ...(lrsEndpoint ? { lrsEndpoint } : {}),
    close: () => {
      dynamodb.destroy();
      secrets.destroy();
      cognito?.destroy();
    },
  };
};

/** The value of the environment variable an option names (secrets never travel on the command line). */
export const secretFromEnv = (ctx: AdminContext, option: keyof Values, what: string): string | undefined => {
  const name = ctx.values[option];
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--${String(option)} must name an environment variable that holds the ${what}`);
  }
  const value = ctx.io.env[name];
  if (value === undefined || value === '') {
    throw new UsageError(
      `The environment variable ${name} (--${String(option)}) is not set: it must hold the ${what}`,
    );
  }
  return value;
};

export const organisationArg = (id: string | undefined): string => {
  if (!id || !ORGANISATION_ID_PATTERN.test(id)) {
    throw new UsageError(
      'Name the organisation: a UKPRN (8 letters/digits) or an organisation reference (6)',
    );
  }
  return id;
};

/** A registry record that `suspend` and `resume` act on: organisations and callers. */
export interface StatusTarget {
  /** How messages name it: `Organisation`, `Caller`. */
  readonly noun: string;
  /** The id from the command line, checked. */
  readonly parse: (id: string | undefined) => string;
  /** Writes the change; false when there is no such record. */
  readonly update: (
    registry: DynamoDbRegistry,
    id: string,
    changes: { status: RegistryStatus; updatedAt: string },
  ) => Promise<boolean>;
  /** What being suspended means for the gateway's callers, said after the noun and id. */
  readonly suspended: string;
}

/** `<org|caller> suspend|resume <id>`: the record's new status, and what it now means. */
export const setStatus = async (
  ctx: AdminContext,
  target: StatusTarget,
  id: string | undefined,
  status: RegistryStatus,
): Promise<void> => {
  const key = target.parse(id);
  const ok = await target.update(ctx.registry, key, { status, updatedAt: new Date().toISOString() });
  if (!ok) throw new UsageError(`${target.noun} ${key} is not registered`);
  ctx.io.out(`${target.noun} ${key} ${status === 'suspended' ? target.suspended : 'active again'}`);
};
