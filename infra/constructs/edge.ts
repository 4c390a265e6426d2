/**
 * The edge of the API stage: a WAFv2 web ACL (optional source allow-list, a rate-based rule per source IP,
 * the AWS managed common rule set) and an optional custom domain with a TLS 1.2 minimum and optional mutual
 * TLS for callers.
 *
 * Batch bodies: the common rule set's SizeRestrictions_BODY blocks any body over 8 KB, and a 200-learner
 * batch or a bulk job is larger. That rule is set to count (it only labels the request), and our own rule
 * blocks labelled requests on every route except the bulk routes, whose bodies the functions limit by size
 * and schema. The other common rules still inspect the first 16 KB of every body.
 */
import { CfnOutput } from 'aws-cdk-lib';
import {
  type CfnRestApi,
  DomainName,
  EndpointType,
  type RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { CfnIPSet, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { OPERATION_LIST, type OperationId } from '../../shared/lrs/contract/operations.js';
import { DEFAULT_RATE_LIMIT_PER_5_MINUTES, type EdgeConfig } from '../config/production.js';

/** Operations whose request bodies may exceed 8 KB (batches of up to 200 learners or ULNs). */
export const LARGE_BODY_OPERATIONS: readonly OperationId[] = [
  'submitBatchRegistration',
  'submitVerifyBatch',
  'retrieveUlns',
  'submitAchievementBatch',
];
/** Routes exempt from the managed body size rule: the large-body operations and bulk jobs. */
export const LARGE_BODY_ROUTES: readonly string[] = [
  ...OPERATION_LIST.filter((op) => LARGE_BODY_OPERATIONS.includes(op.id)).map((op) => op.route.path),
  '/v1/jobs',
];
export const SIZE_RESTRICTIONS_BODY_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
/**
 * The AWS managed common rule set, its body size rule only counting (it labels the request), so that
 * `BodySizeOutsideBulkRoutes` decides by route.
 */
export const COMMON_RULE_SET: CfnWebACL.ManagedRuleGroupStatementProperty = {
  vendorName: 'AWS',
  name: 'AWSManagedRulesCommonRuleSet',
  ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
};

/** `s3://bucket/key` into its parts (the stage check has already validated the form). */
export const parseS3Uri = (uri: string): { bucket: string; key: string } => {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (m?.[1] === undefined || m[2] === undefined)
    throw new Error('edge.domain.mutualTlsTruststoreUri: must be s3://bucket/key');
  return { bucket: m[1], key: m[2] };
};

export interface EdgeProps {
  readonly stageName: string;
  readonly api: RestApi;
  readonly config?: EdgeConfig;
}

export class Edge extends Construct {
  public readonly webAcl: CfnWebACL;
  public readonly webAclName: string;
  public readonly domain?: DomainName;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const config = props.config ?? { rateLimitPer5Minutes: DEFAULT_RATE_LIMIT_PER_5_MINUTES };
    const prefix = `lrs-gateway-${props.stageName}`;
    this.webAclName = prefix;
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${prefix}-${metricName}`,
      sampledRequestsEnabled: true,
    });

    const rules: CfnWebACL.RuleProperty[] = [];
    const allowed = config.allowedCidrs ?? [];
    if (allowed.length > 0) {
      const sets = (['IPV4', 'IPV6'] as const)
        .map((version) => ({
          version,
          addresses: allowed.filter((c) => c.includes(':') === (version === 'IPV6')),
        }))
        .filter((s) => s.addresses.length > 0)
        .map(
          (s) =>
            new CfnIPSet(this, `AllowList${s.version}`, {
              name: `${prefix}-allow-${s.version.toLowerCase()}`,
              scope: 'REGIONAL',
              ipAddressVersion: s.version,
              addresses: [...s.addresses],
            }),
        );
      const matches = sets.map((set) => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
      rules.push({
        name: 'SourceNotAllowListed',
        priority: 0,
        action: { block: {} },
        statement: {
          notStatement: {
            statement:
              matches.length === 1
                ? (matches[0] as CfnWebACL.StatementProperty)
                : { orStatement: { statements: matches } },
          },
        },
        visibilityConfig: visibility('not-allow-listed'),
      });
    }
    rules.push(
      {
        name: 'RateLimitPerSourceIp',
        priority: 1,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: config.rateLimitPer5Minutes,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
          },
        },
        visibilityConfig: visibility('rate-limit'),
      },
      {
        name: COMMON_RULE_SET.name,
        priority: 2,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: COMMON_RULE_SET,
        },
        visibilityConfig: visibility('common-rules'),
      },
      {
        name: 'BodySizeOutsideBulkRoutes',
        priority: 3,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { labelMatchStatement: { scope: 'LABEL', key: SIZE_RESTRICTIONS_BODY_LABEL } },
              {
                notStatement: {
                  statement: {
                    orStatement: {
                      statements: LARGE_BODY_ROUTES.map((path) => ({
                        byteMatchStatement: {
                          fieldToMatch: { uriPath: {} },
                          positionalConstraint: 'ENDS_WITH',
                          searchString: path,
                          textTransformations: [{ priority: 0, type: 'NONE' }],
                        },
                      })),
                    },
                  },
                },
              },
            ],
          },
        },
        visibilityConfig: visibility('body-size'),
      },
    );

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: prefix,
      description: `lrs-gateway ${props.stageName}: rate limit, AWS common rules, body size outside bulk routes`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility('web-acl'),
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    const d = config.domain;
    if (d === undefined) return;
    const zone =
      d.hostedZone === undefined
        ? undefined
        : HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: d.hostedZone.id,
            zoneName: d.hostedZone.name,
          });
    const certificate: ICertificate =
      d.certificateArn !== undefined
        ? Certificate.fromCertificateArn(this, 'Certificate', d.certificateArn)
        : new Certificate(this, 'Certificate', {
            domainName: d.name,
            validation: CertificateValidation.fromDns(zone),
          });
    const truststore =
      d.mutualTlsTruststoreUri === undefined ? undefined : parseS3Uri(d.mutualTlsTruststoreUri);
    this.domain = new DomainName(this, 'Domain', {
      domainName: d.name,
      certificate,
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
      mapping: props.api,
      ...(truststore
        ? {
            mtls: {
              bucket: Bucket.fromBucketName(this, 'Truststore', truststore.bucket),
              key: truststore.key,
              ...(d.mutualTlsTruststoreVersion ? { version: d.mutualTlsTruststoreVersion } : {}),
            },
          }
        : {}),
    });
    if (truststore) {
      // With mutual TLS, the default execute-api endpoint would let a caller without a certificate around it.
      (props.api.node.defaultChild as CfnRestApi).disableExecuteApiEndpoint = true;
    }
    if (zone !== undefined) {
      new ARecord(this, 'AliasRecord', {
        zone,
        recordName: d.name,
        target: RecordTarget.fromAlias(new ApiGatewayDomain(this.domain)),
      });
    }
    new CfnOutput(this, 'ApiDomainUrl', {
      value: `https://${d.name}/`,
      description: 'Base URL of the API on its custom domain (append v1/...)',
    });
    if (zone === undefined) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.domain.domainNameAliasDomainName,
        description: `Point a CNAME or alias for ${d.name} at this name`,
      });
    }
  }
}
