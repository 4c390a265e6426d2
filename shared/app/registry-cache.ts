/**
 * A warm function's short memory of the registry: each read (found or not) is reused for `ttlMs`
 * (REGISTRY_CACHE_SECONDS, default 30 s), so a busy function costs a few GetItems a minute, and an
 * operator's change (suspend, revoke, remove, a new organisation) takes effect within that window.
 * A failed read is not cached.
 */
import type { RegistryReader } from '../ports/registry.js';

export const DEFAULT_REGISTRY_CACHE_SECONDS = 30;
/** Entries kept before the oldest are dropped (bounded memory on a long-lived function). */
const MAX_ENTRIES = 5000;

export const cachedRegistry = (
  inner: RegistryReader,
  ttlMs: number = DEFAULT_REGISTRY_CACHE_SECONDS * 1000,
  now: () => number = Date.now,
): RegistryReader => {
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  const cached = <T>(k: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(k);
    if (hit && now() - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    if (cache.size >= MAX_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.delete(k);
    cache.set(k, { at: now(), value });
    value.catch(() => {
      if (cache.get(k)?.value === value) cache.delete(k);
    });
    return value;
  };
  return {
    getOrganisation: (id) => cached(`o:${id}`, () => inner.getOrganisation(id)),
    getCaller: (id) => cached(`c:${id}`, () => inner.getCaller(id)),
    getGrant: (c, o) => cached(`g:${c}\n${o}`, () => inner.getGrant(c, o)),
    callerForSender: (s) => cached(`s:${s}`, () => inner.callerForSender(s)),
    // Status is read on an operator's request: always fresh.
    getLrsStatus: (id) => inner.getLrsStatus(id),
  };
};
