/** Plain-text tables for the bench output. */

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
export const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
export const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
export const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

export const table = (title: string, header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[i] ?? 0) : lpad(c, widths[i] ?? 0))).join('  ');
  return [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join(
    '\n',
  );
};

/** One column of a table: its header and what it shows of a row. */
export type Column<T> = readonly [header: string, cell: (row: T) => string];

/** A table of one row per item, its columns each a header next to the cell it heads. */
export const columnTable = <T>(title: string, items: readonly T[], columns: readonly Column<T>[]): string =>
  table(
    title,
    columns.map(([header]) => header),
    items.map((item) => columns.map(([, cell]) => cell(item))),
  );
