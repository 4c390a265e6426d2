/**
 * The validator, checking as Xerces does: patterns first, then length and range facets; element-only
 * content; xsi:nil only where nillable; the first error only, with Xerces' message.
 */
import { isNil, type XmlEl, XSI } from '../xml.js';
import type { ComplexType, Particle, SimpleType } from './types.js';

const patternCache = new Map<string, RegExp>();
const anchored = (patterns: readonly string[]): RegExp => {
  const key = patterns.join('\u0000');
  let re = patternCache.get(key);
  if (!re) {
    re = new RegExp(`^(?:${patterns.map((x) => `(?:${x})`).join('|')})$`);
    patternCache.set(key, re);
  }
  return re;
};

const INT_RE = /^[+-]?[0-9]+$/;
const DATETIME_RE =
  /^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?$/;
const FLOAT_RE = /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|-?INF|NaN)$/;
const LEXICAL = { dateTime: DATETIME_RE, float: FLOAT_RE } as const;
const INTEGER_RANGE = {
  int: [-2147483648n, 2147483647n],
  long: [-9223372036854775808n, 9223372036854775807n],
} as const;
/** The length facets in the order Xerces checks them, each with the test that breaks it. */
const LENGTH_FACETS: readonly (readonly [
  'length' | 'minLength' | 'maxLength',
  (len: number, limit: number) => boolean,
])[] = [
  ['length', (len, limit) => len !== limit],
  ['minLength', (len, limit) => len < limit],
  ['maxLength', (len, limit) => len > limit],
];

const notA = (value: string, type: string) =>
  `cvc-datatype-valid.1.2.1: '${value}' is not a valid value for '${type}'.`;
const rangeError = (
  facet: 'minInclusive' | 'maxInclusive',
  value: string,
  limit: bigint | number,
  typeName: string,
) =>
  `cvc-${facet}-valid: Value '${value}' is not facet-valid with respect to ${facet} '${limit}' for type '${typeName}'.`;

/** Name of an element as Xerces prints it in cvc-complex-type messages. */
const shown = (ns: string, local: string) => (ns ? `{"${ns}":${local}}` : local);
const expectedList = (ps: readonly Particle[]) => `{${ps.map((x) => shown(x.ns ?? '', x.name)).join(', ')}}`;

const codePoints = (v: string) => [...v].length;

/** Validates a simple value; returns the first Xerces-style error, or undefined when valid. */
export const checkSimple = (type: SimpleType, rawValue: string): string | undefined => {
  const collapse = type.base !== 'string';
  const value = collapse ? rawValue.replace(/[\t\n\r ]+/g, ' ').trim() : rawValue;
  if (type.patterns && !anchored(type.patterns).test(value)) {
    return `cvc-pattern-valid: Value '${value}' is not facet-valid with respect to pattern '${type.patterns.join('|')}' for type '${type.name}'.`;
  }
  if (type.base === 'int' || type.base === 'long') {
    if (!INT_RE.test(value)) return notA(value, 'integer');
    // BigInt: an xs:long has 64 bits, more than a JS number holds exactly.
    const n = BigInt(value.trim());
    const [lo, hi] = INTEGER_RANGE[type.base];
    if (n > hi) return rangeError('maxInclusive', value, hi, type.base);
    if (n < lo) return rangeError('minInclusive', value, lo, type.base);
    if (type.minInclusive !== undefined && n < BigInt(type.minInclusive))
      return rangeError('minInclusive', value, type.minInclusive, type.name);
    if (type.maxInclusive !== undefined && n > BigInt(type.maxInclusive))
      return rangeError('maxInclusive', value, type.maxInclusive, type.name);
    return undefined;
  }
  if (type.base === 'dateTime' || type.base === 'float') {
    return LEXICAL[type.base].test(value) ? undefined : notA(value, type.base);
  }
  if (type.enumeration && !type.enumeration.includes(value)) {
    return `cvc-enumeration-valid: Value '${value}' is not facet-valid with respect to enumeration '[${type.enumeration.join(', ')}]'. It must be a value from the enumeration.`;
  }
  const len = codePoints(value);
  const broken = LENGTH_FACETS.find(([facet, fails]) => type[facet] !== undefined && fails(len, type[facet]));
  return broken
    ? `cvc-${broken[0]}-valid: Value '${value}' with length = '${len}' is not facet-valid with respect to ${broken[0]} '${type[broken[0]]}' for type '${type.name}'.`
    : undefined;
};

