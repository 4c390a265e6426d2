/**
 * `org add|rotate|suspend|resume|remove|list|show`: organisations and their LRS secrets, at run time.
 * The certificate is checked first (certificate.ts); the secret JSON is built and validated in memory
 * with the same schema the functions read it with, then stored in a Secrets Manager secret of its own,
 * `lrs-gateway/<stage>/org/<id>`, tagged with the stage and organisation. Rotation writes a new version
 * of the same secret (the old one stays AWSPREVIOUS) and records it in the registry: warm functions
 * reload the credentials within the registry cache window, with no deploy and no downtime.
 */
import { readFileSync } from 'node:fs';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  organisationSecretSchema,
  toCredentials,
} from '../../shared/adapters/secrets-manager-credentials.js';
import { orgSecretResourcePolicy, orgSecretTags } from '../../shared/config/org-secret-access.js';
import type { OrganisationRecord } from '../../shared/ports/registry.js';
import {
  type CertificateFacts,
  type CertificateInput,
  CertificateProblem,
  checkCertificate,
} from './certificate.js';
import {
  type AdminContext,
  organisationArg,
  type StatusTarget,
  secretFromEnv,
  UsageError,
} from './context.js';

type SecretJson = Record<string, unknown>;

const readFile = (path: string, what: string): Buffer => {
  try {
    return readFileSync(path);
  } catch {
    throw new UsageError(`Cannot read the ${what} file ${path}`);
  }
};

/** The certificate named on the command line (PFX + passphrase, or PEM certificate + key). */
const certificateInput = (ctx: AdminContext): CertificateInput | undefined => {
  const v = ctx.values;
  if (v.pfx && (v.cert || v.key)) throw new UsageError('Give either --pfx, or --cert and --key, not both');
  if (v.pfx) {
    const passphrase = secretFromEnv(ctx, 'passphrase-env', 'PFX passphrase');
    if (passphrase === undefined)
      throw new UsageError('--pfx needs --passphrase-env <VARIABLE holding the passphrase>');
    return { kind: 'pfx', pfx: readFile(v.pfx, 'PFX'), passphrase, file: v.pfx };
  }
  if (v.cert || v.key) {
    if (!v.cert || !v.key)
      throw new UsageError('--cert and --key go together (PEM certificate and its private key)');
    const passphrase = secretFromEnv(ctx, 'key-passphrase-env', 'private key passphrase');
    return {
      kind: 'pem',
      cert: readFile(v.cert, 'certificate'),
      key: readFile(v.key, 'key'),
      ...(passphrase ? { passphrase } : {}),
    };
  }
  return undefined;
};

const certificateJson = (input: CertificateInput): SecretJson['certificate'] =>
  input.kind === 'pfx'
    ? { pfx: input.pfx.toString('base64'), passphrase: input.passphrase }
    : {
        pem: {
          key: input.key.toString('utf8'),
          cert: input.cert.toString('utf8'),
          ...(input.passphrase ? { passphrase: input.passphrase } : {}),
        },
      };

const checked = (input: CertificateInput): CertificateFacts => {
  try {
    return checkCertificate(input);
  } catch (e) {
    if (e instanceof CertificateProblem) throw new UsageError(e.message);
    throw e;
  }
};

/** Validates the secret as the functions will read it (schema and key material), never printing it. */
const validated = (organisationId: string, json: SecretJson): string => {
  const parsed = organisationSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(secret)'))];
    throw new UsageError(`The LRS credentials are incomplete or invalid: ${fields.join(', ')}`);
  }
  toCredentials(organisationId, parsed.data, 'check');
  return JSON.stringify(json);
};

const inBodyFields = (ctx: AdminContext, organisationId: string, base: SecretJson = {}): SecretJson => {
  const v = ctx.values;
  const orgPassword = secretFromEnv(ctx, 'org-password-env', 'LRS organisation password (16 characters)');
  const ukprn =
    v.ukprn ??
    (base.ukprn as string | undefined) ??
    (organisationId.length === 8 ? organisationId : undefined);
  const organisationRef =
    v['org-ref'] ??
    (base.organisationRef as string | undefined) ??
    (organisationId.length === 6 ? organisationId : undefined);
  return {
    ...base,
    ...(ukprn ? { ukprn } : {}),
    ...(organisationRef ? { organisationRef } : {}),
    ...(orgPassword !== undefined ? { orgPassword } : {}),
    ...(v['user-name'] ? { userName: v['user-name'] } : {}),
    ...(v['vendor-id'] ? { vendorId: v['vendor-id'] } : {}),
    ...(v['server-ca'] ? { serverCa: readFile(v['server-ca'], 'server CA').toString('utf8') } : {}),
  };
};

