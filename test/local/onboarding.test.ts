/**
 * Onboarding at run time, with no restart: the operator CLI (tools/admin) against the local emulators
 * adds an organisation from a PFX made now with openssl, a caller gets it granted and calls the API for
 * it, the certificate is rotated (the functions follow within the registry cache window), `doctor`
 * explains a refused certificate, a wrong password and out of hours, the organisation is suspended (403),
 * resumed and removed. The certificate checks refuse a legacy PFX (naming the openssl fix) and a key that
 * is not the certificate's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCaller } from '../../local/resources.js';
import { clientCredentialsToken } from '../../local/token-client.js';
import { DynamoDbRegistry } from '../../shared/adapters/dynamodb-registry.js';
import { issue } from '../../simulator/certs.js';
import { notableLearner } from '../../simulator/seed.js';
import { runAdmin } from '../../tools/admin/main.js';
import { testCertificates } from '../certs.js';
import { findByUlnBody } from '../support/learner-requests.js';
import { type LocalStack, startLocalStack } from '../support/local-stack.js';

const ORG = 'TEST0002';
const MIS: LocalCaller = { clientId: 'mis-onboard', clientSecret: 'onboard-secret-1', organisations: ['*'] };
const exact = notableLearner('exact');
const findBody = findByUlnBody(exact);

let stack: LocalStack;
let dir: string;
let registry: DynamoDbRegistry;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PFX_PASS: 'onboarding-pfx-pass',
  ORG_PASS: 'SimulatorPass002',
  WRONG_PASS: 'NotTheRightOne16',
};

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', env });

/** A client key and certificate signed by the CA the simulator trusts, and a PFX (AES) of them. */
const makeClient = (name: string, ca: string): void => {
  issue(dir, ca, name, `/CN=${name}/O=Onboarding College`, 'extendedKeyUsage=clientAuth\n');
  openssl(
    'pkcs12',
    '-export',
    '-inkey',
    `${name}.key`,
    '-in',
    `${name}.crt`,
    '-out',
    `${name}.pfx`,
    '-passout',
    'env:PFX_PASS',
  );
};

const admin = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(
    [
      ...args,
      '--local',
      '--stage',
      stack.stage,
      '--dynamodb-endpoint',
      stack.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
      '--secrets-endpoint',
      stack.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? '',
      '--lrs-endpoint',
      stack.simulator.url,
    ],
    { out: (l) => out.push(l), err: (l) => err.push(l), env },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const call = (token = stack.token) =>
  fetch(`${stack.apiUrl}/v1/learners/find-by-uln`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-lrs-organisation': ORG,
    },
    body: JSON.stringify(findBody),
  });

/** Past the functions' registry cache window (1 s in this stack). */
const afterCacheWindow = () => new Promise((r) => setTimeout(r, 1300));

