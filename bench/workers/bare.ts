/** Bare client throughput: `concurrency` loops of bare soap calls until every prepared body was sent. */
import { performance } from 'node:perf_hooks';
import { summarise } from '../stats.js';
import { type BareCall, createBareClient } from './bare-client.js';
import type { BareRunRequest, RunResult } from './protocol.js';
import { startRunMeter } from './sampler.js';
import { serve } from './serve.js';

const clients = new Map<string, Promise<BareCall>>();

serve<BareRunRequest, RunResult>(async (req) => {
  const key = `${req.lrs.url}${req.servicePath}#${req.lrsMethod}`;
  let client = clients.get(key);
  if (!client) {
    client = createBareClient(req.lrs, req.servicePath, req.lrsMethod);
    clients.set(key, client);
  }
  const call = await client;
  const count = req.soapBodies.length;
  let next = 0;
  let failures = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + req.timeoutMs;
  const loop = async () => {
    while (next < count && performance.now() < deadline) {
      const body = req.soapBodies[next++] as string;
      const t0 = performance.now();
      try {
        const raw = await call(body);
        if (!raw.includes('ResponseCode')) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const meter = startRunMeter();
  await Promise.all(Array.from({ length: req.concurrency }, loop));
  const figures = meter.stop(latencies.length);
  if (latencies.length < count)
    throw new Error(`only ${latencies.length} of ${count} calls within the time limit`);
  return { count, failures, ...figures, latency: summarise(latencies) };
});
