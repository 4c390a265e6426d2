/**
 * CSV in and out of bulk jobs, for MIS users who export and open spreadsheets.
 * In: RFC 4180 (quoted fields, doubled quotes, CRLF or LF, optional UTF-8 BOM); the header row names
 * the request's fields, nested fields with dots (`learner.givenName`); an empty cell is an absent field;
 * a cell is turned into a number where the request schema wants one.
 * Out: one header row, then one row per result; nested result fields flattened to dotted columns, lists
 * joined with `|`; cells that a spreadsheet would run as a formula are prefixed with `'`.
 */
import type { z } from 'zod';
import type { FieldIssue } from '../domain/errors.js';

/** The zod definition type and the parts of it we walk. */
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly values?: readonly unknown[];
  readonly in?: z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/nullable/pipe wrappers. */
export const unwrap = (schema: z.ZodType): z.ZodType => {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const d = defOf(s);
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable') && d.innerType)
      s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else break;
  }
  return s;
};

const shapeOf = (schema: z.ZodType): Record<string, z.ZodType> | undefined => {
  const d = defOf(unwrap(schema));
  return d.type === 'object' ? d.shape : undefined;
};

/** The element schema of an array field of an object schema (e.g. `learners` of a batch request). */
export const elementOf = (schema: z.ZodType, field: string): z.ZodType | undefined => {
  const f = shapeOf(schema)?.[field];
  if (!f) return undefined;
  const d = defOf(unwrap(f));
  return d.type === 'array' ? d.element : undefined;
};

const wantsNumber = (schema: z.ZodType): boolean => {
  const d = defOf(unwrap(schema));
  if (d.type === 'number' || d.type === 'int') return true;
  if (d.type === 'union') return (d.options ?? []).some(wantsNumber);
  if (d.type === 'literal') return (d.values ?? []).some((v) => typeof v === 'number');
  return false;
};

/** Parses CSV text into rows of cells. Throws a FieldIssue-carrying error on an unterminated quote. */
export const parseCsv = (text: string): string[][] => {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += c;
      i++;
    }
  }
  if (quoted)
    throw new CsvError([
      { field: 'body', rule: 'csv', message: 'body has an unterminated quoted field (rule: csv)' },
    ]);
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  // Blank lines are not rows.
  return rows.filter((r) => r.some((v) => v.trim() !== ''));
};

export class CsvError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'CsvError';
  }
}

const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * CSV text to item objects, following `itemSchema` (for dotted paths and numbers). Header cells must be
 * field paths; unknown fields are left for the request validation to name.
 */
export const csvToItems = (text: string, itemSchema: z.ZodType): Record<string, unknown>[] => {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) {
    throw new CsvError([
      { field: 'body', rule: 'csv', message: 'body must have a header row and at least one row (rule: csv)' },
    ]);
  }
  const columns = header.map((h) => h.trim());
  const issues: FieldIssue[] = [];
  columns.forEach((c, i) => {
    if (!FIELD_PATH.test(c)) {
      issues.push({
        field: `header[${i}]`,
        rule: 'pattern',
        message: `header[${i}] must be a field name such as givenName or learner.givenName (rule: pattern)`,
      });
    }
  });
  if (new Set(columns).size !== columns.length) {
    issues.push({ field: 'header', rule: 'unique', message: 'header names a field twice (rule: unique)' });
  }
  if (issues.length > 0) throw new CsvError(issues);
  const leafSchema = (path: readonly string[]): z.ZodType | undefined => {
    let s: z.ZodType | undefined = itemSchema;
    for (const p of path) s = s ? shapeOf(s)?.[p] : undefined;
    return s;
  };
  const numeric = columns.map((c) => {
    const s = leafSchema(c.split('.'));
    return s ? wantsNumber(s) : false;
  });
  return rows.slice(1).map((cells) => {
    const item: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const raw = cells[i];
      if (raw === undefined || raw === '') return;
      const value = numeric[i] && /^-?[0-9]+(\.[0-9]+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      const path = column.split('.');
      let target = item;
      for (const p of path.slice(0, -1)) {
        const next = target[p];
        if (next && typeof next === 'object') target = next as Record<string, unknown>;
        else {
          const created: Record<string, unknown> = {};
          target[p] = created;
          target = created;
        }
      }
      target[path.at(-1) as string] = value;
    });
    return item;
  });
};

/** Dotted column names of a result schema (objects flattened, lists and records as one column). */
export const resultColumns = (schema: z.ZodType | undefined, prefix = 'result'): string[] => {
  if (!schema) return [];
  const shape = shapeOf(schema);
  if (!shape) return [prefix];
  return Object.entries(shape).flatMap(([k, s]) => resultColumns(s, `${prefix}.${k}`));
};

const valueAt = (value: unknown, path: readonly string[]): unknown => {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
};

/** A cell's text: lists joined with `|`, objects as JSON, formula-looking text defused. */
export const cellText = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  let text: string;
  if (Array.isArray(value))
    text = value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('|');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  // OWASP CSV injection: text starting with = + - @ tab or CR is defused (numbers are data, not formulas).
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** CSV text of `rows` under `columns` (dotted paths into each row). */
export const toCsv = (columns: readonly string[], rows: readonly unknown[]): string => {
  const lines = [columns.map(cellText).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cellText(valueAt(row, c.split('.')))).join(','));
  return `${lines.join('\r\n')}\r\n`;
};
