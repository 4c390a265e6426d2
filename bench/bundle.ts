/**
 * Production bundles, made with esbuild exactly as the CDK app's NodejsFunction makes them (the options come
 * from infra/constructs/gateway-function.ts, mapped the way aws-lambda-nodejs maps them to esbuild flags),
 * plus the benchmark's own worker scripts (dependencies left in node_modules).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_BUNDLING } from '../infra/constructs/gateway-function.js';
import { REPO_ROOT } from '../infra/support/paths.js';

export const BUILD_DIR = join(REPO_ROOT, 'bench', 'results', 'build');

export interface FunctionBundle {
  /** Function directory name, e.g. `find-learner-by-demographics`. */
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
}

/** The esbuild options CDK derives from FUNCTION_BUNDLING (see aws-lambda-nodejs Bundling.buildEsbuildArgs). */
export const cdkEsbuildOptions = (): BuildOptions => {
  const b = FUNCTION_BUNDLING;
  const unmapped = Object.keys(b.esbuildArgs).filter((k) => k !== '--alias');
  if (unmapped.length > 0) throw new Error(`bench/bundle.ts does not map esbuildArgs ${unmapped.join(', ')}`);
  return {
    bundle: true,
    platform: 'node',
    target: b.target,
    format: b.format,
    minify: b.minify,
    sourcemap: b.sourceMap,
    sourcesContent: b.sourcesContent,
    external: [...b.externalModules],
    loader: { ...b.loader },
    banner: { js: b.banner },
    mainFields: [...b.mainFields],
    // --alias:<module>=<path>, as CDK passes esbuildArgs.
    alias: Object.fromEntries(
      b.esbuildArgs['--alias'].map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
    ),
    logLevel: 'warning',
  };
};

/**
 * The banner of a readable bundle. Minified, esbuild renames the bundle's own top-level names, so none meets
 * the banner's `createRequire`; unminified they keep their names, and a module that imports `createRequire`
 * itself (the requests function's API document page) would declare it twice. The same statement under a name
 * no module uses.
 */
export const READABLE_BANNER = FUNCTION_BUNDLING.banner.replace(
  /import\{createRequire\}from'module';const require=createRequire\(/,
  "import{createRequire as __bannerCreateRequire}from'module';const require=__bannerCreateRequire(",
);
if (READABLE_BANNER === FUNCTION_BUNDLING.banner) {
  throw new Error('bench/bundle.ts: the function banner changed; update READABLE_BANNER to match it');
}

/** Every function entry (functions/<name>/handler.ts) that exists now. */
export const functionEntries = (): { name: string; entry: string }[] =>
  readdirSync(join(REPO_ROOT, 'functions'))
    .map((name) => ({ name, entry: join(REPO_ROOT, 'functions', name, 'handler.ts') }))
    .filter((f) => existsSync(f.entry))
    .sort((a, b) => a.name.localeCompare(b.name));

/** Builds every function's production bundle: `<BUILD_DIR>/functions/<name>/index.mjs` (+ .map). */
export const buildFunctionBundles = async (
  options: { readonly readable?: boolean } = {},
): Promise<FunctionBundle[]> => {
  const entries = functionEntries();
  const outdir = join(BUILD_DIR, 'functions');
  // One esbuild run with many entry points and no code splitting writes the same standalone file per entry
  // as one run per function (which is what CDK does), in a fraction of the time.
  await build({
    ...cdkEsbuildOptions(),
    entryPoints: entries.map((e) => ({ in: e.entry, out: `${e.name}/index` })),
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: false,
    // For CPU profiles only: the same code, not minified, so that the profile names its functions.
    ...(options.readable ? { minify: false, banner: { js: READABLE_BANNER } } : {}),
  });
  return entries.map((e) => {
    const file = join(outdir, e.name, 'index.mjs');
    return {
      name: e.name,
      file,
      bytes: statSync(file).size,
      mapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
    };
  });
};

export const WORKERS = ['warm', 'queue', 'bare', 'cold', 'realistic', 'dynamodb'] as const;
export type WorkerName = (typeof WORKERS)[number];

/** Builds the benchmark's worker scripts to `<BUILD_DIR>/workers/<name>.mjs` (npm packages stay external). */
export const buildWorkers = async (): Promise<Record<WorkerName, string>> => {
  const outdir = join(BUILD_DIR, 'workers');
  await build({
    entryPoints: WORKERS.map((w) => ({ in: join(REPO_ROOT, 'bench', 'workers', `${w}.ts`), out: w })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    loader: { '.wsdl': 'text', '.xsd': 'text' },
    logLevel: 'warning',
  });
  return Object.fromEntries(WORKERS.map((w) => [w, join(outdir, `${w}.mjs`)])) as Record<WorkerName, string>;
};
