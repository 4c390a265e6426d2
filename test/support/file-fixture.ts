/**
 * A fixture shared by the tests of one file (a simulator, a local stack): started before the file's
 * tests, stopped after them, and read through a live view, since it starts only after the file's top
 * level has run.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers the hooks that start the fixture (`start`, within `timeoutMs` if given) before the calling
 * file's tests and stop it after them. The object returned reads through to the running fixture at each
 * use (its methods bound to it); reading it outside tests and hooks throws, naming `what`.
 */
export const useFileFixture = <T extends object>(
  what: string,
  start: () => Promise<T>,
  stop: (fixture: T) => Promise<void>,
  timeoutMs?: number,
): T => {
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
  }, timeoutMs);
  afterAll(async () => {
    if (running) await stop(running);
  });
  return new Proxy({} as T, {
    get: (_target, key) => {
      if (!running)
        throw new Error(`${what} runs only inside tests and their hooks (it starts in beforeAll)`);
      const value: unknown = Reflect.get(running, key);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
};
