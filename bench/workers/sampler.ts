/**
 * Per-run process figures: CPU time, sampled peak RSS and the process's RSS high-water mark. The CPU the
 * sampling itself takes is left out of the CPU figure (on a loaded machine it is not negligible).
 */
import { performance } from 'node:perf_hooks';

export const startRunMeter = (sampleEveryMs = 25) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let peak = process.memoryUsage.rss();
  let samplingUs = 0;
  const timer = setInterval(() => {
    const c0 = process.cpuUsage();
    peak = Math.max(peak, process.memoryUsage.rss());
    const c = process.cpuUsage(c0);
    samplingUs += c.user + c.system;
  }, sampleEveryMs);
  return {
    stop: (count: number) => {
      const elapsedMs = performance.now() - t0;
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      const cpu = process.cpuUsage(cpu0);
      return {
        elapsedMs,
        perSecond: count / (elapsedMs / 1000),
        cpuMsPerItem: (cpu.user + cpu.system - samplingUs) / 1000 / Math.max(1, count),
        peakRssBytes: peak,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
    },
  };
};
