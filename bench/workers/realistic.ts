/**
 * The caller's wait against a realistic LRS (bench/lrs-profile.ts in front of the simulator): the real
 * handler of the production bundle (in-process, API Gateway event) and a bare soap client take turns, one
 * call at a time, and each call's start and end are returned as absolute timestamps, so the orchestrator
 * can take the LRS's share (the proxy's record of the same interval) out of each wait.
 */
import { pathToFileURL } from 'node:url';
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import { benchContext } from '../context.js';
import { absoluteNow } from '../lrs-profile.js';
import { operationEvent } from '../requests.js';
import { createBareClient } from './bare-client.js';
import type { RealisticRequest, TimedCall } from './protocol.js';
import { loadBundle, serve } from './serve.js';

serve<RealisticRequest, TimedCall[]>(async (req) => {
  const handler = await loadBundle(pathToFileURL(req.bundle).href);
  const bare = await createBareClient(req.lrs, req.servicePath, req.lrsMethod);
  const op = req.op as OperationId;
  const viaHandler = async (): Promise<TimedCall> => {
    const event = operationEvent(op, req.request, req.apiKeyId);
    const context = benchContext(req.functionName);
    const cpu0 = process.cpuUsage();
    const start = absoluteNow();
    const res = (await handler(event, context)) as { statusCode?: number };
    const end = absoluteNow();
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return { side: 'gateway', start, end, ok: res.statusCode === 200, cpuMs };
  };
  const viaBare = async (): Promise<TimedCall> => {
    const start = absoluteNow();
    const ok = await bare(req.soapBody).then(
      (raw) => raw.includes('ResponseCode'),
      () => false,
    );
    return { side: 'bare', start, end: absoluteNow(), ok };
  };
  for (let i = 0; i < req.warmup; i++) {
    await viaHandler();
    await viaBare();
  }
  const calls: TimedCall[] = [];
  for (let i = 0; i < req.iterations; i++) {
    // Alternate which side goes first.
    if (i % 2 === 0) calls.push(await viaHandler(), await viaBare());
    else calls.push(await viaBare(), await viaHandler());
  }
  return calls;
});
