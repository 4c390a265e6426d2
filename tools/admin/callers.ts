/**
 * `caller add|suspend|resume|remove|list` and `grant|revoke`: the systems that call the gateway.
 * In AWS a caller is a Cognito app client of the stage's user pool (client credentials flow, the
 * caller's scopes of the resource server, a generated secret) registered under its client id; with
 * `--local` it is a client of the local token issuer (its secret kept as a salted hash in the registry).
 * The client secret is printed once, to stdout, and stored nowhere in clear.
 */
import {
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { hashClientSecret, newClientSecret } from '../../local/token-issuer.js';
import { ALL_SCOPES, type Scope } from '../../shared/config/scopes.js';
import type { CallerRecord } from '../../shared/ports/registry.js';
import { type AdminContext, organisationArg, type StatusTarget, UsageError } from './context.js';

const CALLER_ID = /^[A-Za-z0-9._:@/+=-]{1,256}$/;
const SENDER_ID = /^[A-Za-z0-9:._@+=,/-]{1,256}$/;

const callerArg = (id: string | undefined): string => {
  if (!id || !CALLER_ID.test(id)) throw new UsageError('Name the caller by its client id');
  return id;
};

/** `caller suspend|resume`: a suspended caller's calls and queue messages are refused. */
export const CALLER_STATUS: StatusTarget = {
  noun: 'Caller',
  parse: callerArg,
  update: (registry, id, changes) => registry.updateCaller(id, changes),
  suspended: 'suspended (its calls and messages are refused)',
};

const scopesOption = (ctx: AdminContext): Scope[] => {
  const text = ctx.values.scopes;
  if (!text) throw new UsageError(`--scopes is required: a comma-separated list of ${ALL_SCOPES.join(', ')}`);
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || scopes.length === 0) {
    throw new UsageError(`--scopes takes ${ALL_SCOPES.join(', ')} (comma-separated)`);
  }
  return [...new Set(scopes)] as Scope[];
};

const sendersOption = (ctx: AdminContext): string[] => {
  const senders = ctx.values['queue-sender'] ?? [];
  for (const s of senders) {
    if (!SENDER_ID.test(s)) {
      throw new UsageError('--queue-sender takes an IAM principal id (AIDA… for a user, AROA… for a role)');
    }
  }
  return senders;
};

export const callerAdd = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const name = ctx.values.name;
  if (!name || name.length > 128)
    throw new UsageError('--name is required (up to 128 characters): who the caller is');
  const scopes = scopesOption(ctx);
  const queueSenders = sendersOption(ctx);
  let callerId: string;
  let secret: string | undefined;
  if (!ctx.local && !ctx.userPoolId && id) {
    // Another OIDC issuer (e.g. Entra ID) holds the client: register its client id only.
    callerId = callerArg(id);
    if (await ctx.registry.getCaller(callerId)) throw new UsageError(`Caller ${callerId} exists already`);
  } else if (ctx.local) {
    callerId = callerArg(
      id ??
        `local-${newClientSecret()
          .slice(0, 12)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`,
    );
    secret = newClientSecret();
    if (await ctx.registry.getCaller(callerId)) throw new UsageError(`Caller ${callerId} exists already`);
    await ctx.registry.putLocalClient(callerId, await hashClientSecret(secret));
  } else {
    if (!ctx.userPoolId) {
      throw new UsageError(
        '--user-pool-id (or COGNITO_USER_POOL_ID) is needed to create the caller in Cognito',
      );
    }
    if (id) throw new UsageError('In Cognito the client id is made by Cognito: leave the caller id out');
    const out = await ctx.cognito().send(
      new CreateUserPoolClientCommand({
        UserPoolId: ctx.userPoolId,
        ClientName: name,
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: scopes.map((s) => `${ctx.scopePrefix}${s}`),
        ExplicitAuthFlows: [],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      }),
    );
    const client = out.UserPoolClient;
    if (!client?.ClientId || !client.ClientSecret) throw new Error('Cognito returned no client id or secret');
    callerId = client.ClientId;
    secret = client.ClientSecret;
  }
  const now = new Date().toISOString();
  const record: CallerRecord = {
    callerId,
    name,
    status: 'active',
    scopes,
    ...(queueSenders.length > 0 ? { queueSenders } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await ctx.registry.putCaller(record);
  ctx.io.out(`Caller ${callerId} (${name}) added with scopes ${scopes.join(' ')}`);
  ctx.io.out(`  client id      ${callerId}`);
  if (secret) {
    ctx.io.out(`  client secret  ${secret}`);
    ctx.io.out('  The secret is shown once: hand it to the caller over a secure channel.');
  }
  ctx.io.out(`  next: npm run admin -- grant ${callerId} <organisation>`);
};

export const callerRemove = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const callerId = callerArg(id);
  if (!(await ctx.registry.getCaller(callerId))) throw new UsageError(`Caller ${callerId} is not registered`);
  await ctx.registry.removeCaller(callerId);
  if (!ctx.local && ctx.userPoolId) {
    await ctx
      .cognito()
      .send(new DeleteUserPoolClientCommand({ UserPoolId: ctx.userPoolId, ClientId: callerId }));
  }
  ctx.io.out(
    `Caller ${callerId} removed with its grants${!ctx.local && ctx.userPoolId ? ' and its Cognito app client' : ''}`,
  );
};

export const callerList = async (ctx: AdminContext): Promise<void> => {
  const callers = await ctx.registry.listCallers();
  for (const c of callers) {
    const grants = await ctx.registry.listGrants(c.callerId);
    const orgs = grants.map((g) => `${g.organisationId}${g.readAll ? '(readAll)' : ''}`).join(',') || '-';
    ctx.io.out([c.callerId, c.status, c.scopes.join(' '), orgs, c.name].join('  '));
  }
  ctx.io.out(`${callers.length} caller(s)`);
};

export const grant = async (ctx: AdminContext, caller: string | undefined, org: string | undefined) => {
  const callerId = callerArg(caller);
  const organisationId = organisationArg(org);
  if (!(await ctx.registry.getCaller(callerId))) throw new UsageError(`Caller ${callerId} is not registered`);
  if (!(await ctx.registry.getOrganisation(organisationId))) {
    throw new UsageError(`Organisation ${organisationId} is not registered`);
  }
  const readAll = ctx.values['read-all'] === true;
  await ctx.registry.putGrant({ callerId, organisationId, readAll, createdAt: new Date().toISOString() });
  ctx.io.out(
    `Caller ${callerId} may act for ${organisationId}${readAll ? ' and read its whole history' : ''}`,
  );
};

export const revoke = async (ctx: AdminContext, caller: string | undefined, org: string | undefined) => {
  const callerId = callerArg(caller);
  const organisationId = organisationArg(org);
  const removed = await ctx.registry.removeGrant(callerId, organisationId);
  if (!removed) throw new UsageError(`Caller ${callerId} had no grant of ${organisationId}`);
  ctx.io.out(`Caller ${callerId} may no longer act for ${organisationId}`);
};
