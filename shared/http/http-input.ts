/**
 * The headers an operation call carries, checked into FieldIssues (field, rule, message; never the value).
 * Header names are matched case-insensitively (the header normaliser lower-cases them first).
 */
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import { type FieldIssue, ValidationError } from '../domain/errors.js';
import { USER_NAME_PATTERN } from '../lrs/contract/fields.js';

export const HEADERS = {
  /** The organisation (UKPRN or LRS organisation reference) the call is made for. */
  organisation: 'X-LRS-Organisation',
  /** The end user at the organisation, sent to the LRS as UserName (1-35 characters). */
  userName: 'X-LRS-Username',
  /** Required on operations that change the LRS; scoped per organisation. */
  idempotencyKey: 'Idempotency-Key',
  /** Set on every response. */
  requestId: 'X-Request-Id',
  /** `true` when the answer is the stored answer to an earlier call with the same Idempotency-Key. */
  replayed: 'Idempotent-Replayed',
} as const;

/** A UUID or any other opaque token of 8-128 safe characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

export interface CallHeaders {
  readonly organisationId: string;
  readonly userName?: string;
  readonly idempotencyKey?: string;
}

const header = (headers: Record<string, string | undefined> | null, name: string): string | undefined => {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
};

const field = (name: string) => `headers.${name}`;

/** X-LRS-Organisation alone: what the access check needs before anything else is read. */
export const readOrganisationHeader = (
  headers: Record<string, string | undefined> | null,
): { organisationId?: string; issues: FieldIssue[] } => {
  const org = header(headers, HEADERS.organisation)?.trim();
  if (!org) {
    return {
      issues: [
        {
          field: field(HEADERS.organisation),
          rule: 'required',
          message: `${field(HEADERS.organisation)} is required: the UKPRN or organisation reference to act for (rule: required)`,
        },
      ],
    };
  }
  if (!ORGANISATION_ID_PATTERN.test(org)) {
    return {
      issues: [
        {
          field: field(HEADERS.organisation),
          rule: 'pattern',
          message: `${field(HEADERS.organisation)} must be a UKPRN (8 letters/digits) or an organisation reference (6) (rule: pattern)`,
        },
      ],
    };
  }
  return { organisationId: org, issues: [] };
};

export const readCallHeaders = (
  headers: Record<string, string | undefined> | null,
  options: { idempotencyKeyRequired: boolean },
): { value?: CallHeaders; issues: FieldIssue[] } => {
  const organisation = readOrganisationHeader(headers);
  const issues: FieldIssue[] = [...organisation.issues];
  const org = organisation.organisationId;
  const userName = header(headers, HEADERS.userName);
  if (userName !== undefined && !USER_NAME_PATTERN.test(userName)) {
    issues.push({
      field: field(HEADERS.userName),
      rule: 'pattern',
      message: `${field(HEADERS.userName)} must be 1-35 printable characters and not blank (rule: pattern)`,
    });
  }
  const key = header(headers, HEADERS.idempotencyKey);
  if (key === undefined || key === '') {
    if (options.idempotencyKeyRequired) {
      issues.push({
        field: field(HEADERS.idempotencyKey),
        rule: 'required',
        message: `${field(HEADERS.idempotencyKey)} is required for an operation that changes the LRS (rule: required)`,
      });
    }
  } else if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    issues.push({
      field: field(HEADERS.idempotencyKey),
      rule: 'pattern',
      message: `${field(HEADERS.idempotencyKey)} must be 8-128 characters from A-Z a-z 0-9 . _ : - (rule: pattern)`,
    });
  }
  if (issues.length > 0 || !org) return { issues };
  return {
    value: {
      organisationId: org,
      ...(userName ? { userName } : {}),
      ...(key ? { idempotencyKey: key } : {}),
    },
    issues,
  };
};

/** The deepest nesting of objects and arrays a JSON body may have (every request of the API needs < 10). */
/**
 * A path parameter that must match `pattern`; otherwise a ValidationError naming the parameter, the rule and
 * the form expected (never the value).
 */
export const readPathParameter = (
  event: { readonly pathParameters: Readonly<Record<string, string | undefined>> | null },
  name: string,
  pattern: RegExp,
  expected: string,
): string => {
  const value = event.pathParameters?.[name] ?? '';
  if (!pattern.test(value)) {
    throw new ValidationError([
      { field: `path.${name}`, rule: 'pattern', message: `path.${name} must be ${expected} (rule: pattern)` },
    ]);
  }
  return value;
};

export const MAX_JSON_DEPTH = 32;

/**
 * How deeply a JSON text nests objects and arrays, counted without parsing (so a hostile body cannot
 * make a recursive parser or validator run out of stack). Stops counting past `limit`.
 */
export const jsonDepth = (text: string, limit = Number.POSITIVE_INFINITY): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
};

export const depthIssue: FieldIssue = {
  field: 'body',
  rule: 'maxDepth',
  message: `body must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep (rule: maxDepth)`,
};
