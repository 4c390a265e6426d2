/**
 * Normalisers applied before validation, so that what the LRS receives is in the form it expects and
 * a value that only differs in spacing, case or precision is not refused:
 *
 * - names and other one-line text: every kind of space (tab, line breaks, no-break space U+00A0 and
 *   the other Unicode spaces) counts as a space; runs collapse to one; leading and trailing spaces go;
 * - multi-line text (notes, descriptions): line breaks are sent as LF (XML turns a CR into LF at the
 *   LRS anyway, so sending CR would store something other than what was sent);
 * - postcodes: spaces removed, upper-cased, then the one canonical space before the inward code
 *   (`cv49ee` → `CV4 9EE`, `BFPO1234` → `BFPO 1234`);
 * - date-times: `YYYY-MM-DD`, `YYYY-MM-DDThh:mm`, `YYYY-MM-DD hh:mm:ss` or with fractional seconds
 *   become `YYYY-MM-DDThh:mm:ss` (what an `xs:dateTime` of the LRS needs).
 *
 * Each is idempotent and leaves what it cannot normalise unchanged apart from spacing, for the
 * validator to refuse with a 400 naming the rule. Non-strings are passed through for the same reason.
 */

/** Characters treated as a space in names: XSD `\s`, the other Unicode spaces, NBSP and line breaks. */
const isSpaceLike = (c: number): boolean =>
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
  c === 0x85 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/** One-line text: spaces of every kind collapsed to one, trimmed. */
export const normaliseLine = (v: string): string => {
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isSpaceLike(c)) {
      pendingSpace = out !== '';
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += v[i];
  }
  return out;
};

/** Multi-line text: CRLF and CR become LF; nothing else changes. */
export const normaliseMultiline = (v: string): string =>
  v.indexOf('\r') < 0 ? v : v.replace(/\r\n?/g, '\n');

const COMPACT_POSTCODE = /^[A-Z]{1,2}[0-9R][0-9A-Z]?[0-9][A-Z]{2}$/;
const COMPACT_BFPO = /^BFPO[0-9]{1,4}$/;

/** A UK postcode or BFPO number in its canonical form: upper case, one space before the inward code. */
export const normalisePostcode = (v: string): string => {
  let compact = '';
  for (let i = 0; i < v.length; i++) if (!isSpaceLike(v.charCodeAt(i))) compact += v[i];
  compact = compact.toUpperCase();
  if (COMPACT_POSTCODE.test(compact)) return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  if (COMPACT_BFPO.test(compact)) return `BFPO ${compact.slice(4)}`;
  return normaliseLine(v).toUpperCase();
};

const DATE_TIME =
  /^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,7})?)?)?$/;

/** A date or date-time as `YYYY-MM-DDThh:mm:ss` (midnight for a date, seconds added, fractions dropped). */
export const normaliseDateTime = (v: string): string => {
  const t = normaliseLine(v);
  const m = DATE_TIME.exec(t);
  if (!m) return t;
  const [, date, hh = '00', mm = '00', ss = '00'] = m;
  return `${date}T${hh}:${mm}:${ss}`;
};

/** Wraps a normaliser for zod's preprocess: strings are normalised, anything else is left to the schema. */
export const onStrings =
  (f: (v: string) => string) =>
  (v: unknown): unknown =>
    typeof v === 'string' ? f(v) : v;
