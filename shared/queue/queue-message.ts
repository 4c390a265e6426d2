/**
 * The envelope of a queue message: `{ requestId, operation, organisationId, caller?, userName?, request,
 * jobId?, retry? }`, and the field issues of one that does not have that shape.
 */
import * as z from 'zod';
import { ORGANISATION_ID_PATTERN } from '../config/runtime.js';
import type { FieldIssue } from '../domain/errors.js';
import { USER_NAME_PATTERN } from '../lrs/contract/fields.js';
import { OPERATION_IDS } from '../lrs/contract/operations.js';

/** Request ids: UUIDs or other opaque ids of safe characters. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** Caller recorded for messages that do not name one. */
export const QUEUE_CALLER = 'queue';
/** Organisation recorded for a message too broken to name a valid one. */
export const UNKNOWN_ORGANISATION = 'unknown';

export const queueMessageSchema = z
  .object({
    requestId: z.string().regex(REQUEST_ID_PATTERN).describe('Id the result is stored and read under'),
    operation: z.enum(OPERATION_IDS).describe('Must be the operation of the queue'),
    organisationId: z.string().regex(ORGANISATION_ID_PATTERN).describe('UKPRN or organisation reference'),
    caller: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('Who asked (API key id, IAM principal, job owner)'),
    userName: z.string().regex(USER_NAME_PATTERN).optional().describe('LRS UserName (1-35 characters)'),
    request: z.unknown().describe("The operation's JSON request, as on the HTTP API"),
    jobId: z.string().min(1).max(128).optional().describe('The bulk job this request belongs to'),
    retry: z
      .object({
        resends: z.number().int().min(0).describe('Delayed copies re-sent so far'),
        notBefore: z
          .number()
          .int()
          .optional()
          .describe('Epoch ms before which the LRS is not expected to answer'),
        attempts: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('LRS attempts that failed for a transient reason'),
        since: z.number().int().optional().describe('Epoch ms of the first failed attempt of this wait'),
        reason: z.string().max(32).optional().describe('Why the message waits'),
      })
      .strict()
      .optional()
      .describe('Set by the gateway on a copy it re-sent to wait for the LRS'),
  })
  .strict();

export type QueueMessage = z.output<typeof queueMessageSchema>;

/** A request's field issues, named under the message's `request` member. */
export const prefixed = (prefix: string, issues: readonly FieldIssue[]): FieldIssue[] =>
  issues.map((i) => ({
    field: i.field === '(request)' ? prefix : `${prefix}.${i.field}`,
    rule: i.rule,
    message: `${prefix}.${i.message}`,
  }));

/** The envelope's issues as fields of `message`. */
export const envelopeIssues = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((i) => {
    const field = `message.${i.path.map(String).join('.') || '(root)'}`;
    const rule =
      i.code === 'invalid_type' ? 'required' : i.code === 'unrecognized_keys' ? 'unknownField' : 'pattern';
    return { field, rule, message: `${field} is missing or invalid (rule: ${rule})` };
  });

/** The parsed JSON of a body, or undefined when it is not JSON. */
export const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
