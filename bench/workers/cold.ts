/**
 * One cold start: this process imports a production bundle (module init, config, SDK and LRS client
 * creation), invokes its handler once with the event from BENCH_COLD_EVENT, reports the timings over IPC
 * and exits. performance.now() counts from the start of the process, so totalMs includes Node's own start;
 * cpuMs is the process's CPU time to that point (less sensitive than wall time to a loaded machine).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchContext } from '../context.js';
import type { ColdResult } from './protocol.js';

const bootMs = performance.now();
const send = (result: ColdResult) =>
  new Promise<void>((resolve) => process.send?.(result, undefined, undefined, () => resolve()));

const main = async (): Promise<void> => {
  const bundle = process.env.BENCH_COLD_BUNDLE ?? '';
  const event = JSON.parse(process.env.BENCH_COLD_EVENT ?? 'null') as unknown;
  const name = process.env.BENCH_COLD_FUNCTION ?? 'bench';
  try {
    const t0 = performance.now();
    const mod = (await import(pathToFileURL(bundle).href)) as {
      handler: (e: unknown, c: unknown) => Promise<{ statusCode?: number }>;
    };
    const t1 = performance.now();
    const res = await mod.handler(event, benchContext(name));
    const t2 = performance.now();
    const cpu = process.cpuUsage();
    await send({
      bootMs,
      importMs: t1 - t0,
      firstCallMs: t2 - t1,
      totalMs: t2,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...(typeof res?.statusCode === 'number' ? { statusCode: res.statusCode } : {}),
    });
  } catch (e) {
    await send({
      bootMs,
      importMs: 0,
      firstCallMs: 0,
      totalMs: performance.now(),
      cpuMs: 0,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    });
  }
  process.exit(0);
};

void main();
