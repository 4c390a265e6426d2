/**
 * Production access, as the templates show it: organisations and callers are run-time registry data (the
 * templates do not change with their number), the authorizer and its token issuer, the key policies, the
 * organisation secret grants and policy, and who may send to the operation queues.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES, type StageConfig } from '../../infra/config/stages.js';
import { AUTHORIZER_CACHE_TTL } from '../../infra/constructs/caller-authorizer.js';
import { KEY_ADMIN_ACTIONS } from '../../infra/constructs/stage-keys.js';
import { DEFAULT_TOKEN_SCOPE_PREFIX, ENV, REGISTRY } from '../../shared/config/names.js';
import {
  orgSecretArnPattern,
  orgSecretReaderArnPattern,
  orgSecretReaderRolePath,
  orgSecretResourcePolicy,
  orgSecretTags,
} from '../../shared/config/org-secret-access.js';
import { kebab, OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import { type BuiltStage, buildStage } from './support.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const ofType = (built: BuiltStage, stack: 'data' | 'service', type: string): [string, Resource][] =>
  Object.entries(built[stack].toJSON().Resources as Record<string, Resource>).filter(
    ([, r]) => r.Type === type,
  );
const functionNamed = (built: BuiltStage, name: string): [string, Resource] => {
  const found = ofType(built, 'service', 'AWS::Lambda::Function').find(
    ([, r]) => r.Properties.FunctionName === name,
  );
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
};
const envOf = (fn: Resource): Json => (fn.Properties.Environment as { Variables: Json }).Variables;
const roleIdOf = (fn: Resource): string =>
  (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

/** A registry's worth of organisations and callers, in the shape a stage record once carried them. */
const registryOf = (organisations: number, callers: number) => ({
  organisations: Array.from({ length: organisations }, (_, i) => String(10_000_000 + i)),
  callers: Array.from({ length: callers }, (_, i) => ({
    name: `mis-${i}`,
    organisations: [String(10_000_000 + (i % organisations))],
    rateLimit: 5,
    burstLimit: 10,
  })),
});

let live: BuiltStage;

beforeAll(() => {
  live = buildStage(STAGES.live);
});

describe('organisations and callers are run-time data', () => {
  it('synthesizes the same templates for 1 organisation and for 1,000 organisations with 200 callers', () => {
    const small = registryOf(1, 1);
    const large = registryOf(1000, 200);
    // A stage record left over from the old configuration, or a registry export pasted into it, changes nothing.
    const withLarge = buildStage({ ...STAGES.live, ...large } as StageConfig);
    const withSmall = buildStage({ ...STAGES.live, ...small } as StageConfig);
    expect(withLarge.data.toJSON()).toEqual(withSmall.data.toJSON());
    expect(withLarge.service.toJSON()).toEqual(withSmall.service.toJSON());
    expect(withLarge.service.toJSON()).toEqual(live.service.toJSON());
    const text = JSON.stringify([withLarge.data.toJSON(), withLarge.service.toJSON()]);
    for (const id of [large.organisations[0], large.organisations[999]]) expect(text).not.toContain(id);
    expect(text).not.toContain('mis-199');
  });

  it('stays far below the CloudFormation limits of 500 resources and 200 outputs per stack', () => {
    for (const stack of ['data', 'service'] as const) {
      const template = live[stack].toJSON();
      // The hard limit is 500; the production layer (WAF, dashboard, alarms, gateway responses) puts the service
      // stack in the 400s, the same for any number of organisations. Keep 50 of headroom for new operations.
      expect(Object.keys(template.Resources).length).toBeLessThan(450);
      expect(Object.keys(template.Outputs ?? {}).length).toBeLessThan(20);
    }
  });
});

