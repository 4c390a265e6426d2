/**
 * The normalisers applied before validation: examples of each rule, and fast-check properties over
 * untrusted input: every normaliser is idempotent, and a normalised value either passes the schema
 * rule or is refused with a 400 (ValidationError) naming the field and the rule, never the value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FieldIssue, ValidationError } from '../../../shared/domain/errors.js';
import {
  normaliseDateTime,
  normaliseLine,
  normaliseMultiline,
  normalisePostcode,
} from '../../../shared/lrs/contract/normalise.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { buildRequestBody } from '../../../shared/lrs/soap/request.js';
import { SAMPLES } from '../../support/lrs-samples.js';

const demographics = SAMPLES.findLearnerByDemographics[1] as Record<string, unknown>;
const achievementBatch = SAMPLES.submitAchievementBatch[1] as unknown as {
  achievements: Record<string, unknown>[];
};
const NBSP = '\u00a0';

describe('normalisers: examples', () => {
  it.each([
    ['  Anne   Marie ', 'Anne Marie'],
    [`Anne${NBSP}Marie`, 'Anne Marie'],
    ['O\u2019Brien\t\r\n Smith', 'O\u2019Brien Smith'],
    [`${NBSP}${NBSP}`, ''],
  ])('name %j → %j', (input, out) => {
    expect(normaliseLine(input)).toBe(out);
  });

  it.each([
    ['cv49ee', 'CV4 9EE'],
    [' CV4  9EE ', 'CV4 9EE'],
    [`sw1a${NBSP}1aa`, 'SW1A 1AA'],
    ['bfpo1234', 'BFPO 1234'],
    ['B F P O 12', 'BFPO 12'],
    ['not a postcode', 'NOT A POSTCODE'],
  ])('postcode %j → %j', (input, out) => {
    expect(normalisePostcode(input)).toBe(out);
  });

  it.each([
    ['2026-06-02', '2026-06-02T00:00:00'],
    ['2026-06-02T10:00', '2026-06-02T10:00:00'],
    ['2026-06-02 10:00:30', '2026-06-02T10:00:30'],
    ['2026-06-02T10:00:30.1234567', '2026-06-02T10:00:30'],
    [' 2026-06-02T10:00:30 ', '2026-06-02T10:00:30'],
    ['02/06/2026', '02/06/2026'],
  ])('date-time %j → %j', (input, out) => {
    expect(normaliseDateTime(input)).toBe(out);
  });

  it('multi-line text keeps its line breaks, as LF', () => {
    expect(normaliseMultiline('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
  });

  it('a search with a lower-case, double-spaced postcode and padded names is sent normalised', () => {
    const req = validateRequest('findLearnerByDemographics', {
      ...demographics,
      givenName: `  Sample${NBSP} `,
      lastKnownPostCode: ' cv4  9ee',
    });
    expect(req.givenName).toBe('Sample');
    expect(req.lastKnownPostCode).toBe('CV4 9EE');
  });

  it('a name of no-break spaces is a 400 naming the rule, not a value the LRS refuses', () => {
    const e = (() => {
      try {
        validateRequest('findLearnerByDemographics', { ...demographics, givenName: NBSP.repeat(3) });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues).toEqual([
      expect.objectContaining({ field: 'givenName', rule: 'nonBlank' }),
    ]);
  });

  it('an achievement with minutes-only times is sent with seconds (a valid xs:dateTime)', () => {
    const req = validateRequest('submitAchievementBatch', {
      ...achievementBatch,
      achievements: [{ ...achievementBatch.achievements[0], achievementAwardDate: '2026-06-02T10:00' }],
    });
    expect(req.achievements[0]?.achievementAwardDate).toBe('2026-06-02T10:00:00');
    const body = buildRequestBody('submitAchievementBatch', req, {
      credentials: {
        organisationId: 'TEST0045',
        organisationRef: 'AO0045',
        orgPassword: 'abcdefghijklmnop',
        userName: 'u',
        vendorId: 1,
        certificate: { kind: 'pem', key: Buffer.from(''), cert: Buffer.from('') },
        version: 'v',
      },
      userName: 'u',
    });
    expect(body).toContain('AchievementAwardDate>2026-06-02T10:00:00<');
  });
});

/** Strings with the characters that matter here: every kind of space, line breaks, letters, digits. */
const messy = fc.string({
  unit: fc.constantFrom(
    ' ',
    '\t',
    '\r',
    '\n',
    NBSP,
    '\u2003',
    '\u3000',
    'a',
    'B',
    'z',
    '9',
    '1',
    '-',
    "'",
    'é',
  ),
  maxLength: 50,
});
const postcodeLike = fc.string({
  unit: fc.constantFrom(' ', NBSP, 'A', 'b', 'C', 'v', 'R', '0', '4', '9', 'E', 'e', 'F', 'P', 'O', 'Z'),
  maxLength: 12,
});
const dateTimeLike = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1700, max: 2200 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.option(fc.integer({ min: 0, max: 61 })),
      fc.constantFrom('T', ' ', 't'),
      fc.constantFrom('', ' ', '.5', '.1234567'),
    )
    .map(([y, mo, d, h, mi, s, sep, tail]) => {
      const p = (n: number) => String(n).padStart(2, '0');
      return `${y}-${p(mo)}-${p(d)}${sep}${p(h)}:${p(mi)}${s === null ? '' : `:${p(s)}${tail}`}`;
    }),
  fc.string({ maxLength: 25 }),
);

