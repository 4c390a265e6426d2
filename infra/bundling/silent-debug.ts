/**
 * Stand-in for the `debug` package in the function bundles: FUNCTION_BUNDLING aliases it to this file.
 *
 * soap is its only user there (`debug('node-soap')`, a handful of messages about reading WSDL files and
 * unresolved schema references; its HTTP messages are in the client the adapter replaces). The functions
 * log through their own logger, so the bundles carry silent loggers instead, and the real package (its
 * terminal colour probe `supports-color`, its scan of the environment for DEBUG_* settings and its
 * formatters) is neither compiled nor run at a cold start (1.2–1.5 ms of CPU in the bundle here). So
 * `DEBUG=node-soap` shows nothing in a deployed function, and any other package bundled later that logs
 * through `debug` is silent there too. Code run outside the bundles (tests, tools) keeps the real package.
 */

/** A logger as soap uses it: called with a format and arguments, here to no effect. */
export interface SilentDebugger {
  (...args: unknown[]): void;
  readonly namespace: string;
  readonly enabled: false;
  extend(suffix: string, delimiter?: string): SilentDebugger;
}

const createDebug = (namespace: string): SilentDebugger =>
  Object.assign((..._args: unknown[]) => undefined, {
    namespace,
    enabled: false as const,
    extend: (suffix: string, delimiter = ':') => createDebug(`${namespace}${delimiter}${suffix}`),
  });

/** `debug.enable(…)` switches nothing on; `debug.enabled(name)` is always false. */
export default Object.assign(createDebug, {
  enable: (_namespaces: string) => undefined,
  disable: () => '',
  enabled: (_name: string) => false,
});
