/**
 * Canonical JSON: the same value gives the same text whatever order its keys were written in, so a
 * hash of it (a request's, a job submission's) tells a repeated request from a different one.
 *
 * Keys are in an English collator's order: what `localeCompare` gives in a Lambda function (locale
 * en-US), the order stored hashes were made with, now whatever the process's locale (a Danish one puts
 * `A` before `a` and `aa` after `å`). The first collation in a process sets up ICU's
 * collator (15.5-16.7 ms of a cold start's CPU on the bench machine), so keys made of ASCII letters, digits
 * and `_` (every key of our schemas) are compared by `compareIdentifiers`, which gives the collator's
 * order for them without it; any other key goes to the collator. `test/unit/app/canonical-json.test.ts`
 * checks the two agree on generated keys.
 */

const IDENTIFIER = /^[A-Za-z0-9_]*$/;

/**
 * A character's place at the collator's first level: `_` (punctuation) before the digits, the digits
 * before the letters, a letter's case set aside.
 */
const primary = (c: number): number => {
  if (c === 95) return 0; // _
  if (c <= 57) return c - 47; // 0-9: 1-10
  return (c | 32) - 86; // a-z and A-Z: 11-36
};

/**
 * The collator's order of two ASCII identifiers: every character's first-level place, then length (a
 * prefix first), then lower case before upper at the first difference. (`Object.fromEntries` still puts
 * integer-like keys first, in numeric order, as it always did.)
 */
const compareIdentifiers = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = primary(a.charCodeAt(i)) - primary(b.charCodeAt(i));
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    // Same letter, different case: the lower-case one (the larger code) comes first.
    if (x !== y) return x > y ? -1 : 1;
  }
  return 0;
};

/** `a.localeCompare(b, 'en')`, without the collator for ASCII identifiers. */
export const compareKeys = (a: string, b: string): number =>
  IDENTIFIER.test(a) && IDENTIFIER.test(b) ? compareIdentifiers(a, b) : a.localeCompare(b, 'en');

/** Canonical JSON (sorted keys) so that key order does not change the hash. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareKeys(a, b)))
      : v,
  );
