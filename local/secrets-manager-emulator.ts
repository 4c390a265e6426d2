/**
 * A small in-memory Secrets Manager emulator speaking the AWS JSON 1.1 protocol, enough for the
 * real `@aws-sdk/client-secrets-manager` (and so the deployed credentials adapter) to run unchanged
 * against it: CreateSecret, PutSecretValue, GetSecretValue, DescribeSecret, ListSecrets, UpdateSecret,
 * DeleteSecret. Errors use the AWS shapes (`__type` + `message`, HTTP 400), e.g.
 * ResourceNotFoundException. It never logs: secret values are never written anywhere but memory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

const ACCOUNT_ID = '000000000000';
const MAX_BODY_BYTES = 1024 * 1024;

interface SecretVersion {
  readonly versionId: string;
  readonly secretString?: string;
  readonly secretBinary?: string;
  readonly createdDate: number;
  stages: string[];
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  readonly createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
  /** The resource policy document (JSON), as PutResourcePolicy stored it. */
  resourcePolicy?: string;
  readonly versions: Map<string, SecretVersion>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const nowSeconds = (): number => Date.now() / 1000;

export interface SecretsManagerEmulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Names of the stored secrets (never their values), for tests and start-up output. */
  secretNames(): string[];
  close(): Promise<void>;
}

export class SecretsStore {
  private readonly byName = new Map<string, StoredSecret>();

  constructor(private readonly region: string) {}

  names(): string[] {
    return [...this.byName.values()].filter((s) => s.deletedDate === undefined).map((s) => s.name);
  }

