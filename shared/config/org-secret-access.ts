/**
 * Who may read an organisation's LRS secret (client certificate, private key, organisation password), as
 * ARN patterns shared by the CDK app (IAM grants, the KMS key policy) and the admin CLI (the resource policy
 * it attaches to every secret it creates). Dependency-free.
 *
 * Secrets live under `lrs-gateway/<stage>/org/<organisationId>`, created at run time. The only roles that read
 * them are the functions that call the LRS and the certificate-expiry check; CDK puts those roles under one
 * IAM path per stage, so one pattern names them all without naming an organisation or a function.
 */
import { orgSecretPrefix } from './names.js';

/** Where an ARN is: the partition and account (and region for regional services). */
export interface ArnScope {
  readonly partition: string;
  readonly account: string;
}

/** IAM path of the roles that may read organisation secrets. */
export const orgSecretReaderRolePath = (stage: string): string => `/lrs-gateway/${stage}/org-secret-reader/`;

/** Every role under the reader path of the stage, e.g. `arn:aws:iam::123456789012:role/lrs-gateway/live/org-secret-reader/*`. */
export const orgSecretReaderArnPattern = (scope: ArnScope, stage: string): string =>
  `arn:${scope.partition}:iam::${scope.account}:role${orgSecretReaderRolePath(stage)}*`;

/** Every organisation secret of the stage (Secrets Manager appends `-` and 6 random characters to the name). */
export const orgSecretArnPattern = (scope: ArnScope & { readonly region: string }, stage: string): string =>
  `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.account}:secret:${orgSecretPrefix(stage)}*`;

/** Tags the admin CLI puts on an organisation secret (and the tag keys an ABAC policy can use). */
export const orgSecretTags = (stage: string, organisationId: string): { Key: string; Value: string }[] => [
  { Key: 'application', Value: 'lrs-gateway' },
  { Key: 'stage', Value: stage },
  { Key: 'lrs-gateway:organisation', Value: organisationId },
];

/**
 * The resource policy the admin CLI attaches to every organisation secret (PutResourcePolicy, with
 * BlockPublicPolicy): nobody may read the value except the stage's reader roles and the stage's
 * `secretReaderArns` (infra/config/stages.ts), even a principal of the account whose IAM policy allows
 * `secretsmanager:*`. Writing a new version (rotation) and describing stay with IAM.
 */
export function orgSecretResourcePolicy(
  scope: ArnScope,
  stage: string,
  secretReaderArns: readonly string[] = [],
): { Version: '2012-10-17'; Statement: Record<string, unknown>[] } {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheGatewayReadsTheValue',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: {
          ArnNotLike: { 'aws:PrincipalArn': [orgSecretReaderArnPattern(scope, stage), ...secretReaderArns] },
        },
      },
    ],
  };
}
