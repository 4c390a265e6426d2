/**
 * The layering rule of shared/ and infra/ (shared/README.md): each layer imports only the layers below
 * it, folders of one rank do not import each other, the adapters are constructed in the composition
 * root only, and no module imports itself back through others (no import circle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Folder → rank, lowest first. A folder imports only folders of a lower rank (and itself). */
const SHARED_RANKS: Readonly<Record<string, number>> = {
  'shared/domain': 0,
  'shared/lrs/contract': 1,
  'shared/config': 2,
  'shared/ports': 3,
  'shared/observability': 4,
  'shared/app': 5,
  'shared/auth': 5,
  'shared/http': 6,
  'shared/jobs': 7,
  'shared/queue': 8,
  'shared/lrs/soap': 9,
  'shared/adapters': 9,
  'shared/wiring': 10,
  'shared/api': 11,
  'shared/handlers': 12,
};

const INFRA_RANKS: Readonly<Record<string, number>> = {
  'infra/config': 0,
  'infra/support': 1,
  /** What the function bundles leave out, and the stand-ins put in their place. */
  'infra/bundling': 1,
  'infra/constructs': 2,
  'infra/stacks': 3,
  infra: 4,
};

/** Modules that construct a connection to the outside world: only the composition root builds them. */
const ADAPTER_FOLDERS = ['shared/adapters/', 'shared/lrs/soap/'];
const COMPOSITION_ROOTS = ['shared/wiring/'];

type Graph = ReadonlyMap<string, readonly string[]>;

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Source without comments (an example in a comment is not an import). */
const withoutComments = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** Every relative module a source file imports, as repository paths of .ts files. */
const importsOf = (file: string, source: string, exists: (path: string) => boolean): string[] => {
  const out = new Set<string>();
  for (const m of withoutComments(source).matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? '';
    const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
    const candidates = target.endsWith('.ts') ? [target] : [`${target}.ts`, join(target, 'index.ts')];
    const found = candidates.find(exists);
    if (found) out.add(found);
  }
  return [...out];
};

const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );

/** The import graph of the repository folders given, read from disk. */
const readGraph = (dirs: readonly string[]): Graph => {
  const files = dirs.flatMap(tsFiles);
  const known = new Set(files);
  const exists = (p: string) => known.has(p);
  return new Map(files.map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'), exists)]));
};

/** The folder of a file that has a rank (the longest matching one), if any. */
const folderOf = (file: string, ranks: Readonly<Record<string, number>>): string | undefined => {
  const dir = dirname(file);
  return Object.keys(ranks)
    .filter((f) => dir === f || dir.startsWith(`${f}/`))
    .sort((a, b) => b.length - a.length)[0];
};

/** Every import that points up the ranks, or sideways into another folder of the same rank. */
const upwardImports = (graph: Graph, ranks: Readonly<Record<string, number>>): string[] => {
  const problems: string[] = [];
  for (const [file, deps] of graph) {
    const from = folderOf(file, ranks);
    if (from === undefined) continue;
    for (const dep of deps) {
      const to = folderOf(dep, ranks);
      if (to === undefined || to === from) continue;
      const [rf, rt] = [ranks[from] ?? 0, ranks[to] ?? 0];
      if (rt > rf)
        problems.push(`${file} (${from}, rank ${rf}) imports ${dep} (${to}, rank ${rt}), a layer above it`);
      else if (rt === rf)
        problems.push(`${file} (${from}) imports ${dep} (${to}), a folder of the same rank ${rf}`);
    }
  }
  return problems;
};

/** Files no folder of the table claims (a new folder must be given its place). */
const unranked = (graph: Graph, prefix: string, ranks: Readonly<Record<string, number>>): string[] =>
  [...graph.keys()].filter((f) => f.startsWith(prefix) && folderOf(f, ranks) === undefined);

/** Every import circle (strongly connected component of more than one file, or a self-import). */
const importCircles = (graph: Graph): string[][] => {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
};

/** One readable line per circle: a path through it that comes back to its first file. */
const describeCircle = (graph: Graph, circle: readonly string[]): string => {
  const inCircle = new Set(circle);
  const start = circle[0] ?? '';
  const path = [start];
  const seen = new Set([start]);
  let at = start;
  for (;;) {
    const deps = (graph.get(at) ?? []).filter((d) => inCircle.has(d));
    const back = deps.includes(start) && path.length > 1 ? start : undefined;
    const step = back ?? deps.find((d) => !seen.has(d)) ?? deps[0];
    if (step === undefined) break;
    path.push(step);
    if (step === start || seen.has(step)) break;
    seen.add(step);
    at = step;
  }
  return `import circle: ${path.join(' → ')}`;
};

/** Imports of an adapter from outside the adapters and the composition root (shared code and entries). */
const adapterConstructions = (graph: Graph): string[] =>
  [...graph].flatMap(([file, deps]) =>
    (file.startsWith('shared/') || file.startsWith('functions/')) &&
    ![...ADAPTER_FOLDERS, ...COMPOSITION_ROOTS].some((f) => file.startsWith(f))
      ? deps
          .filter((d) => ADAPTER_FOLDERS.some((f) => d.startsWith(f)))
          .map((d) => `${file} imports the adapter ${d}: adapters are constructed in shared/wiring/ only`)
      : [],
  );

/** Imports from shared/ of anything outside it (scripts, local runtime, tests, infra, entries). */
const outsideImports = (graph: Graph): string[] =>
  [...graph].flatMap(([file, deps]) =>
    file.startsWith('shared/')
      ? deps
          .filter((d) => !d.startsWith('shared/'))
          .map((d) => `${file} imports ${d}, outside shared/: shared code imports only shared code`)
      : [],
  );

const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));

