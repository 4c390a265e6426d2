/**
 * Counts the AWS requests a function makes, for the cost model: a loopback HTTP hop in front of each
 * emulator (DynamoDB, SQS, Secrets Manager) that tallies every request by service and action and passes it
 * on unchanged. DynamoDB requests are also asked for their consumed capacity (`ReturnConsumedCapacity:
 * TOTAL` added to the body; the emulator computes it from the item sizes, as DynamoDB bills them: write
 * units per started KiB of the larger of the old and new item, read units per 4 KiB, halved for eventually
 * consistent reads), so the bill counts write and read units, not just calls. The answer travels back
 * untouched (its CRC32 header stays valid); the emulators do not check request signatures.
 */
import { createServer, request, type Server } from 'node:http';

export type AwsService = 'dynamodb' | 'sqs' | 'secretsManager';

export interface AwsCounts {
  /** `<service>.<Action>` -> requests. */
  readonly requests: Record<string, number>;
  /** DynamoDB capacity units by action. */
  readonly capacity: Record<string, number>;
}

export interface AwsMeter {
  /** The AWS_ENDPOINT_URL_* variables pointing a function's SDK clients at the meter. */
  readonly env: Readonly<Record<string, string>>;
  snapshot(): AwsCounts;
  reset(): void;
  close(): Promise<void>;
}

const ENV_OF: Record<AwsService, string> = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  secretsManager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

const actionOf = (target: string | undefined, body: string): string => {
  if (target) return target.split('.').pop() ?? target;
  return /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1] ?? 'unknown';
};

const capacityOf = (answer: string): number => {
  try {
    const parsed = JSON.parse(answer) as {
      ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
    };
    const cc = parsed.ConsumedCapacity;
    const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
    return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  } catch {
    return 0;
  }
};

export const startAwsMeter = async (targets: Readonly<Record<AwsService, string>>): Promise<AwsMeter> => {
  let requests: Record<string, number> = {};
  let capacity: Record<string, number> = {};
  const servers: Server[] = [];
  const env: Record<string, string> = {};
  for (const service of Object.keys(targets) as AwsService[]) {
    const upstream = new URL(targets[service]);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const target = req.headers['x-amz-target'];
        const action = actionOf(typeof target === 'string' ? target : undefined, text);
        const key = `${service}.${action}`;
        requests[key] = (requests[key] ?? 0) + 1;
        const measure = service === 'dynamodb' && text.startsWith('{');
        if (measure) {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          if (parsed.ReturnConsumedCapacity === undefined) parsed.ReturnConsumedCapacity = 'TOTAL';
          body = Buffer.from(JSON.stringify(parsed));
        }
        const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
        const out = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            const back: Buffer[] = [];
            answer.on('data', (c: Buffer) => {
              back.push(c);
              res.write(c);
            });
            answer.on('end', () => {
              res.end();
              if (measure) {
                capacity[action] = (capacity[action] ?? 0) + capacityOf(Buffer.concat(back).toString('utf8'));
              }
            });
          },
        );
        out.on('error', () => res.destroy());
        out.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    env[ENV_OF[service]] = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    servers.push(server);
  }
  return {
    env,
    snapshot: () => ({ requests: { ...requests }, capacity: { ...capacity } }),
    reset: () => {
      requests = {};
      capacity = {};
    },
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
};
