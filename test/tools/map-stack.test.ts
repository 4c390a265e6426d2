/**
 * A stack from a minified production-style bundle (run without --enable-source-maps, as the functions
 * run) maps back to the source file and line with the bundle's own .map.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { mapStack } from '../../tools/map-stack.js';

const dir = mkdtempSync(join(tmpdir(), 'map-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('map-stack', () => {
  it('maps each frame of the bundle to its source line, marks a frame the map lacks, leaves other files as they are', async () => {
    writeFileSync(
      join(dir, 'failing.ts'),
      [
        'export const parseAnswer = (text: string): number => {',
        '  if (text.length > 2) {',
        "    throw new Error('the answer is too long');",
        '  }',
        '  return text.length;',
        '};',
        "parseAnswer('long answer');",
        '',
      ].join('\n'),
    );
    await build({
      entryPoints: [join(dir, 'failing.ts')],
      outfile: join(dir, 'out', 'index.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      minify: true,
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'silent',
    });
    let stack = '';
    try {
      execFileSync(process.execPath, [join(dir, 'out', 'index.mjs')], {
        stdio: 'pipe',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    } catch (e) {
      stack = String((e as { stderr: Buffer }).stderr);
    }
    expect(stack).toMatch(/index\.mjs:1:\d+/);
    expect(stack).not.toContain('failing.ts');
    const payload = JSON.parse(readFileSync(join(dir, 'out', 'index.mjs.map'), 'utf8'));
    const mapped = mapStack(stack, payload);
    expect(mapped).toMatch(/failing\.ts:3:\d+/);
    expect(mapped).toContain('the answer is too long');
    expect(mapStack('    at node:internal/main:1:2', payload)).toBe('    at node:internal/main:1:2');
    // A position the map does not cover (a line past the bundle's end) is kept and marked.
    expect(mapStack('    at x (file:///var/task/index.mjs:999:1)', payload)).toBe(
      '    at x (file:///var/task/index.mjs:999:1 (not in the map))',
    );
  });
});