/** The outcome of validating a request: the parsed request, or the issues (never anything else). */
const outcome = (op: 'findLearnerByDemographics' | 'submitAchievementBatch', input: unknown) => {
  try {
    return { ok: validateRequest(op, input) as Record<string, unknown> };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { issues: e.issues };
  }
};

/**
 * The property every normalised field has: for each generated value, the request carrying it (by
 * default, the demographics sample with `field` set to it) either passes validation, and `valid` checks
 * what the value became (by default the parsed `field`), or is a 400 whose first issue names `field` and
 * one of `rules`, and `refused` checks more of the issues.
 */
const validOrRefused = <T>(property: {
  values: fc.Arbitrary<T>;
  field: string;
  rules: readonly string[];
  request?: (value: T) => Parameters<typeof outcome>;
  parsedValue?: (parsed: Record<string, unknown>) => unknown;
  valid: (normalised: string, value: T) => void;
  refused?: (issues: readonly FieldIssue[], value: T) => void;
}) => {
  const {
    field,
    request = (value: T) => ['findLearnerByDemographics', { ...demographics, [field]: value }] as const,
    parsedValue = (parsed: Record<string, unknown>) => parsed[field],
  } = property;
  fc.assert(
    fc.property(property.values, (value) => {
      const r = outcome(...request(value));
      if (r.ok) {
        property.valid(parsedValue(r.ok) as string, value);
      } else {
        expect(r.issues?.[0]).toMatchObject({ field });
        expect(property.rules).toContain(r.issues?.[0]?.rule);
        property.refused?.(r.issues ?? [], value);
      }
    }),
    { numRuns: 1500 },
  );
};

describe('normalisers: properties', () => {
  it('every normaliser is idempotent', () => {
    fc.assert(
      fc.property(messy, postcodeLike, dateTimeLike, (text, pc, dt) => {
        expect(normaliseLine(normaliseLine(text))).toBe(normaliseLine(text));
        expect(normaliseMultiline(normaliseMultiline(text))).toBe(normaliseMultiline(text));
        expect(normalisePostcode(normalisePostcode(pc))).toBe(normalisePostcode(pc));
        expect(normaliseDateTime(normaliseDateTime(dt))).toBe(normaliseDateTime(dt));
      }),
      { numRuns: 2000 },
    );
  });

  it('a name either passes MIAPNameNonEmpty after normalising or is a 400 naming the rule', () => {
    validOrRefused({
      values: messy,
      field: 'givenName',
      rules: ['nonBlank', 'maxLength'],
      valid: (v, givenName) => {
        expect(v).toBe(normaliseLine(givenName));
        expect(v.length).toBeGreaterThan(0);
        expect(v.length).toBeLessThanOrEqual(35);
        expect(v).toBe(v.trim());
        expect(v).not.toMatch(/\s\s|[\u00a0\u2003\u3000\t\r\n]/);
      },
      refused: (issues, givenName) => {
        expect(issues).toHaveLength(1);
        if (givenName.length >= 3) expect(issues[0]?.message).not.toContain(givenName);
      },
    });
  });

  it('a postcode either passes MIAPPostCode in its canonical form or is a 400 naming the rule', () => {
    validOrRefused({
      values: postcodeLike,
      field: 'lastKnownPostCode',
      rules: ['pattern', 'maxLength'],
      valid: (v) => {
        expect(v).toMatch(/^(?:[A-Z]{1,2}[0-9R][0-9A-Z]? [0-9][A-Z]{2}|BFPO [0-9]{1,4})$/);
        expect(v.length).toBeLessThanOrEqual(9);
      },
    });
  });

  it('an achievement date-time either is sent as YYYY-MM-DDThh:mm:ss or is a 400 naming the rule', () => {
    validOrRefused({
      values: dateTimeLike,
      field: 'achievements[0].achievementAwardDate',
      rules: ['pattern', 'dateRange', 'calendarDate'],
      request: (achievementAwardDate) => [
        'submitAchievementBatch',
        {
          ...achievementBatch,
          achievements: [{ ...achievementBatch.achievements[0], achievementAwardDate }],
        },
      ],
      parsedValue: (parsed) => (parsed.achievements as Record<string, string>[])[0]?.achievementAwardDate,
      valid: (v) => {
        expect(v).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$/);
      },
    });
  });
});
