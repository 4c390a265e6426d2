/**
 * FUNCTION_BUNDLING's stand-ins for the modules soap loads but lrs-gateway never uses: every left-out
 * module is aliased to an existing stand-in, and a stand-in reached warns (LRS_GATEWAY_LEFT_OUT) and throws
 * an error naming the module. That the bundles never reach one is test/integration/adapter/bundled-handlers.test.ts.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../infra/bundling/env-credentials.js';
import {
  LEFT_OUT_MODULES,
  LEFT_OUT_WARNING_CODE,
  type LeftOutModule,
  LeftOutModuleError,
} from '../../infra/bundling/left-out.js';
import {
  CREDENTIALS_ALIAS,
  DEBUG_ALIAS,
  FUNCTION_BUNDLING,
  leftOutStandIn,
} from '../../infra/constructs/gateway-function.js';

const modules = Object.keys(LEFT_OUT_MODULES) as LeftOutModule[];

describe('FUNCTION_BUNDLING', () => {
  it('aliases every left-out module, the default credential chain and debug, and nothing else, by absolute path', () => {
    expect(FUNCTION_BUNDLING.esbuildArgs['--alias']).toEqual([
      ...modules.map((m) => `${m}=${leftOutStandIn(m)}`),
      CREDENTIALS_ALIAS,
      DEBUG_ALIAS,
    ]);
    for (const m of modules) {
      expect(leftOutStandIn(m)).toMatch(/^\//);
      expect(existsSync(leftOutStandIn(m)), m).toBe(true);
    }
    const [module, standIn = ''] = CREDENTIALS_ALIAS.split('=');
    expect(module).toBe('@aws-sdk/credential-provider-node');
    expect(standIn).toMatch(/^\/.*\/infra\/bundling\/env-credentials\.ts$/);
    expect(existsSync(standIn)).toBe(true);
    const [debugModule, debugStandIn = ''] = DEBUG_ALIAS.split('=');
    expect(debugModule).toBe('debug');
    expect(debugStandIn).toMatch(/^\/.*\/infra\/bundling\/silent-debug\.ts$/);
    expect(existsSync(debugStandIn)).toBe(true);
  });

  it('keeps everything else in the bundle (nothing external) and ships ESM with source maps', () => {
    expect(FUNCTION_BUNDLING).toMatchObject({
      format: 'esm',
      externalModules: [],
      minify: true,
      sourceMap: true,
    });
  });
});

describe('a stand-in reached', () => {
  const warnings: Array<Error & { code?: string }> = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(w);
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.splice(0);
  });

  it.each(modules)('%s: every export warns and throws an error naming the module', async (m) => {
    process.on('warning', onWarning);
    const standIn = (await import(leftOutStandIn(m))) as Record<string, unknown>;
    const members = Object.entries(standIn).filter(([k]) => k !== 'default');
    expect(members.length).toBeGreaterThan(0);
    for (const [name, member] of members) {
      expect(typeof member).toBe('function');
      const call = member as (...a: unknown[]) => unknown;
      expect(() => call()).toThrow(LeftOutModuleError);
      // soap constructs some of them (`new SignedXml()`).
      expect(() => Reflect.construct(call, [])).toThrow(`${m}.${name} is not in this bundle`);
    }
    await new Promise((r) => setImmediate(r));
    expect(warnings.length).toBe(members.length * 2);
    expect(warnings.every((w) => w.code === LEFT_OUT_WARNING_CODE && w.message.includes(m))).toBe(true);
  });
});

describe("the bundles' credential chain (env-credentials.ts)", () => {
  const NAMES = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_CREDENTIAL_EXPIRATION',
    'AWS_ACCOUNT_ID',
  ] as const;
  const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
  afterEach(() => {
    for (const n of NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  it('answers with the credentials Lambda puts in the environment, session token, expiry and account included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLEONLY';
    process.env.AWS_SECRET_ACCESS_KEY = 'example-secret';
    process.env.AWS_SESSION_TOKEN = 'example-session';
    process.env.AWS_CREDENTIAL_EXPIRATION = '2030-01-01T00:00:00Z';
    process.env.AWS_ACCOUNT_ID = '123456789012';
    const credentials = await defaultProvider()();
    expect(credentials).toMatchObject({
      accessKeyId: 'AKIAEXAMPLEONLY',
      secretAccessKey: 'example-secret',
      sessionToken: 'example-session',
      accountId: '123456789012',
    });
    expect(credentials.expiration?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('reads the environment at each call, so credentials set after the client was made are used', async () => {
    delete process.env.AWS_SESSION_TOKEN;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFIRST';
    process.env.AWS_SECRET_ACCESS_KEY = 'first';
    const provider = defaultProvider();
    expect((await provider()).accessKeyId).toBe('AKIAFIRST');
    process.env.AWS_ACCESS_KEY_ID = 'AKIASECOND';
    expect((await provider()).accessKeyId).toBe('AKIASECOND');
  });

  it("without them, fails with the SDK's CredentialsProviderError instead of trying files or metadata", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      message: 'Unable to find environment variable credentials.',
    });
  });
});
