/**
 * Where the gateway finds the secret it signs a caller's job callbacks with: one per caller (the system
 * that submitted the job), shared with that caller out of band. No SDK here: the Secrets Manager
 * implementation is in shared/adapters/secrets-manager-callback-secrets.ts.
 */
import { createHash } from 'node:crypto';

export interface CallbackSecrets {
  /** The caller's signing secret; undefined when none is configured for it. */
  signingSecret(caller: string): Promise<string | undefined>;
}

/**
 * The name part a caller id takes in a secret name: the id itself when it uses only the characters a
 * Secrets Manager name allows (and no `/`), otherwise `sha256-<hex of the id>`.
 */
export const callerSecretKey = (caller: string): string => {
  if (/^[A-Za-z0-9_+=.@-]{1,200}$/.test(caller)) return caller;
  return `sha256-${createHash('sha256').update(caller).digest('hex')}`;
};
