/**
 * Warm overhead: the real handler (production bundle, in-process, API Gateway event, against the simulator
 * and dynalite) against a bare soap client sending the same SOAP Body to the same simulator, and the
 * results store's two writes on their own. All three are warmed up, then called in rotating order so that
 * machine noise falls on all alike; each call's wall time and this process's CPU time during it are kept.
 */

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbResultsStore } from '../../shared/adapters/dynamodb-results-store.js';
import { ENV } from '../../shared/config/names.js';
import type { Outcome } from '../../shared/domain/outcome.js';
import type { OperationId } from '../../shared/lrs/contract/operations.js';
import { benchContext } from '../context.js';
import { operationEvent } from '../requests.js';
import { summarise } from '../stats.js';
import { createBareClient } from './bare-client.js';
import type { WarmCaseResult, WarmRequest } from './protocol.js';
import { loadBundle, serve } from './serve.js';

const codeOf = (xml: string): string | undefined => /<(?:\w+:)?ResponseCode>([^<]*)</.exec(xml)?.[1];

serve<WarmRequest, WarmCaseResult[]>(async (req) => {
  const results: WarmCaseResult[] = [];
  // The results store on its own (same SDK, same emulator, same table): what a request's two writes cost.
  const store = new DynamoDbResultsStore({
    tableName: process.env[ENV.tableName] ?? '',
    client: new DynamoDBClient({}),
  });
  for (const c of req.cases) {
    const handler = await loadBundle(pathToFileURL(c.bundle).href);
    const bare = await createBareClient(req.lrs, c.servicePath, c.lrsMethod);
    const op = c.op as OperationId;
    let failures = 0;
    let stored: { outcome: Outcome; result: unknown } | undefined;
    const viaHandler = async (): Promise<number> => {
      const event = operationEvent(op, c.request, req.apiKeyId);
      const context = benchContext(c.functionName);
      const t0 = performance.now();
      const res = (await handler(event, context)) as { statusCode?: number; body?: string };
      const ms = performance.now() - t0;
      if (!stored && res.body) stored = JSON.parse(res.body) as { outcome: Outcome; result: unknown };
      if (res.statusCode !== 200) {
        failures++;
        if (failures === 1) process.stderr.write(`[warm] ${c.label}: handler answered ${res.statusCode}\n`);
      }
      return ms;
    };
    const viaBare = async (): Promise<number> => {
      const t0 = performance.now();
      const raw = await bare(c.soapBody);
      const ms = performance.now() - t0;
      if (codeOf(raw) !== c.expectCode) throw new Error(`bare ${c.label}: LRS code ${codeOf(raw)}`);
      return ms;
    };
    /** begin + complete of a fresh request with the handler's own result: the store's share of a call. */
    const viaStore = async (): Promise<number> => {
      const now = new Date();
      const requestId = `bench-${randomUUID()}`;
      const t0 = performance.now();
      const begun = await store.begin({
        requestId,
        operation: op,
        organisationId: 'TEST0001',
        caller: req.apiKeyId,
        source: 'http',
        request: c.request,
        requestHash: 'bench',
        now,
        leaseExpiresAt: now.getTime() + 90_000,
        expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
      });
      if (!begun.acquired) throw new Error('store: lease not acquired');
      await store.complete(requestId, begun.record.attempts, {
        outcome: stored?.outcome as Outcome,
        result: stored?.result ?? {},
        completedAt: new Date(),
        lrsDurationMs: 1,
      });
      return performance.now() - t0;
    };
    for (let i = 0; i < req.warmup; i++) {
      await viaHandler();
      await viaBare();
      await viaStore();
    }
    failures = 0;
    const h: number[] = [];
    const b: number[] = [];
    const s: number[] = [];
    const diff: number[] = [];
    // Rotate the order of the three sides, so that none always runs right after another.
    const sides = [viaHandler, viaBare, viaStore];
    const cpu = [0, 0, 0];
    for (let i = 0; i < req.iterations; i++) {
      const times: number[] = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        const side = (i + k) % 3;
        const cpu0 = process.cpuUsage();
        times[side] = await (sides[side] as () => Promise<number>)();
        const used = process.cpuUsage(cpu0);
        cpu[side] = (cpu[side] ?? 0) + (used.user + used.system) / 1000;
      }
      const [hm, bm, sm] = times as [number, number, number];
      h.push(hm);
      b.push(bm);
      s.push(sm);
      diff.push(hm - bm);
    }
    results.push({
      label: c.label,
      handler: summarise(h),
      bare: summarise(b),
      store: summarise(s),
      pairedAddedP50: summarise(diff).p50,
      cpuMs: {
        handler: (cpu[0] ?? 0) / req.iterations,
        bare: (cpu[1] ?? 0) / req.iterations,
        store: (cpu[2] ?? 0) / req.iterations,
      },
      handlerFailures: failures,
    });
  }
  return results;
});