const describeCertificate = (ctx: AdminContext, facts: CertificateFacts): void => {
  ctx.io.out(`  certificate  ${facts.subject} (issuer ${facts.issuer})`);
  ctx.io.out(`  valid until  ${facts.notAfter.toISOString()} (${facts.daysLeft} days)`);
  if (facts.daysLeft < 30) ctx.io.err(`warning: the certificate expires in ${facts.daysLeft} days`);
};

/** The KMS key of the stage's organisation secrets (infra/constructs/stage-keys.ts), unless one is named. */
const orgSecretsKey = (ctx: AdminContext): string =>
  ctx.values['kms-key-id'] ?? `alias/lrs-gateway-${ctx.stage}-org-secrets`;

/**
 * Creates the organisation's secret (encrypted with the stage's organisation-secrets key, tagged) and attaches
 * the resource policy that lets only the gateway's reader roles read it. A secret left scheduled for deletion
 * by `org remove` is restored and given the new value as a new version, so an organisation can come back.
 */
const storeNewSecret = async (
  ctx: AdminContext,
  organisationId: string,
  secretName: string,
  secret: string,
): Promise<{ versionId?: string }> => {
  let arn: string | undefined;
  let versionId: string | undefined;
  try {
    const created = await ctx.secrets.send(
      new CreateSecretCommand({
        Name: secretName,
        SecretString: secret,
        Description: `LRS client certificate and credentials of organisation ${organisationId}`,
        KmsKeyId: orgSecretsKey(ctx),
        Tags: [...orgSecretTags(ctx.stage, organisationId), { Key: 'lrs-gateway:stage', Value: ctx.stage }],
      }),
    );
    arn = created.ARN;
    versionId = created.VersionId;
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceExistsException') throw e;
    const existing = await ctx.secrets.send(new DescribeSecretCommand({ SecretId: secretName }));
    if (existing.DeletedDate === undefined) {
      throw new UsageError(`The secret ${secretName} exists already: use org rotate, or remove it first`);
    }
    await ctx.secrets.send(new RestoreSecretCommand({ SecretId: secretName }));
    const put = await ctx.secrets.send(
      new PutSecretValueCommand({ SecretId: secretName, SecretString: secret }),
    );
    arn = existing.ARN;
    versionId = put.VersionId;
    ctx.io.out(`  the secret ${secretName} was scheduled for deletion: restored with the new certificate`);
  }
  const scope = arnScope(arn);
  await ctx.secrets.send(
    new PutResourcePolicyCommand({
      SecretId: secretName,
      ResourcePolicy: JSON.stringify(orgSecretResourcePolicy(scope, ctx.stage, readerArns(ctx))),
      BlockPublicPolicy: true,
    }),
  );
  return versionId ? { versionId } : {};
};

/** Partition and account of a secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>). */
const arnScope = (arn: string | undefined): { partition: string; account: string } => {
  const parts = (arn ?? '').split(':');
  if (parts.length < 7 || !parts[1] || !parts[4]) {
    throw new Error('Secrets Manager returned no usable secret ARN; the resource policy was not attached');
  }
  return { partition: parts[1], account: parts[4] };
};

/** `--secret-reader-arn a,b`: the stage's secretReaderArns (operators who may read the value, e.g. doctor). */
const readerArns = (ctx: AdminContext): string[] =>
  (ctx.values['secret-reader-arn'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);

export const orgAdd = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const organisationId = organisationArg(id);
  const input = certificateInput(ctx);
  if (!input) throw new UsageError('org add needs the LRS client certificate: --pfx, or --cert and --key');
  const facts = checked(input);
  const secret = validated(organisationId, {
    ...inBodyFields(ctx, organisationId),
    certificate: certificateJson(input),
  });
  if (await ctx.registry.getOrganisation(organisationId)) {
    throw new UsageError(
      `Organisation ${organisationId} is already registered: use org rotate to change its certificate`,
    );
  }
  const secretName = `${ctx.secretPrefix}${organisationId}`;
  const stored = await storeNewSecret(ctx, organisationId, secretName, secret);
  const versionId = stored.versionId;
  const now = new Date().toISOString();
  const record: OrganisationRecord = {
    organisationId,
    status: 'active',
    secretName,
    ...(versionId ? { secretVersionId: versionId } : {}),
    certificateSubject: facts.subject,
    certificateNotAfter: facts.notAfter.toISOString(),
    createdAt: now,
    updatedAt: now,
  };
  await ctx.registry.putOrganisation(record);
  ctx.io.out(`Organisation ${organisationId} added (active), secret ${secretName}`);
  describeCertificate(ctx, facts);
  ctx.io.out(
    `  next: npm run admin -- grant <caller> ${organisationId}, then npm run admin -- doctor ${organisationId}`,
  );
};

