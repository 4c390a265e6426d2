/**
 * `npm run map-stack -- <bundle.mjs.map> < stack.txt`: prints a stack trace from a function's log (its
 * frames in the minified bundle, `index.mjs:LINE:COLUMN`) with each frame replaced by the source file,
 * line and column, using the `.map` that ships beside every bundle: in the function's deployment package
 * (`aws lambda get-function --function-name <name> --query Code.Location` gives its download URL) or in
 * `cdk.out/` after a synth. A frame the map has no position for is kept and marked `(not in the map)`.
 * The functions run without `--enable-source-maps` (it costs about 17 ms of every cold start), so a
 * stack is mapped here, afterwards, instead.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';

const FRAME = /([^\s()]+\.m?js):(\d+):(\d+)/g;

/** The stack with every bundle frame replaced by its source position. */
export const mapStack = (stack: string, payload: SourceMapPayload): string => {
  const map = new SourceMap(payload);
  return stack.replace(FRAME, (frame, _file: string, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{
      generatedLine: number;
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    // findEntry answers with the nearest mapping before the position, even one on an earlier line.
    if (
      entry.generatedLine !== Number(line) - 1 ||
      entry.originalSource === undefined ||
      entry.originalLine === undefined
    )
      return `${frame} (not in the map)`;
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
  let payload: SourceMapPayload;
  try {
    payload = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload;
  } catch (e) {
    console.error(`Cannot read the source map ${mapFile}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  process.stdout.write(mapStack(readFileSync(0, 'utf8'), payload));
}