beforeAll(async () => {
  stack = await startLocalStack({
    pollers: false,
    organisations: ['TEST0001'],
    callers: [MIS],
    registryCacheSeconds: 1,
  });
  registry = new DynamoDbRegistry({ tableName: stack.registryTableName, client: stack.dynamoClient });
  dir = mkdtempSync(join(tmpdir(), 'lrs-onboarding-'));
  const set = testCertificates();
  for (const [from, to] of [
    ['ca.crt', 'ca.crt'],
    ['ca.key', 'ca.key'],
    ['rogue-ca.crt', 'rogue.crt'],
    ['rogue-ca.key', 'rogue.key'],
  ] as const) {
    writeFileSync(join(dir, to), readFileSync(join(set.dir, from)));
  }
  makeClient('first', 'ca');
  makeClient('second', 'ca');
  makeClient('stranger', 'rogue');
  // The same certificate, exported with the legacy encryption older Windows tools produce.
  openssl(
    'pkcs12',
    '-export',
    '-legacy',
    '-inkey',
    'first.key',
    '-in',
    'first.crt',
    '-out',
    'legacy.pfx',
    '-passout',
    'env:PFX_PASS',
  );
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pfxArgs = (file: string, passphraseEnv = 'PFX_PASS') => [
  '--pfx',
  join(dir, file),
  '--passphrase-env',
  passphraseEnv,
];
const lrsArgs = () => [
  '--org-password-env',
  'ORG_PASS',
  '--user-name',
  'sim.user2',
  '--vendor-id',
  '2',
  // The simulator's server certificate is signed by the test CA (a test environment's serverCa).
  '--server-ca',
  join(dir, 'ca.crt'),
];

describe('onboarding an organisation at run time', () => {
  it('is refused for the organisation before it is added (the gateway does not know it)', async () => {
    const res = await call();
    expect(res.status).toBe(403);
  });

  it('refuses a legacy PFX with the openssl command that fixes it, and a key that is not the certificate’s', async () => {
    /** `org add` with these certificate arguments: refused (exit 2) saying `why`. */
    const addRefused = async (certificateArgs: string[], why: string) => {
      const refused = await admin('org', 'add', ORG, ...certificateArgs, ...lrsArgs());
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(why);
      return refused;
    };
    const legacy = await addRefused(pfxArgs('legacy.pfx'), 'legacy PKCS#12 encryption');
    expect(legacy.err).toContain(`openssl pkcs12 -legacy -in '${join(dir, 'legacy.pfx')}'`);
    expect(legacy.err).toContain('-keypbe AES-256-CBC -certpbe AES-256-CBC');
    const mismatch = await addRefused(
      ['--cert', join(dir, 'first.crt'), '--key', join(dir, 'second.key')],
      'does not match the certificate',
    );
    const wrongPassphrase = await addRefused(pfxArgs('first.pfx', 'WRONG_PASS'), 'wrong passphrase');
    // Nothing was stored by the refused attempts, and no secret leaked into the output.
    expect(await registry.getOrganisation(ORG)).toBeUndefined();
    for (const r of [legacy, mismatch, wrongPassphrase]) {
      expect(r.out + r.err).not.toContain(env.PFX_PASS);
      expect(r.out + r.err).not.toContain(env.ORG_PASS);
    }
  });

  it('adds it from a PFX, grants it, and the API answers for it with no restart', async () => {
    const added = await admin('org', 'add', ORG, ...pfxArgs('first.pfx'), ...lrsArgs());
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toContain('CN=first');
    expect(added.out + added.err).not.toContain(env.PFX_PASS);
    const org = await registry.getOrganisation(ORG);
    expect(org).toMatchObject({ status: 'active', secretName: `lrs-gateway/${stack.stage}/org/${ORG}` });
    expect(org?.certificateSubject).toContain('CN=first');
    // Only the gateway's reader roles may read the value: the resource policy denies every other principal.
    const policy = JSON.parse((await secretPolicy(org?.secretName)) ?? '{}') as {
      Statement: { Effect: string; Action: string; Condition: { ArnNotLike: Record<string, string[]> } }[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue' }),
    ]);
    expect(policy.Statement[0]?.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      `arn:aws:iam::000000000000:role/lrs-gateway/${stack.stage}/org-secret-reader/*`,
    ]);
    expect((await admin('grant', MIS.clientId, ORG)).code).toBe(0);
    await afterCacheWindow();
    expect((await call()).status).toBe(200);
    const doctor = await admin('doctor', ORG);
    expect(doctor.code).toBe(0);
    expect(doctor.out).toContain('the certificate, the password and the access work');
  });

  it('rotates the certificate with no downtime, and the functions follow the new version', async () => {
    const before = (await registry.getOrganisation(ORG))?.secretVersionId;
    const rotated = await admin('org', 'rotate', ORG, ...pfxArgs('second.pfx'));
    expect(rotated.code).toBe(0);
    expect((await call()).status).toBe(200);
    const after = await registry.getOrganisation(ORG);
    expect(after?.secretVersionId).not.toBe(before);
    expect(after?.certificateSubject).toContain('CN=second');
    // The in-body credentials were kept; the secret holds the new certificate.
    const sm = new SecretsManagerClient({
      region: 'eu-west-2',
      endpoint: stack.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const secret = JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: after?.secretName }))).SecretString ?? '{}',
    ) as Record<string, unknown>;
    sm.destroy();
    expect(secret).toMatchObject({ ukprn: ORG, orgPassword: env.ORG_PASS, userName: 'sim.user2' });

    // A certificate the LRS does not accept: the functions use it after the cache window, so the call
    // now fails, and doctor explains why.
    expect((await admin('org', 'rotate', ORG, ...pfxArgs('stranger.pfx'))).code).toBe(0);
    await afterCacheWindow();
    // The LRS refused the gateway's certificate: the caller cannot fix that (502, not 422).
    const refused = await call();
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: { lrsCode: 'TLS_CLIENT_CERTIFICATE_REJECTED' } });
    const tls = await admin('doctor', ORG);
    expect(tls.code).toBe(1);
    expect(tls.out).toContain('TLS handshake refused: the LRS did not accept the client certificate');

    expect((await admin('org', 'rotate', ORG, ...pfxArgs('second.pfx'))).code).toBe(0);
    await afterCacheWindow();
    expect((await call()).status).toBe(200);
  });

  it('doctor explains a wrong password and an LRS out of hours in words', async () => {
    expect((await admin('org', 'rotate', ORG, '--org-password-env', 'WRONG_PASS')).code).toBe(0);
    const wrong = await admin('doctor', ORG);
    expect(wrong.out).toContain('WSEC0005: Wrong password');
    expect((await admin('org', 'rotate', ORG, '--org-password-env', 'ORG_PASS')).code).toBe(0);
    stack.simulator.setConditions({ outOfHours: true });
    try {
      const closed = await admin('doctor', ORG);
      expect(closed.out).toContain('Out of hours');
    } finally {
      stack.simulator.resetConditions();
    }
    expect((await admin('doctor', ORG)).code).toBe(0);
  });

  it('suspends it (403), resumes it, and removes it with its grants and secret', async () => {
    expect((await admin('org', 'suspend', ORG)).code).toBe(0);
    await afterCacheWindow();
    const suspended = await call();
    expect(suspended.status).toBe(403);
    expect(((await suspended.json()) as { error: { message: string } }).error.message).toContain('suspended');
    expect((await admin('org', 'resume', ORG)).code).toBe(0);
    await afterCacheWindow();
    expect((await call()).status).toBe(200);

    const list = await admin('org', 'list');
    expect(list.out).toContain(ORG);
    expect((await admin('org', 'remove', ORG)).code).toBe(0);
    await afterCacheWindow();
    expect((await call()).status).toBe(403);
    expect(await registry.getOrganisation(ORG)).toBeUndefined();
    expect(await registry.getGrant(MIS.clientId, ORG)).toBeUndefined();
    expect((await admin('doctor', ORG)).out).toContain('is not registered');

    // Removed is not gone for good: adding it again restores the secret scheduled for deletion.
    const again = await admin('org', 'add', ORG, ...pfxArgs('second.pfx'), ...lrsArgs());
    expect(again.code).toBe(0);
    expect(again.out).toContain('restored with the new certificate');
    expect((await registry.getOrganisation(ORG))?.status).toBe('active');
    expect(await secretPolicy((await registry.getOrganisation(ORG))?.secretName)).toBeDefined();
    expect((await admin('org', 'remove', ORG)).code).toBe(0);
  });
});

