/**
 * Just enough of the Lambda runtime to call a handler in-process: a Context object, and lazy loading of
 * a handler module by its entry path (so env is set before the module's cold start runs).
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTION_TIMEOUT_SECONDS } from '../shared/config/resources.js';
import { lambdaContext as invocationContext } from './api-event.js';

export const REPO_ROOT = join(import.meta.dirname, '..');

/** A Lambda handler in the async style our functions use. */
export type AsyncHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

/** The context of a local invocation: the deployed timeout counts down from now, as on Lambda. */
export const lambdaContext = (
  functionName: string,
  region: string,
  timeoutSeconds = FUNCTION_TIMEOUT_SECONDS,
): Context =>
  invocationContext(functionName, {
    region,
    timeoutSeconds,
    logStreamName: `local/${new Date().toISOString().slice(0, 10)}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
  });

const loadedEntries = new Set<string>();

/** Function modules this process has loaded (their config was read from process.env at that moment). */
export const loadedFunctionEntries = (): readonly string[] => [...loadedEntries];

/**
 * Imports `entry` (relative to the repository root, e.g. `functions/jobs/handler.ts`, or absolute) once
 * and returns its `handler` export. Import it only after process.env holds the function's config.
 */
export const handlerLoader = <E, R>(
  entry: string,
  exportName = 'handler',
): (() => Promise<AsyncHandler<E, R>>) => {
  let loading: Promise<AsyncHandler<E, R>> | undefined;
  return () => {
    loading ??= import(pathToFileURL(isAbsolute(entry) ? entry : join(REPO_ROOT, entry)).href).then(
      (mod: Record<string, unknown>) => {
        const fn = mod[exportName];
        if (typeof fn !== 'function') throw new Error(`${entry} has no exported function "${exportName}"`);
        loadedEntries.add(entry);
        return fn as AsyncHandler<E, R>;
      },
    );
    // A failed import (e.g. a syntax error being fixed) is retried on the next call.
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
};
