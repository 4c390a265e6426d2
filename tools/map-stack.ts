/**
 * `npm run map-stack -- <bundle.mjs.map> < stack.txt`: prints a stack trace from a function's log (its
 * frames in the minified bundle, `index.mjs:LINE:COLUMN`) with each frame mapped to the source file,
 * line and column, using the `.map` that ships beside every bundle (`cdk.out/asset.<hash>/index.mjs.map`).
 * The functions run without `--enable-source-maps` (it costs about 17 ms of every cold start), so a
 * stack is mapped here, afterwards, instead.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';

const FRAME = /([^\s()]+\.m?js):(\d+):(\d+)/g;

/** The stack with every bundle frame followed by its source position (unmapped frames as they are). */
export const mapStack = (stack: string, payload: SourceMapPayload): string => {
  const map = new SourceMap(payload);
  return stack.replace(FRAME, (frame, _file: string, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return frame;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const mapFile = process.argv[2];
  if (!mapFile) {
    console.error('Usage: npm run map-stack -- <bundle.mjs.map> < stack.txt');
    process.exit(2);
  }
  const payload = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload;
  process.stdout.write(mapStack(readFileSync(0, 'utf8'), payload));
}
