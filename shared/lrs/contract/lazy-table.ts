/**
 * A table whose entries are built when first read, then kept. A function serves one operation, so building
 * every operation's zod schemas when the module loads is work its cold start does not need (the 17 request
 * schemas took ~10 ms of each import). Reading an entry builds it once; keys, `in` and iteration see every
 * entry as an ordinary enumerable property.
 */
export const lazyTable = <T extends Record<string, () => unknown>>(
  builders: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } => {
  const table = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const [key, build] of Object.entries(builders)) {
    Object.defineProperty(table, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        const value = build();
        Object.defineProperty(table, key, { value, enumerable: true, configurable: false, writable: false });
        return value;
      },
    });
  }
  return table;
};

/** One value built when first asked for, then kept (for a schema several lazy entries share). */
export const once = <T>(build: () => T): (() => T) => {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
};
