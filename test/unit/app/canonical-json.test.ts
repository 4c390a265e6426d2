import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, compareKeys } from '../../../shared/app/canonical-json.js';

const sign = (n: number) => Math.sign(n);
const IDENTIFIER_CHARS = [...'abcxyzABCXYZ0189_'];
/** Keys close to each other: a few characters, so same-letter and case-only differences are common. */
const identifier = fc.string({ unit: fc.constantFrom(...IDENTIFIER_CHARS), maxLength: 6 });
/** Keys from a few characters, so that siblings often differ only in case or by `_` and digits. */
const nearKey = fc.string({ unit: fc.constantFrom('a', 'A', 'b', '_', '1'), maxLength: 3 });
/** The same key with some letters' case flipped. */
const caseVariant = (s: string, flips: boolean[]) =>
  [...s].map((c, i) => (flips[i] ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');
/** The order stored hashes were made with: `localeCompare` in a Lambda function, locale en-US. */
const collatorJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b, 'en')),
        )
      : v,
  );

describe('compareKeys', () => {
  it('orders identifiers as the collator does: _ then digits then letters, case last, lower case first', () => {
    const keys = [
      'b',
      'B',
      'a',
      'A',
      '_x',
      '1',
      '10',
      '9',
      'ab',
      'aB',
      'Ab',
      'a_b',
      'a1',
      'uln',
      'ULN',
      'Uln',
    ];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort((a, b) => a.localeCompare(b, 'en')));
    expect([...keys].sort(compareKeys)).toEqual([
      '_x',
      '1',
      '10',
      '9',
      'a',
      'A',
      'a_b',
      'a1',
      'ab',
      'aB',
      'Ab',
      'b',
      'B',
      'uln',
      'Uln',
      'ULN',
    ]);
  });

  it('agrees with localeCompare on any two ASCII identifiers', () => {
    fc.assert(
      fc.property(identifier, identifier, (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(a.localeCompare(b, 'en')));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with localeCompare on keys that differ only in case', () => {
    fc.assert(
      fc.property(identifier, fc.array(fc.boolean(), { maxLength: 6 }), (a, flips) => {
        const b = caseVariant(a, flips);
        expect(sign(compareKeys(a, b))).toBe(sign(a.localeCompare(b, 'en')));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves any other key to localeCompare', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(a.localeCompare(b, 'en')));
      }),
    );
    expect(sign(compareKeys('é', 'f'))).toBe(-1);
    // In English order whatever the process's locale (Danish puts `aa` after `å` and `A` before `a`).
    expect(['aa', 'å', 'a', 'A'].sort(compareKeys)).toEqual(['a', 'A', 'å', 'aa']);
    expect(sign(compareKeys('a-b', 'ab'))).toBe(sign('a-b'.localeCompare('ab', 'en')));
  });
});

describe('canonicalJson', () => {
  it('gives the text the collator order gave, whatever order the keys were written in', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(nearKey, identifier, fc.string({ maxLength: 4 })), tie('node'), {
          maxKeys: 6,
        }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const text = canonicalJson(v);
        expect(text).toBe(collatorJson(v));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('orders sibling keys that differ only in case, by `_` or by digits as the collator did', () => {
    fc.assert(
      fc.property(fc.dictionary(nearKey, fc.integer(), { minKeys: 2, maxKeys: 8 }), (v) => {
        expect(canonicalJson(v)).toBe(collatorJson(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('does not depend on the order keys were written in', () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: [{ d: 1, c: 2 }] } })).toBe(
      canonicalJson({ a: { x: [{ c: 2, d: 1 }], y: 2 }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});
