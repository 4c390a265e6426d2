/**
 * The REST API in front of the functions. Authentication: every method except the documented public ones
 * (PUBLIC_ROUTES in shared/config/scopes.ts: the API description) uses the Lambda REQUEST authorizer, which verifies the caller's OAuth 2.0
 * bearer token and looks the caller up in the registry. API keys never identify anyone: the authorizer hands
 * API Gateway the caller's usage key (API key source AUTHORIZER), which only selects the usage plan (throttle,
 * quota) of the caller's tier. Keys and their plan membership are made at run time by the admin CLI; the
 * template holds one usage plan per tier and no key. POST bodies must be JSON objects (request validator);
 * execution logs record errors only, never bodies; access logs record ids, routes, status and latency, never
 * personal data.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  type IAuthorizer,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  Period,
  type RequestValidator,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { UsageTierConfig } from '../config/access.js';
import { acknowledge } from '../support/nag.js';
import { addGatewayResponses } from './gateway-responses.js';

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Absolute resource path, e.g. `/v1/jobs/{jobId}`. */
  readonly path: string;
  readonly handler: IFunction;
}

export interface GatewayApiProps {
  readonly stageName: string;
  readonly routes: readonly Route[];
  /** Routes served without a token (method and path); every other route uses `authorizer`. */
  readonly publicRoutes: readonly Pick<Route, 'method' | 'path'>[];
  readonly authorizer: IAuthorizer;
  /** One usage plan each; the admin CLI adds callers' usage keys to them. */
  readonly usageTiers: readonly UsageTierConfig[];
  /** Whether authorised routes require the usage key the authorizer returns (see StageConfig.requireUsageKey). */
  readonly requireUsageKey: boolean;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

const ROUTE_PATH = /^(\/(?:[a-z0-9.-]+|\{[a-zA-Z]+\}))+$/;

export class GatewayApi extends Construct {
  public readonly api: RestApi;
  public readonly accessLogGroup: LogGroup;
  /** Usage plan of each tier, by tier name. */
  public readonly usagePlans: ReadonlyMap<string, UsagePlan>;
  public readonly bodyValidator: RequestValidator;
  public readonly jsonObjectModel: Model;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);
    const seen = new Set<string>();
    for (const route of props.routes) {
      if (!ROUTE_PATH.test(route.path))
        throw new Error(`${this.node.path}: route path "${route.path}" is not valid`);
      const key = `${route.method} ${route.path}`;
      if (seen.has(key)) throw new Error(`${this.node.path}: route ${key} is defined twice`);
      seen.add(key);
    }
    if (props.usageTiers.length === 0)
      throw new Error(`${this.node.path}: at least one usage tier is needed`);
    const isPublic = (route: Route) =>
      props.publicRoutes.some((p) => p.method === route.method && p.path === route.path);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `lrs-gateway-${props.stageName}`,
      description: 'lrs-gateway: JSON in front of the DfE Learning Records Service',
      endpointTypes: [EndpointType.REGIONAL],
      // The authorizer returns the caller's usage key; a client's x-api-key header is ignored.
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      defaultMethodOptions: { apiKeyRequired: props.requireUsageKey, authorizer: props.authorizer },
      // API Gateway needs an account-level role to write execution and access logs.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request and response bodies hold learner personal data: never log them.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            apiKeyId: AccessLogField.contextIdentityApiKeyId(),
            callerId: AccessLogField.contextAuthorizerPrincipalId(),
            sourceIp: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            errorType: AccessLogField.contextErrorResponseType(),
            responseLength: AccessLogField.contextResponseLength(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            responseLatency: AccessLogField.contextResponseLatency(),
            domainName: AccessLogField.contextDomainName(),
            wafResponseCode: AccessLogField.contextWafResponseCode(),
            clientCertSerial: AccessLogField.contextIdentityClientCertSerialNumber(),
          }),
        ),
      },
    });

    // API Gateway's own answers in the one error envelope (gateway-responses.ts).
    addGatewayResponses(this.api);

    this.jsonObjectModel = this.api.addModel('JsonObject', {
      contentType: 'application/json',
      modelName: 'JsonObject',
      schema: { schema: JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: JsonSchemaType.OBJECT },
    });
    this.bodyValidator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    for (const route of props.routes) {
      const resource = this.api.root.resourceForPath(route.path);
      const pathParameters = [...route.path.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]);
      const open = isPublic(route);
      const method = resource.addMethod(
        route.method,
        new LambdaIntegration(route.handler, { allowTestInvoke: false }),
        {
          ...(open
            ? { authorizationType: AuthorizationType.NONE, authorizer: undefined, apiKeyRequired: false }
            : {
                authorizationType: AuthorizationType.CUSTOM,
                authorizer: props.authorizer,
                apiKeyRequired: props.requireUsageKey,
              }),
          requestValidator: this.bodyValidator,
          requestModels: route.method === 'POST' ? { 'application/json': this.jsonObjectModel } : undefined,
          requestParameters: Object.fromEntries(
            pathParameters.map((p) => [`method.request.path.${p}`, true]),
          ),
        },
      );
      if (open) {
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          'A documented public route (PUBLIC_ROUTES in shared/config/scopes.ts): the API description holds no data and must be readable ' +
            'before a caller has a token.',
        );
      }
    }

    this.usagePlans = new Map(
      props.usageTiers.map((tier) => [
        tier.name,
        this.api.addUsagePlan(`UsagePlan-${tier.name}`, {
          name: `lrs-gateway-${props.stageName}-${tier.name}`,
          description: `Usage tier ${tier.name}: the admin CLI adds each caller's usage key of this tier`,
          throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit },
          quota: tier.dailyQuota === undefined ? undefined : { limit: tier.dailyQuota, period: Period.DAY },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      ]),
    );

    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'Callers are authorised by a Lambda REQUEST authorizer that verifies Cognito or any other OIDC issuer ' +
        '(e.g. Microsoft Entra ID) with aws-jwt-verify and checks the run-time registry (suspended callers).',
    );
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level API Gateway logging role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, ' +
        'which AWS maintains for exactly this purpose.',
    );
  }
}