export const orgRotate = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const organisationId = organisationArg(id);
  const existing = await ctx.registry.getOrganisation(organisationId);
  if (!existing) throw new UsageError(`Organisation ${organisationId} is not registered: use org add`);
  const input = certificateInput(ctx);
  const current = await ctx.secrets.send(new GetSecretValueCommand({ SecretId: existing.secretName }));
  let base: SecretJson;
  try {
    base = JSON.parse(current.SecretString ?? '{}') as SecretJson;
  } catch {
    base = {};
  }
  const facts = input ? checked(input) : undefined;
  const next = {
    ...inBodyFields(ctx, organisationId, base),
    ...(input ? { certificate: certificateJson(input) } : {}),
  };
  const secret = validated(organisationId, next);
  const put = await ctx.secrets.send(
    new PutSecretValueCommand({ SecretId: existing.secretName, SecretString: secret }),
  );
  await ctx.registry.updateOrganisation(organisationId, {
    ...(put.VersionId ? { secretVersionId: put.VersionId } : {}),
    ...(facts
      ? { certificateSubject: facts.subject, certificateNotAfter: facts.notAfter.toISOString() }
      : {}),
    updatedAt: new Date().toISOString(),
  });
  ctx.io.out(
    `Organisation ${organisationId}: new secret version written; functions use it within the registry cache window`,
  );
  if (facts) describeCertificate(ctx, facts);
};

/** `org suspend|resume`: calls for a suspended organisation are refused (403). */
export const ORGANISATION_STATUS: StatusTarget = {
  noun: 'Organisation',
  parse: organisationArg,
  update: (registry, id, changes) => registry.updateOrganisation(id, changes),
  suspended: 'suspended: calls for it are refused (403) within the registry cache window',
};

export const orgRemove = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const organisationId = organisationArg(id);
  const existing = await ctx.registry.getOrganisation(organisationId);
  if (!existing) throw new UsageError(`Organisation ${organisationId} is not registered`);
  await ctx.registry.removeOrganisation(organisationId);
  if (!ctx.values['keep-secret']) {
    // Recoverable for 30 days (Secrets Manager's default), then gone.
    await ctx.secrets.send(
      new DeleteSecretCommand({ SecretId: existing.secretName, RecoveryWindowInDays: 30 }),
    );
  }
  ctx.io.out(
    `Organisation ${organisationId} removed with its grants${ctx.values['keep-secret'] ? '' : `; secret ${existing.secretName} scheduled for deletion in 30 days`}`,
  );
};

const row = (o: OrganisationRecord): string =>
  [
    o.organisationId.padEnd(8),
    o.status.padEnd(9),
    (o.certificateNotAfter ?? '-').slice(0, 10),
    o.certificateSubject ?? '-',
  ].join('  ');

export const orgList = async (ctx: AdminContext): Promise<void> => {
  const orgs = await ctx.registry.listOrganisations();
  if (ctx.values.json) {
    ctx.io.out(JSON.stringify(orgs));
    return;
  }
  ctx.io.out(`${'ORG'.padEnd(8)}  ${'STATUS'.padEnd(9)}  NOT AFTER   SUBJECT`);
  for (const o of orgs) ctx.io.out(row(o));
  ctx.io.out(`${orgs.length} organisation(s)`);
};

export const orgShow = async (ctx: AdminContext, id: string | undefined): Promise<void> => {
  const organisationId = organisationArg(id);
  const org = await ctx.registry.getOrganisation(organisationId);
  if (!org) throw new UsageError(`Organisation ${organisationId} is not registered`);
  const lrs = await ctx.registry.getLrsStatus(organisationId);
  ctx.io.out(JSON.stringify({ ...org, lrs: lrs ?? {} }, null, 2));
};
