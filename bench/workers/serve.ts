/** The worker side of the IPC protocol: answer each request message from the orchestrator, one at a time. */
import type { WorkerReply } from './protocol.js';

export const serve = <Req, Res>(handle: (request: Req) => Promise<Res>): void => {
  let queue = Promise.resolve();
  process.on('message', (message: Req) => {
    queue = queue.then(async () => {
      let reply: WorkerReply<Res>;
      try {
        reply = { ok: true, value: await handle(message) };
      } catch (e) {
        reply = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
      await new Promise<void>((resolve) => process.send?.(reply, undefined, undefined, () => resolve()));
    });
  });
  process.on('disconnect', () => process.exit(0));
};

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** Imports a production bundle and returns its `handler` export (its module init runs here). */
export const loadBundle = async (file: string): Promise<LambdaHandler> => {
  const mod = (await import(file)) as { handler?: LambdaHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${file} exports no handler`);
  return mod.handler;
};