export interface ValidationFailure {
  /** Xerces-style message of the first error. */
  readonly message: string;
  /** Local name of the element where it was found. */
  readonly element: string;
}

const validateAttrs = (el: XmlEl, particle: Particle): string | undefined => {
  for (const a of el.attrs) {
    if (a.ns === XSI && a.local === 'nil') {
      if (!particle.nillable)
        return `cvc-elt.3.1: Attribute '${XSI},nil' must not appear on element '${el.raw}', because the {nillable} property of '${el.raw}' is false.`;
      continue;
    }
    if (a.ns === XSI && a.local === 'type') continue;
    return `cvc-complex-type.3.2.2: Attribute '${a.prefix ? `${a.prefix}:` : ''}${a.local}' is not allowed to appear in element '${el.raw}'.`;
  }
  return undefined;
};

const validateElement = (el: XmlEl, particle: Particle): ValidationFailure | undefined => {
  const attrErr = validateAttrs(el, particle);
  if (attrErr) return { message: attrErr, element: el.local };
  if (isNil(el)) {
    if (el.children.length > 0 || el.text.trim() !== '')
      return {
        message: `cvc-elt.3.2.1: Element '${el.raw}' cannot have character or element information [children], because '${XSI},nil' is specified.`,
        element: el.local,
      };
    return undefined;
  }
  const type = particle.type;
  if (type.kind === 'simple') {
    if (el.children.length > 0) {
      return {
        message: `cvc-type.3.1.2: Element '${el.raw}' is a simple type, so it must have no element information item [children].`,
        element: el.local,
      };
    }
    const msg = checkSimple(type, el.text);
    return msg ? { message: msg, element: el.local } : undefined;
  }
  return validateComplex(el, type);
};

/** Validates the children of `el` against a sequence; returns the first error. */
export const validateComplex = (el: XmlEl, type: ComplexType): ValidationFailure | undefined => {
  if (el.text.trim() !== '') {
    return {
      message: `cvc-complex-type.2.3: Element '${el.raw}' cannot have character [children], because the type's content type is element-only.`,
      element: el.local,
    };
  }
  const ps = type.particles;
  let i = 0;
  let count = 0;
  const possibleFrom = (start: number, startCount: number): Particle[] => {
    const out: Particle[] = [];
    for (let j = start; j < ps.length; j++) {
      const q = ps[j] as Particle;
      const c = j === start ? startCount : 0;
      if (c < q.max) out.push(q);
      if (c < q.min) break;
    }
    return out;
  };
  for (const c of el.children) {
    let matched = false;
    const [fromI, fromCount] = [i, count];
    while (i < ps.length) {
      const q = ps[i] as Particle;
      const same = q.name === c.local && (q.ns ?? '') === c.ns;
      if (same && count < q.max) {
        count++;
        matched = true;
        const err = validateElement(c, q);
        if (err) return err;
        break;
      }
      if (count >= q.min) {
        i++;
        count = 0;
        continue;
      }
      break;
    }
    if (!matched) {
      const expected = possibleFrom(fromI, fromCount);
      return {
        message:
          expected.length === 0
            ? `cvc-complex-type.2.4.d: Invalid content was found starting with element '${shown(c.ns, c.local)}'. No child element is expected at this point.`
            : `cvc-complex-type.2.4.a: Invalid content was found starting with element '${shown(c.ns, c.local)}'. One of '${expectedList(expected)}' is expected.`,
        element: c.local,
      };
    }
  }
  // End of content: every remaining particle must be satisfied.
  for (let j = i; j < ps.length; j++) {
    const q = ps[j] as Particle;
    const c = j === i ? count : 0;
    if (c < q.min) {
      return {
        message: `cvc-complex-type.2.4.b: The content of element '${el.raw}' is not complete. One of '${expectedList(possibleFrom(i, count))}' is expected.`,
        element: el.local,
      };
    }
  }
  return undefined;
};