describe('caller authorizer', () => {
  it('is a REQUEST authorizer on the Authorization header, its answers cached briefly', () => {
    const authorizers = ofType(live, 'service', 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0] ?? [];
    expect(authorizer?.Properties).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL.toSeconds(),
    });
    expect(AUTHORIZER_CACHE_TTL.toSeconds()).toBeLessThanOrEqual(300);
    const [fnId] = functionNamed(live, 'lrs-gateway-live-authorizer');
    expect(JSON.stringify(authorizer?.Properties.AuthorizerUri)).toContain(fnId);
    // API Gateway may invoke it, for this API only.
    const permission = ofType(live, 'service', 'AWS::Lambda::Permission').find(
      ([, p]) =>
        JSON.stringify(p.Properties.FunctionName).includes(fnId) &&
        JSON.stringify(p.Properties.SourceArn).includes('authorizers'),
    );
    expect(JSON.stringify(permission?.[1].Properties.SourceArn)).toContain(String(authorizerId));
  });

  it('requires the usage key the authorizer returns on every authorised route once the stage asks for it', () => {
    const keyed = buildStage({ ...STAGES.test, requireUsageKey: true });
    const methods = ofType(keyed, 'service', 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThan(OPERATION_IDS.length);
    for (const [id, m] of methods) {
      const authorised = m.Properties.AuthorizationType === 'CUSTOM';
      expect(m.Properties.ApiKeyRequired, id).toBe(authorised);
    }
    keyed.service.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
  });

  it("verifies tokens of the stage's Cognito pool, with the resource server's scope prefix", () => {
    const [, fn] = functionNamed(live, 'lrs-gateway-live-authorizer');
    const vars = envOf(fn);
    expect(vars[ENV.cognitoUserPoolId]).toEqual({ 'Fn::ImportValue': expect.stringMatching(/UserPool/) });
    expect(vars[ENV.tokenScopePrefix]).toBe(DEFAULT_TOKEN_SCOPE_PREFIX);
    expect(vars[ENV.registryTableName]).toBeDefined();
    for (const name of [ENV.tokenIssuer, ENV.tokenAudience, ENV.tokenJwksUri])
      expect(vars[name]).toBeUndefined();
  });

  it('verifies tokens of another OIDC issuer (Microsoft Entra ID) when the stage names one', () => {
    const tenant = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000';
    const entra = buildStage({
      ...STAGES.dev,
      auth: {
        kind: 'oidc',
        issuer: `${tenant}/v2.0`,
        audience: ['api://lrs-gateway-dev', '11111111-1111-1111-1111-111111111111'],
        jwksUri: `${tenant}/discovery/v2.0/keys`,
        scopePrefix: 'api://lrs-gateway-dev/',
      },
    });
    const [, fn] = functionNamed(entra, 'lrs-gateway-dev-authorizer');
    expect(envOf(fn)).toMatchObject({
      [ENV.tokenIssuer]: `${tenant}/v2.0`,
      [ENV.tokenAudience]: 'api://lrs-gateway-dev,11111111-1111-1111-1111-111111111111',
      [ENV.tokenJwksUri]: `${tenant}/discovery/v2.0/keys`,
      [ENV.tokenScopePrefix]: 'api://lrs-gateway-dev/',
    });
    expect(envOf(fn)[ENV.cognitoUserPoolId]).toBeUndefined();
    entra.data.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('may read the registry and nothing else of the stage', () => {
    const roleId = roleIdOf(functionNamed(live, 'lrs-gateway-live-authorizer')[1]);
    const statements = ofType(live, 'service', 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const dataActions = statements
      .flatMap(actionsOf)
      .filter((a) => /^(dynamodb|secretsmanager|sqs):/.test(a));
    expect(dataActions.sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'].sort(),
    );
    for (const s of statements.filter((x) => actionsOf(x).some((a) => a.startsWith('dynamodb:')))) {
      expect(JSON.stringify(s.Resource)).toMatch(/RegistryTable/);
    }
  });
});

const GRANT_GUARD = {
  Sid: 'DenyGrantsExceptForAwsServices',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

describe('KMS key policies', () => {
  const keys = () =>
    ofType(live, 'data', 'AWS::KMS::Key').map(([id, k]) => ({
      id,
      statements: (k.Properties.KeyPolicy as { Statement: Statement[] }).Statement,
    }));
  const CRYPTO = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant|Sign|GenerateMac|\*)/;

  it('gives no principal unconditioned use of any key, and the account administration without use', () => {
    expect(keys()).toHaveLength(4);
    for (const { id, statements } of keys()) {
      for (const s of statements) {
        if (s.Effect === 'Deny') {
          // The only denial: no grants but for AWS services acting for AWS resources (Control Tower KMS.PR.3).
          expect(s, id).toEqual(GRANT_GUARD);
          continue;
        }
        expect(s.Effect).toBe('Allow');
        const crypto = actionsOf(s).filter((a) => CRYPTO.test(a));
        if (crypto.length === 0) {
          // Administration for the account, or a service reading the key's description for its own account.
          const describeOnly = actionsOf(s).join() === 'kms:DescribeKey';
          if (describeOnly) expect(JSON.stringify(s.Condition), id).toContain('aws:SourceAccount');
          else expect(actionsOf(s).sort(), id).toEqual([...KEY_ADMIN_ACTIONS].sort());
          continue;
        }
        const conditions = JSON.stringify(s.Condition ?? {});
        const viaService = /"kms:ViaService":"(dynamodb|secretsmanager|sns)\./.test(conditions);
        const serviceFromAccount =
          JSON.stringify(s.Principal).includes('"Service"') && conditions.includes('aws:SourceAccount');
        expect(viaService || serviceFromAccount, `${id} ${s.Sid}`).toBe(true);
        if (viaService) expect(conditions, `${id} ${s.Sid}`).toContain('kms:CallerAccount');
      }
    }
  });

  it('uses each key for one kind of data', () => {
    const services = (id: string) =>
      new Set(
        (keys().find((k) => k.id.startsWith(id))?.statements ?? []).flatMap((s) => {
          const text = JSON.stringify(s);
          return [
            ...text.matchAll(/"kms:ViaService":"([a-z]+)\./g),
            ...text.matchAll(/"Service":"([a-z]+)\./g),
          ].map((m) => m[1]);
        }),
      );
    expect([...services('Key')].sort()).toEqual(['dynamodb']);
    expect([...services('OrgSecretsKey')].sort()).toEqual(['secretsmanager']);
    expect([...services('AlarmKey')].sort()).toEqual(['cloudwatch', 'sns']);
    expect([...services('LogsKey')].sort()).toEqual(['logs']);
  });

  it('lets only the organisation secret readers (and listed operators) decrypt organisation secrets', () => {
    const build = buildStage({
      ...STAGES.test,
      secretReaderArns: [
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_LrsOperator_*',
      ],
    });
    const [, key] =
      ofType(build, 'data', 'AWS::KMS::Key').find(([id]) => id.startsWith('OrgSecretsKey')) ?? [];
    const statements = (key?.Properties.KeyPolicy as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const decrypt = statements.filter((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': 'secretsmanager.eu-west-2.amazonaws.com',
        'kms:CallerAccount': '123456789012',
      },
      ArnLike: {
        'aws:PrincipalArn': [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::123456789012:role/lrs-gateway/test/org-secret-reader/*',
              ],
            ],
          },
          'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_LrsOperator_*',
        ],
      },
    });
  });
});

describe('organisation secret policy (the admin CLI attaches it to every secret)', () => {
  const scope = { partition: 'aws', account: '123456789012', region: 'eu-west-2' };
  /** IAM ArnLike: `*` matches any characters (including `/`). */
  const arnLike = (pattern: string, arn: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(arn);

  it("refuses the value to everyone but the stage's reader roles and listed readers", () => {
    const operator = 'arn:aws:iam::123456789012:role/lrs-operator';
    // The document exactly as PutResourcePolicy receives it (key order included).
    const expected =
      '{"Version":"2012-10-17","Statement":[{"Sid":"OnlyTheGatewayReadsTheValue","Effect":"Deny",' +
      '"Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"ArnNotLike":' +
      '{"aws:PrincipalArn":["arn:aws:iam::123456789012:role/lrs-gateway/live/org-secret-reader/*",' +
      `"${operator}"]}}}]}`;
    expect(JSON.stringify(orgSecretResourcePolicy(scope, 'live', [operator]))).toBe(expected);
  });

  it("names the roles the stack puts under the readers' path, and no role of another stage or path", () => {
    const pattern = orgSecretReaderArnPattern(scope, 'live');
    const role = (path: string) =>
      `arn:aws:iam::123456789012:role${path}LrsGateway-live-Service-Handler1A2B3C`;
    expect(arnLike(pattern, role(orgSecretReaderRolePath('live')))).toBe(true);
    expect(arnLike(pattern, role(orgSecretReaderRolePath('test')))).toBe(false);
    expect(arnLike(pattern, role('/'))).toBe(false);
    expect(arnLike(pattern, 'arn:aws:iam::210987654321:role/lrs-gateway/live/org-secret-reader/x')).toBe(
      false,
    );
  });

  it('grants the secrets of one stage only, whatever the organisation id', () => {
    const pattern = orgSecretArnPattern(scope, 'live');
    const secret = (name: string) => `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${name}-AbCdEf`;
    expect(arnLike(pattern, secret('lrs-gateway/live/org/10012345'))).toBe(true);
    expect(arnLike(pattern, secret('lrs-gateway/live/org/ABC123'))).toBe(true);
    expect(arnLike(pattern, secret('lrs-gateway/test/org/10012345'))).toBe(false);
    expect(arnLike(pattern, secret('lrs-gateway/live/other'))).toBe(false);
    expect(orgSecretTags('live', '10012345')).toContainEqual({
      Key: 'lrs-gateway:organisation',
      Value: '10012345',
    });
  });
});

describe('operation queues', () => {
  const queuePolicies = (built: BuiltStage) =>
    ofType(built, 'service', 'AWS::SQS::QueuePolicy').map(([, p]) => ({
      queues: JSON.stringify(p.Properties.Queues),
      statements: (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    }));
  const queueId = (built: BuiltStage, name: string) =>
    ofType(built, 'service', 'AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === name)?.[0] ?? '';

  it("refuse non-TLS access and senders other than the gateway's roles and registered callers", () => {
    const jobsRole = roleIdOf(functionNamed(live, 'lrs-gateway-live-jobs')[1]);
    for (const id of OPERATION_IDS) {
      const name = `lrs-gateway-live-${kebab(id)}`;
      const policy = queuePolicies(live).find((p) => p.queues.includes(`"${queueId(live, name)}"`));
      expect(policy, id).toBeDefined();
      const statements = policy?.statements ?? [];
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      const deny = statements.find((s) => s.Sid === 'OnlyGatewayRolesAndRegisteredCallersSend');
      expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage' });
      const allowed = (deny?.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? []) as unknown[];
      const ownRole = roleIdOf(functionNamed(live, name)[1]);
      expect(allowed).toEqual([
        { 'Fn::GetAtt': [ownRole, 'Arn'] },
        { 'Fn::GetAtt': [jobsRole, 'Arn'] },
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::',
              { Ref: 'AWS::AccountId' },
              ':role/lrs-gateway-live-caller-*',
            ],
          ],
        },
      ]);
    }
  });

  it('let callers of another account send only when the stage lists their role', () => {
    const sender = 'arn:aws:iam::210987654321:role/college-mis-sender';
    const built = buildStage({ ...STAGES.test, queueSenderArns: [sender] });
    const senders = queuePolicies(built).filter((p) =>
      p.statements.some((s) => s.Sid === 'OnlyGatewayRolesAndRegisteredCallersSend'),
    );
    expect(senders).toHaveLength(OPERATION_IDS.length);
    for (const { statements } of senders) {
      const deny = statements.find((s) => s.Sid === 'OnlyGatewayRolesAndRegisteredCallersSend');
      expect(deny?.Condition?.ArnNotLike?.['aws:PrincipalArn']).toContain(sender);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: {
            AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::210987654321:root']] },
          },
          Condition: { ArnLike: { 'aws:PrincipalArn': [sender] } },
        }),
      );
    }
  });

  it("tell each worker the sender ids of the gateway's own roles (its own and the jobs function's)", () => {
    const jobsRole = roleIdOf(functionNamed(live, 'lrs-gateway-live-jobs')[1]);
    for (const id of OPERATION_IDS) {
      const [, fn] = functionNamed(live, `lrs-gateway-live-${kebab(id)}`);
      expect(envOf(fn)[ENV.trustedSenderIds], id).toEqual({
        'Fn::Join': [
          ',',
          [{ 'Fn::GetAtt': [roleIdOf(fn), 'RoleId'] }, { 'Fn::GetAtt': [jobsRole, 'RoleId'] }],
        ],
      });
    }
  });
});

describe('registry layout', () => {
  it('lets the LRS status writes reach organisation partitions only', () => {
    expect(REGISTRY.organisationPk('*')).toBe('ORG#*');
    expect(REGISTRY.callerPk('x').startsWith('ORG#')).toBe(false);
    expect(REGISTRY.senderPk('x').startsWith('ORG#')).toBe(false);
  });
});
