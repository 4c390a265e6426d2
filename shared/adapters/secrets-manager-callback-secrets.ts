/**
 * CallbackSecrets backed by AWS Secrets Manager: one JSON secret per caller, named
 * `${secretPrefix}${callerSecretKey(caller)}`, holding `{ "signingSecret": "<at least 32 characters>" }`.
 * Cached for 5 minutes (a rotated secret is picked up within that time); never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ConfigurationError } from '../domain/errors.js';
import { type CallbackSecrets, callerSecretKey } from '../ports/callback-secrets.js';

export const callbackSecretSchema = z.object({ signingSecret: z.string().min(32).max(512) });

export interface SecretsManagerCallbackSecretsOptions {
  readonly secretPrefix: string;
  readonly client?: SecretsManagerClient;
  readonly cacheTtlMs?: number;
}

export class SecretsManagerCallbackSecrets implements CallbackSecrets {
  private readonly client: SecretsManagerClient;
  private readonly cache = new Map<string, { at: number; value: Promise<string | undefined> }>();

  constructor(private readonly options: SecretsManagerCallbackSecretsOptions) {
    this.client = options.client ?? new SecretsManagerClient({});
  }

  signingSecret(caller: string): Promise<string | undefined> {
    const hit = this.cache.get(caller);
    if (hit && Date.now() - hit.at < (this.options.cacheTtlMs ?? 5 * 60_000)) return hit.value;
    const value = this.load(caller);
    this.cache.set(caller, { at: Date.now(), value });
    value.catch(() => this.cache.delete(caller));
    return value;
  }

  private async load(caller: string): Promise<string | undefined> {
    const name = `${this.options.secretPrefix}${callerSecretKey(caller)}`;
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      text = out.SecretString;
    } catch (e) {
      if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? '');
    } catch {
      parsed = undefined;
    }
    const secret = callbackSecretSchema.safeParse(parsed);
    if (!secret.success) {
      throw new ConfigurationError(
        'The callback signing secret of a caller is not JSON with a signingSecret of 32-512 characters',
      );
    }
    return secret.data.signingSecret;
  }
}