describe('the layer checks', () => {
  it('reports an import up the ranks naming both files and both folders', () => {
    const g = graphOf({ 'shared/domain/a.ts': ['shared/app/b.ts'], 'shared/app/b.ts': [] });
    expect(upwardImports(g, SHARED_RANKS)).toEqual([
      'shared/domain/a.ts (shared/domain, rank 0) imports shared/app/b.ts (shared/app, rank 5), a layer above it',
    ]);
  });

  it('reports an import into another folder of the same rank, and allows imports down and within', () => {
    const g = graphOf({
      'shared/app/a.ts': ['shared/auth/b.ts', 'shared/app/c.ts', 'shared/domain/d.ts'],
      'shared/lrs/soap/x.ts': ['shared/lrs/contract/y.ts', 'shared/adapters/z.ts'],
    });
    expect(upwardImports(g, SHARED_RANKS)).toEqual([
      'shared/app/a.ts (shared/app) imports shared/auth/b.ts (shared/auth), a folder of the same rank 5',
      'shared/lrs/soap/x.ts (shared/lrs/soap) imports shared/adapters/z.ts (shared/adapters), a folder of the same rank 9',
    ]);
  });

  it('finds a circle, names every file of it and a path back to the first', () => {
    const g = graphOf({
      'shared/api/a.ts': ['shared/api/b.ts'],
      'shared/api/b.ts': ['shared/api/c.ts'],
      'shared/api/c.ts': ['shared/api/a.ts'],
      'shared/api/d.ts': ['shared/api/a.ts'],
    });
    const circles = importCircles(g);
    expect(circles).toEqual([['shared/api/a.ts', 'shared/api/b.ts', 'shared/api/c.ts']]);
    expect(describeCircle(g, circles[0] ?? [])).toBe(
      'import circle: shared/api/a.ts → shared/api/b.ts → shared/api/c.ts → shared/api/a.ts',
    );
    expect(importCircles(graphOf({ 'x.ts': ['x.ts'] }))).toEqual([['x.ts']]);
    expect(importCircles(graphOf({ 'x.ts': ['y.ts'], 'y.ts': [] }))).toEqual([]);
  });

  it('reads static, type-only, re-export and dynamic imports, not the ones in comments', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "import './side.js';",
      "const d = await import('./d.js');",
      "// import { e } from './e.js';",
      "/* import { f } from './f.js'; */",
      "import { g } from 'zod';",
    ].join('\n');
    const all = new Set([
      'shared/x/a.ts',
      'shared/b.ts',
      'shared/x/c.ts',
      'shared/x/side.ts',
      'shared/x/d.ts',
    ]);
    expect(
      importsOf(
        'shared/x/m.ts',
        source,
        (p) => all.has(p) || p.endsWith('e.ts') || p.endsWith('f.ts'),
      ).sort(),
    ).toEqual([...all].sort());
  });

  it('reports an adapter imported outside the composition root', () => {
    const g = graphOf({
      'shared/handlers/h.ts': ['shared/adapters/dynamo.ts'],
      'functions/f/handler.ts': ['shared/lrs/soap/client.ts'],
      'tools/t.ts': ['shared/adapters/dynamo.ts'],
      'shared/wiring/w.ts': ['shared/adapters/dynamo.ts', 'shared/lrs/soap/client.ts'],
      'shared/lrs/soap/client.ts': ['shared/lrs/soap/xml.ts'],
    });
    expect(adapterConstructions(g)).toEqual([
      'shared/handlers/h.ts imports the adapter shared/adapters/dynamo.ts: adapters are constructed in shared/wiring/ only',
      'functions/f/handler.ts imports the adapter shared/lrs/soap/client.ts: adapters are constructed in shared/wiring/ only',
    ]);
  });
});

describe('the layers of the repository', () => {
  const shared = readGraph(['shared']);
  const infra = readGraph(['infra']);
  const all = new Map([...readGraph(['shared', 'infra', 'functions', 'local', 'tools', 'bench'])]);

  it('gives every shared/ and infra/ folder a rank', () => {
    expect(unranked(shared, 'shared/', SHARED_RANKS)).toEqual([]);
    expect(unranked(infra, 'infra/', INFRA_RANKS)).toEqual([]);
  });

  it('has shared/ layers import only the layers below them', () => {
    expect(upwardImports(shared, SHARED_RANKS)).toEqual([]);
  });

  it('has infra/ layers import only the layers below them', () => {
    expect(upwardImports(infra, INFRA_RANKS)).toEqual([]);
  });

  it('has no import circle anywhere in the code', () => {
    expect(importCircles(all).map((c) => describeCircle(all, c))).toEqual([]);
  });

  it('constructs adapters in the composition root only, and imports nothing from outside shared/', () => {
    expect(adapterConstructions(all)).toEqual([]);
    expect(outsideImports(shared)).toEqual([]);
  });

  it('reads a real import graph (a check over no edges would pass vacuously)', () => {
    const edges = [...shared.values()].reduce((n, d) => n + d.length, 0);
    expect(shared.size).toBeGreaterThan(80);
    expect(edges).toBeGreaterThan(300);
    expect(relative(ROOT, join(ROOT, 'shared'))).toBe('shared');
  });
});
