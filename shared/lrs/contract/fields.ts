/**
 * zod building blocks for the legacy MIAP XSD facets (the Java back end behind LearnerService still
 * enforces them). Each block is plain zod (regex / max / enum where possible, so the OpenAPI document
 * shows the facet), plus refinements that carry a `rule` name for the few rules zod cannot express.
 */
import * as z from 'zod';
import { normaliseLine, normaliseMultiline, normalisePostcode, onStrings } from './normalise.js';
import { isValidUln, ULN_PATTERN } from './uln.js';
import { INVALID_XML_CHARS } from './xml-chars.js';

/**
 * The LRS UserName of the end user (a header or a queue message field): 1-35 characters, not blank
 * (MIAPNameNonEmpty), printable (no control characters).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it excludes
export const USER_NAME_PATTERN = /^(?=.*\S)[^\x00-\x1F\x7F]{1,35}$/;

/** A refinement issue with a stable rule name; the message is built later from field + rule. */
const issue = (ctx: z.core.$RefinementCtx<string>, rule: string, detail: string): void => {
  ctx.addIssue({ code: 'custom', message: detail, params: { rule }, input: undefined });
};

/** Every string the LRS receives must be representable in XML 1.0. */
const xmlSafe = (s: z.ZodString) =>
  s.superRefine((v, ctx) => {
    if (INVALID_XML_CHARS.test(v)) issue(ctx, 'xmlChar', 'contains a character XML cannot carry');
  });

/** XSD `\s` is only space, tab, CR and LF. */
const NON_BLANK = /^[ \t\n\r]*[^ \t\n\r][\s\S]*$/;

/** Normalise (see normalise.ts), then validate; the description stays on the outer schema for OpenAPI. */
const normalised = <T extends z.ZodType>(f: (v: string) => string, schema: T, description: string) =>
  z.preprocess(onStrings(f), schema).describe(description);

/** MIAPNameNonEmpty: 1-35 characters, not only whitespace (spaces collapsed and trimmed first). */
export const nameNonEmpty = (description: string) =>
  normalised(
    normaliseLine,
    xmlSafe(z.string().max(35)).superRefine((v, ctx) => {
      if (!NON_BLANK.test(v)) issue(ctx, 'nonBlank', 'must contain at least one non-space character');
    }),
    `${description} (1-35 characters, not blank; spaces collapsed and trimmed)`,
  );

/** MIAPName: up to 35 characters (may be empty; spaces collapsed and trimmed first). */
export const name35 = (description: string) =>
  normalised(normaliseLine, xmlSafe(z.string().max(35)), `${description} (up to 35 characters)`);

/** One-line text (addresses, school names): spaces collapsed and trimmed first. */
export const lineText = (max: number, description: string) =>
  normalised(normaliseLine, xmlSafe(z.string().max(max)), `${description} (up to ${max} characters)`);

/** Multi-line text: line breaks sent as LF. */
export const maxText = (max: number, description: string) =>
  normalised(normaliseMultiline, xmlSafe(z.string().max(max)), `${description} (up to ${max} characters)`);

/** MIAPULN plus the check digit. */
export const uln = (description = 'Unique Learner Number') =>
  z
    .string()
    .regex(ULN_PATTERN)
    .superRefine((v, ctx) => {
      if (!ULN_PATTERN.test(v)) return;
      if (v === '9999999999') {
        issue(ctx, 'ulnCheckDigit', 'is the ILR temporary ULN, which is not an LRS ULN');
      } else if (!isValidUln(v)) {
        issue(ctx, 'ulnCheckDigit', 'fails the ULN check digit');
      }
    })
    .describe(`${description}: 10 digits, first digit 1-9, valid check digit`);

const DATE_FORMAT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** A real calendar day between 1800-01-01 and 2099-12-31 (MIAPDate). */
export const isMiapDate = (v: string): 'ok' | 'pattern' | 'dateRange' | 'calendarDate' => {
  if (!DATE_FORMAT.test(v)) return 'pattern';
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  if (y < 1800 || y > 2099) return 'dateRange';
  if (m < 1 || m > 12 || d < 1) return 'calendarDate';
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d > days ? 'calendarDate' : 'ok';
};

export const miapDate = (description: string) =>
  z
    .string()
    .regex(DATE_FORMAT)
    .superRefine((v, ctx) => {
      const r = isMiapDate(v);
      if (r === 'dateRange') issue(ctx, 'dateRange', 'must be a date between 1800-01-01 and 2099-12-31');
      else if (r === 'calendarDate') issue(ctx, 'calendarDate', 'must be a real calendar date');
    })
    .describe(`${description} (YYYY-MM-DD, 1800-2099)`);

export const GENDERS = ['0', '1', '2', '9'] as const;
export const gender = (description = 'Gender: 0 not known, 1 male, 2 female, 9 not specified') =>
  z.enum(GENDERS).describe(description);

const POSTCODE =
  /^(?:[a-zA-Z]{1,2}[0-9rR][0-9a-zA-Z]? ?[0-9][abdefghjlnpqrstuwxyzABDEFGHJLNPQRSTUWXYZ]{2} ? ? ? ?|[bB][fF][pP][oO] ?[0-9]{1,4} ? ? ? ?)$/;
export const postcode = (description = 'UK postcode (or BFPO)') =>
  normalised(
    normalisePostcode,
    z.string().max(9).regex(POSTCODE),
    `${description}, up to 9 characters; sent upper-cased with one space before the inward code`,
  );

const EMAIL =
  /^[a-zA-Z0-9!#$%'*+\-/=?^_`{|}~]+(\.[a-zA-Z0-9!#$%'*+\-/=?^_`{|}~]+)*@[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9](\.[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])*\.[a-zA-Z]{2,6}$/;
export const email = (description = 'Email address') =>
  z.string().max(254).regex(EMAIL).describe(`${description} (up to 254 characters)`);

export const VERIFICATION_TYPES = ['0', '1', '2', '3', '4', '5', '6', '7', '999'] as const;
export const verificationType = () =>
  z
    .enum(VERIFICATION_TYPES)
    .describe(
      'How identity was verified: 0 not provided, 1 relationship with school, 2 passport, 3 driving licence, 4 ID card, 5 NI card, 6 certificate of entitlement to funding, 7 bank/credit/debit card, 999 other',
    );

export const ABILITY_TO_SHARE = ['0', '1', '2'] as const;
export const abilityToShare = () =>
  z
    .enum(ABILITY_TO_SHARE)
    .describe('Fair processing notice: 0 not seen, 1 seen and able to share, 2 seen and unable to share');

export const scottishCandidateNumber = () =>
  z
    .string()
    .regex(/^[0-9]{9}$/)
    .describe('Scottish candidate number (9 digits)');

export const nationality = () => maxText(3, 'Nationality code');

export const FIND_TYPES = ['FUL', 'CHK'] as const;

/** R9 userType values (GetOrganisation's enum also has Unknown). */
export const USER_TYPES = ['LNR', 'ORG', 'SER'] as const;
