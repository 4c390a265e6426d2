/**
 * FUNCTION_BUNDLING's stand-ins for the modules soap loads but lrs-gateway never uses: every left-out
 * module is aliased to an existing stand-in, and a stand-in reached warns (LRS_GATEWAY_LEFT_OUT) and throws
 * an error naming the module. That the bundles never reach one is test/integration/adapter/bundled-handlers.test.ts.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LEFT_OUT_MODULES,
  LEFT_OUT_WARNING_CODE,
  type LeftOutModule,
  LeftOutModuleError,
} from '../../infra/bundling/left-out.js';
import { FUNCTION_BUNDLING, leftOutStandIn } from '../../infra/constructs/gateway-function.js';

const modules = Object.keys(LEFT_OUT_MODULES) as LeftOutModule[];

describe('FUNCTION_BUNDLING', () => {
  it('aliases every left-out module, and nothing else, to its stand-in, by absolute path', () => {
    expect(FUNCTION_BUNDLING.esbuildArgs['--alias']).toEqual(modules.map((m) => `${m}=${leftOutStandIn(m)}`));
    for (const m of modules) {
      expect(leftOutStandIn(m)).toMatch(/^\//);
      expect(existsSync(leftOutStandIn(m)), m).toBe(true);
    }
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