  private find(secretId: unknown): StoredSecret {
    if (typeof secretId !== 'string' || secretId.length === 0) {
      throw new AwsError('InvalidParameterException', 'SecretId is required and must be a string');
    }
    const secret = this.byName.get(secretId) ?? [...this.byName.values()].find((s) => s.arn === secretId);
    if (!secret) {
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return secret;
  }

  private findLive(secretId: unknown): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletedDate !== undefined) {
      throw new AwsError(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  private addVersion(secret: StoredSecret, input: Record<string, unknown>): SecretVersion {
    const { SecretString, SecretBinary, ClientRequestToken } = input;
    if (SecretString !== undefined && typeof SecretString !== 'string') {
      throw new AwsError('InvalidParameterException', 'SecretString must be a string');
    }
    if (SecretBinary !== undefined && typeof SecretBinary !== 'string') {
      throw new AwsError('InvalidParameterException', 'SecretBinary must be base64 text');
    }
    if ((SecretString === undefined) === (SecretBinary === undefined)) {
      throw new AwsError(
        'InvalidParameterException',
        'You must provide either SecretString or SecretBinary, but not both.',
      );
    }
    const versionId = typeof ClientRequestToken === 'string' ? ClientRequestToken : randomUUID();
    const existing = secret.versions.get(versionId);
    if (existing) return existing;
    for (const v of secret.versions.values()) {
      if (v.stages.includes('AWSPREVIOUS')) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = ['AWSPREVIOUS'];
    }
    for (const [id, v] of secret.versions) if (v.stages.length === 0) secret.versions.delete(id);
    const version: SecretVersion = {
      versionId,
      ...(SecretString !== undefined ? { secretString: SecretString } : {}),
      ...(SecretBinary !== undefined ? { secretBinary: SecretBinary } : {}),
      createdDate: nowSeconds(),
      stages: ['AWSCURRENT'],
    };
    secret.versions.set(versionId, version);
    secret.lastChangedDate = version.createdDate;
    return version;
  }

  private describe(secret: StoredSecret): Record<string, unknown> {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      ...(secret.deletedDate !== undefined ? { DeletedDate: secret.deletedDate } : {}),
      VersionIdsToStages: Object.fromEntries(
        [...secret.versions.values()].map((v) => [v.versionId, v.stages]),
      ),
    };
  }

  handle(action: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (action) {
      case 'CreateSecret': {
        const { Name, Description } = input;
        if (typeof Name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(Name)) {
          throw new AwsError(
            'InvalidParameterException',
            'Name must be 1-512 characters of letters, digits and /_+=.@-',
          );
        }
        if (this.byName.has(Name)) {
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${Name} already exists.`,
          );
        }
        const created = nowSeconds();
        const secret: StoredSecret = {
          arn: `arn:aws:secretsmanager:${this.region}:${ACCOUNT_ID}:secret:${Name}-${randomBytes(3).toString('hex')}`,
          name: Name,
          ...(typeof Description === 'string' ? { description: Description } : {}),
          createdDate: created,
          lastChangedDate: created,
          versions: new Map(),
        };
        this.byName.set(Name, secret);
        const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
        const version = hasValue ? this.addVersion(secret, input) : undefined;
        return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
      }
      case 'PutSecretValue': {
        const secret = this.findLive(input.SecretId);
        const version = this.addVersion(secret, input);
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          VersionStages: version.stages,
        };
      }
      case 'UpdateSecret': {
        const secret = this.findLive(input.SecretId);
        if (typeof input.Description === 'string') secret.description = input.Description;
        const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
        const version = hasValue ? this.addVersion(secret, input) : undefined;
        return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
      }
      case 'GetSecretValue': {
        const secret = this.findLive(input.SecretId);
        const { VersionId, VersionStage } = input;
        const stage = typeof VersionStage === 'string' ? VersionStage : 'AWSCURRENT';
        const version =
          typeof VersionId === 'string'
            ? secret.versions.get(VersionId)
            : [...secret.versions.values()].find((v) => v.stages.includes(stage));
        if (!version) {
          throw new AwsError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for the requested version or staging label.",
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
          ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
          VersionStages: version.stages,
          CreatedDate: version.createdDate,
        };
      }
      case 'DescribeSecret':
        return this.describe(this.find(input.SecretId));
      case 'ListSecrets':
        return {
          SecretList: [...this.byName.values()]
            .filter((s) => s.deletedDate === undefined)
            .map((s) => this.describe(s)),
        };
      case 'PutResourcePolicy': {
        const secret = this.findLive(input.SecretId);
        const policy = input.ResourcePolicy;
        if (typeof policy !== 'string') {
          throw new AwsError('InvalidParameterException', 'ResourcePolicy must be a JSON policy document');
        }
        try {
          JSON.parse(policy);
        } catch {
          throw new AwsError('MalformedPolicyDocumentException', 'ResourcePolicy is not valid JSON');
        }
        secret.resourcePolicy = policy;
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'GetResourcePolicy': {
        const secret = this.find(input.SecretId);
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.resourcePolicy !== undefined ? { ResourcePolicy: secret.resourcePolicy } : {}),
        };
      }
      case 'RestoreSecret': {
        const secret = this.find(input.SecretId);
        delete secret.deletedDate;
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'DeleteSecret': {
        const secret = this.find(input.SecretId);
        if (input.ForceDeleteWithoutRecovery === true) {
          this.byName.delete(secret.name);
        } else {
          secret.deletedDate = nowSeconds();
        }
        return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletedDate ?? nowSeconds() };
      }
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${action} is not supported by the local emulator`,
        );
    }
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsError('InvalidRequestException', 'Request body too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
};

/** Creates the request listener (exported for tests that want to mount it elsewhere). */
export const secretsManagerListener =
  (store: SecretsStore) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith('secretsmanager.')) {
        throw new AwsError(
          'UnknownOperationException',
          'Expected POST with X-Amz-Target: secretsmanager.<Action>',
        );
      }
      const text = await readBody(req);
      let input: unknown;
      try {
        input = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        throw new AwsError('SerializationException', 'Request body is not valid JSON');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new AwsError('SerializationException', 'Request body must be a JSON object');
      }
      send(res, 200, store.handle(target.slice('secretsmanager.'.length), input as Record<string, unknown>));
    } catch (error) {
      const e =
        error instanceof AwsError
          ? error
          : new AwsError('InternalServiceError', 'Internal error in the local Secrets Manager emulator', 500);
      send(res, e.status, { __type: e.type, message: e.message }, e.type);
    }
  };

export const createSecretsManagerServer = (region: string): { server: Server; store: SecretsStore } => {
  const store = new SecretsStore(region);
  const listener = secretsManagerListener(store);
  const server = createServer((req, res) => {
    void listener(req, res);
  });
  return { server, store };
};
