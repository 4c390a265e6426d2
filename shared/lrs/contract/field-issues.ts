/**
 * A zod validation error as the API reports it: one issue per bad field, each naming the field (a
 * dotted path), the rule it breaks and the expected form, never the value that was sent.
 */
import type * as z from 'zod';
import type { FieldIssue } from '../../domain/errors.js';

const RULE_TEXT: Record<string, string> = {
  required: 'is required',
  type: 'has the wrong type',
  pattern: 'does not have the required format',
  maxLength: 'is too long',
  minLength: 'is too short',
  enum: 'is not one of the allowed values',
  minItems: 'has too few items',
  maxItems: 'has too many items',
  min: 'is too small',
  max: 'is too large',
  integer: 'must be a whole number',
};

const fieldName = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => {
    if (typeof p === 'number') return `${acc}[${p}]`;
    return acc === '' ? String(p) : `${acc}.${String(p)}`;
  }, '');

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown => {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
};

type Def = {
  type?: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
};

/**
 * The description of the schema at `path` (what the OpenAPI document says of the field, e.g. its
 * expected format "YYYY-MM-DD"), looking through optional/default/pipe wrappers.
 */
export const describeAt = (
  schema: z.ZodType | undefined,
  path: readonly PropertyKey[],
): string | undefined => {
  let current: z.ZodType | undefined = schema;
  let described: string | undefined;
  const unwrap = (): void => {
    for (let i = 0; current && i < 8; i++) {
      described ??= current.description;
      const def = current._zod.def as Def;
      const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
      if (!inner) return;
      current = inner;
    }
  };
  for (const key of path) {
    unwrap();
    const def = current?._zod.def as Def | undefined;
    if (!def) return undefined;
    described = undefined;
    if (typeof key === 'number') current = def.element;
    else current = def.shape?.[String(key)];
  }
  unwrap();
  return described;
};

/**
 * Turns zod issues into FieldIssues with a rule name and a message that never contains the value. With
 * the schema, a format rule says the expected form (from the field's description).
 */
export const toFieldIssues = (error: z.ZodError, input: unknown, schema?: z.ZodType): FieldIssue[] => {
  const out: FieldIssue[] = [];
  for (const i of error.issues) {
    const field = fieldName(i.path) || '(request)';
    let rule: string;
    let detail: string | undefined;
    switch (i.code) {
      case 'invalid_type':
        rule = valueAt(input, i.path) === undefined ? 'required' : i.expected === 'int' ? 'integer' : 'type';
        if (rule === 'type') detail = `must be ${i.expected === 'object' ? 'an object' : `a ${i.expected}`}`;
        break;
      case 'too_big':
        rule = i.origin === 'string' ? 'maxLength' : i.origin === 'array' ? 'maxItems' : 'max';
        detail = `${RULE_TEXT[rule]} (maximum ${String(i.maximum)}${i.origin === 'string' ? ' characters' : ''})`;
        break;
      case 'too_small':
        rule = i.origin === 'string' ? 'minLength' : i.origin === 'array' ? 'minItems' : 'min';
        detail = `${RULE_TEXT[rule]} (minimum ${String(i.minimum)}${i.origin === 'string' ? ' characters' : ''})`;
        break;
      case 'invalid_format': {
        rule = 'pattern';
        const expected = describeAt(schema, i.path);
        if (expected) detail = `${RULE_TEXT.pattern}: ${expected}`;
        break;
      }
      case 'invalid_value':
        if (valueAt(input, i.path) === undefined) {
          rule = 'required';
          detail = `is required: one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
        } else {
          rule = 'enum';
          detail = `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
        }
        break;
      case 'invalid_union':
        rule = valueAt(input, i.path) === undefined ? 'required' : 'enum';
        break;
      case 'unrecognized_keys':
        rule = 'unknownField';
        detail = `has unknown fields: ${i.keys.join(', ')}`;
        break;
      case 'custom': {
        const params = (i as { params?: { rule?: string } }).params;
        rule = params?.rule ?? 'invalid';
        detail = i.message;
        break;
      }
      default:
        rule = 'invalid';
    }
    const text = detail ?? RULE_TEXT[rule] ?? 'is invalid';
    out.push({ field, rule, message: `${field} ${text} (rule: ${rule})` });
  }
  return out;
};
