/**
 * Who sent a queue message, and may they ask for it. SQS stamps every message with the sender's IAM
 * principal id (`SenderId`: a user id `AIDA…`, or `AROA…:<session>` for an assumed role); the message body
 * cannot be trusted to say who sent it. A message is accepted when its sender is
 * - one of the gateway's own roles (TRUSTED_SENDER_IDS: bulk job fan-out, retries), which name the
 *   caller they act for in `caller`; or
 * - a queue sender of a registered, active caller (registry `SENDER#<id>`, the full id or its role id),
 *   holding the operation's scope, granted the message's organisation, which is registered and active;
 *   `caller`, if present, must be that caller.
 * Anything else is refused with a reason (recorded FAILED by the worker, acknowledged, no LRS call).
 */
import type { SQSRecord } from 'aws-lambda';
import { SCOPES } from '../config/scopes.js';
import { OPERATIONS, type OperationId } from '../lrs/contract/operations.js';
import type { RegistryReader } from '../ports/registry.js';

export type SenderCheck =
  | { readonly ok: true; readonly caller: string }
  | { readonly ok: false; readonly caller: string; readonly reason: string };

export interface QueueAccessDependencies {
  readonly registry: RegistryReader;
  readonly trustedSenderIds: readonly string[];
}

/** The caller recorded for a message whose sender is no registered caller. */
export const UNREGISTERED_SENDER = 'unregistered-sender';

export const isTrustedSender = (trusted: readonly string[], senderId: string): boolean =>
  trusted.some((id) => senderId === id || senderId.startsWith(`${id}:`));

export const checkQueueSender = async (
  deps: QueueAccessDependencies,
  record: Pick<SQSRecord, 'attributes'>,
  message: { readonly organisationId: string; readonly caller?: string | undefined },
  op: OperationId,
  fallbackCaller: string,
): Promise<SenderCheck> => {
  const senderId = record.attributes?.SenderId;
  if (!senderId) {
    return { ok: false, caller: UNREGISTERED_SENDER, reason: 'The message carries no SenderId attribute' };
  }
  if (isTrustedSender(deps.trustedSenderIds, senderId))
    return { ok: true, caller: message.caller ?? fallbackCaller };
  const roleId = senderId.split(':')[0] ?? senderId;
  const callerId =
    (await deps.registry.callerForSender(senderId)) ??
    (roleId !== senderId ? await deps.registry.callerForSender(roleId) : undefined);
  if (!callerId) {
    return {
      ok: false,
      caller: UNREGISTERED_SENDER,
      reason: 'The sender of the message is not a registered caller of the gateway',
    };
  }
  const refuse = (reason: string): SenderCheck => ({ ok: false, caller: callerId, reason });
  if (message.caller !== undefined && message.caller !== callerId) {
    return refuse('message.caller names another caller than the sender (leave it out or send your own id)');
  }
  const caller = await deps.registry.getCaller(callerId);
  if (caller?.status !== 'active') return refuse('The sending caller is suspended or no longer registered');
  const scope = OPERATIONS[op].mutating ? SCOPES.write : SCOPES.read;
  if (!caller.scopes.includes(scope)) return refuse(`The sending caller lacks the scope ${scope}`);
  if (!(await deps.registry.getGrant(callerId, message.organisationId))) {
    return refuse('The sending caller may not act for this organisation');
  }
  const organisation = await deps.registry.getOrganisation(message.organisationId);
  if (organisation?.status !== 'active') return refuse('The organisation is not configured or is suspended');
  return { ok: true, caller: callerId };
};