/** The resource policy the emulator holds for a secret. */
const secretPolicy = async (secretId: string | undefined): Promise<string | undefined> => {
  const sm = new SecretsManagerClient({
    region: 'eu-west-2',
    endpoint: stack.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return (await sm.send(new GetResourcePolicyCommand({ SecretId: secretId }))).ResourcePolicy;
  } finally {
    sm.destroy();
  }
};

describe('callers at run time', () => {
  it('adds a local caller whose printed secret gets a token, and suspending it refuses it', async () => {
    const added = await admin('caller', 'add', 'late-mis', '--name', 'Late MIS', '--scopes', 'lrs.read');
    expect(added.code).toBe(0);
    const secret = /client secret {2}(\S+)/.exec(added.out)?.[1] ?? '';
    expect(secret.length).toBeGreaterThan(20);
    expect((await admin('grant', 'late-mis', 'TEST0001')).code).toBe(0);
    const token = (await clientCredentialsToken(stack.tokenIssuer.tokenEndpoint, 'late-mis', secret))
      .accessToken;
    const ask = (t: string) =>
      fetch(`${stack.apiUrl}/v1/learners/find-by-uln`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${t}`,
          'x-lrs-organisation': 'TEST0001',
        },
        body: JSON.stringify(findBody),
      });
    expect((await ask(token)).status).toBe(200);
    expect((await admin('caller', 'suspend', 'late-mis')).code).toBe(0);
    await afterCacheWindow();
    expect((await ask(token)).status).toBe(403);
    await expect(clientCredentialsToken(stack.tokenIssuer.tokenEndpoint, 'late-mis', secret)).rejects.toThrow(
      /400 unauthorized_client/,
    );
    expect((await admin('caller', 'list')).out).toContain('late-mis  suspended  lrs.read  TEST0001');
    expect((await admin('caller', 'remove', 'late-mis')).code).toBe(0);
    expect(await registry.getCaller('late-mis')).toBeUndefined();
  });

  it('npm run admin runs the CLI (usage errors exit 2 without a stack trace)', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(
        'npm',
        ['run', '--silent', 'admin', '--', 'org', 'show', 'not-an-id', '--local', '--stage', stack.stage],
        {
          cwd: join(import.meta.dirname, '..', '..'),
          stdio: 'pipe',
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          timeout: 60_000,
        },
      );
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain('Name the organisation');
    expect(stderr).not.toContain('    at ');
  });
});
