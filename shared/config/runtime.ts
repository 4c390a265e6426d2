/**
 * Runtime configuration of the operation and platform functions: read from the environment once per
 * cold start and checked with zod, so a wrong deployment fails at init with a ConfigurationError that
 * names every bad variable (never its value: table names and queue URLs are not secret, but the habit
 * keeps secrets out of logs if one is ever misplaced in an env var).
 */
import * as z from 'zod';
import { ConfigurationError } from '../domain/errors.js';
import { OPERATION_IDS, type OperationId } from '../lrs/contract/operations.js';
import { parseServiceHours, type ServiceHours } from '../lrs/contract/service-hours.js';
import { DEFAULT_DATA_TTL_DAYS, ENV } from './names.js';
import { LRS_TIMEOUT_MS } from './resources.js';

export interface RuntimeConfig {
  readonly stage: string;
  readonly tableName: string;
  readonly lrsEndpoint: string;
  readonly lrsTimeoutMs: number;
  readonly orgSecretPrefix: string;
  /** The organisation and caller registry table. */
  readonly registryTableName: string;
  /** How long a warm function reuses a registry read. */
  readonly registryCacheSeconds: number;
  /** SQS sender ids of the gateway's own roles (trusted to name the caller of a message). */
  readonly trustedSenderIds: readonly string[];
  readonly operationQueueUrls: Readonly<Partial<Record<OperationId, string>>>;
  readonly dataTtlDays: number;
  /** Undefined: the adapter's documented default. */
  readonly lrsServiceHours?: ServiceHours;
  /** Undefined: the adapter's documented default (8 MiB). */
  readonly lrsMaxResponseBytes?: number;
}

const jsonText = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** An organisation id: a UKPRN (8 letters/digits) or an LRS organisation reference (6 letters/digits). */
export const ORGANISATION_ID_PATTERN = /^([0-9A-Za-z]{8}|[0-9A-Za-z]{6})$/;

/** A comma-separated list in one variable, blanks dropped. */
export const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const senderIdsSchema = commaList.pipe(
  z.array(
    z.string().regex(/^[A-Za-z0-9:._@+=,/-]{1,256}$/, 'must be comma-separated IAM principal or role ids'),
  ),
);

const operationQueueUrlsSchema = z.partialRecord(z.enum(OPERATION_IDS), z.url());

const positiveInt = z.coerce.number().int().positive();

/** Schema of the functions' environment (names from shared/config/names.ts). */
export const runtimeEnvSchema = z.object({
  [ENV.stage]: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a short lower-case stage name'),
  [ENV.tableName]: z.string().min(3).max(255),
  [ENV.lrsEndpoint]: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  [ENV.lrsTimeoutMs]: positiveInt.max(300_000).default(LRS_TIMEOUT_MS),
  [ENV.orgSecretPrefix]: z.string().min(1),
  [ENV.registryTableName]: z.string().min(3).max(255),
  [ENV.registryCacheSeconds]: z.coerce.number().int().min(0).max(3600).default(30),
  [ENV.trustedSenderIds]: senderIdsSchema.optional(),
  [ENV.operationQueueUrls]: jsonText(operationQueueUrlsSchema).optional(),
  [ENV.dataTtlDays]: positiveInt.max(3650).default(DEFAULT_DATA_TTL_DAYS),
  [ENV.lrsServiceHours]: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseServiceHours(text);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  [ENV.lrsMaxResponseBytes]: positiveInt
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .optional(),
});

/**
 * Reads the schema's variables from env (an empty string counts as unset) and parses them,
 * throwing a ConfigurationError that lists each variable and its rule.
 */
const parseEnv = <S extends z.ZodObject<z.ZodRawShape>>(schema: S, env: NodeJS.ProcessEnv): z.output<S> => {
  const input = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ConfigurationError(`Invalid function configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
};

/** What a variable the schema leaves unset stands for, where that is not `undefined`. */
const UNSET: Partial<RuntimeConfig> = { trustedSenderIds: [], operationQueueUrls: {} };

/** Reads and checks just the variables of `keys`: a function is not failed for one it never reads. */
const loadConfig = <K extends keyof RuntimeConfig>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv,
): Pick<RuntimeConfig, K> => {
  const shape: Record<string, z.ZodType> = runtimeEnvSchema.shape;
  const subset = z.object(Object.fromEntries(keys.map((k) => [ENV[k], shape[ENV[k]] as z.ZodType])));
  const e: Record<string, unknown> = parseEnv(subset, env);
  return Object.fromEntries(keys.map((k) => [k, e[ENV[k]] ?? UNSET[k]])) as Pick<RuntimeConfig, K>;
};

/** Every field of RuntimeConfig: the ENV names whose variable the schema reads. */
const RUNTIME_KEYS = (Object.keys(ENV) as (keyof typeof ENV)[]).filter(
  (k): k is keyof RuntimeConfig & keyof typeof ENV => ENV[k] in runtimeEnvSchema.shape,
);

/**
 * Parses the environment once. Throws a ConfigurationError listing each variable and its rule.
 * Accepts empty strings as "unset" so that a CDK `environment` entry of '' falls back to the default.
 */
export const loadRuntimeConfig = (env: NodeJS.ProcessEnv = process.env): RuntimeConfig =>
  loadConfig(RUNTIME_KEYS, env);

/** Just what the requests function needs (it never calls the LRS). */
export const loadReadConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(['stage', 'tableName', 'registryTableName', 'registryCacheSeconds', 'dataTtlDays'], env);

/** What the authorizer and the certificate check need: the registry table. */
export const loadRegistryConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(['registryTableName', 'registryCacheSeconds'], env);
