/**
 * The REST API in front of the functions. Authentication: an API key per caller (header `x-api-key`), each
 * key in its own usage plan with its own throttle and optional daily quota; the functions use the key id
 * (`requestContext.identity.apiKeyId`) as the caller id and look it up in CALLER_ACCESS to decide which
 * organisations the caller may act for. Every method requires a key. POST bodies must be JSON objects
 * (request validator); execution logs record errors only, never bodies; access logs record ids, routes,
 * status and latency, never personal data.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKey,
  ApiKeySourceType,
  EndpointType,
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
import type { CallerConfig } from '../config/stages.js';
import { acknowledge } from '../nag.js';
import { addGatewayResponses } from './gateway-responses.js';

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Absolute resource path, e.g. `/v1/jobs/{jobId}`. */
  readonly path: string;
  readonly handler: IFunction;
}

export interface CallerKey {
  readonly caller: CallerConfig;
  readonly apiKey: ApiKey;
}

/**
 * One API key per caller. Made before the functions, because the functions' CALLER_ACCESS names the key ids.
 */
export class CallerKeys extends Construct {
  public readonly keys: readonly CallerKey[];

  constructor(scope: Construct, id: string, props: { stageName: string; callers: readonly CallerConfig[] }) {
    super(scope, id);
    this.keys = props.callers.map((caller) => ({
      caller,
      apiKey: new ApiKey(this, `Key-${caller.name}`, {
        apiKeyName: `lrs-gateway-${props.stageName}-${caller.name}`,
        description: `Caller ${caller.name}; organisations ${caller.organisations.join(', ')}`,
        enabled: true,
      }),
    }));
  }

  /** CALLER_ACCESS: `{ [apiKeyId]: organisationIds }`, key ids resolved at deploy time. */
  callerAccessJson(): string {
    // Key ids are tokens inside the JSON text; CDK resolves the string into an Fn::Join.
    return JSON.stringify(Object.fromEntries(this.keys.map((k) => [k.apiKey.keyId, k.caller.organisations])));
  }
}

export interface GatewayApiProps {
  readonly stageName: string;
  readonly routes: readonly Route[];
  readonly callerKeys: CallerKeys;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

const ROUTE_PATH = /^(\/(?:[a-z0-9.-]+|\{[a-zA-Z]+\}))+$/;

export class GatewayApi extends Construct {
  public readonly api: RestApi;
  public readonly accessLogGroup: LogGroup;
  public readonly usagePlans: readonly UsagePlan[];
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
    if (props.callerKeys.keys.length === 0)
      throw new Error(`${this.node.path}: at least one caller is needed`);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `lrs-gateway-${props.stageName}`,
      description: 'lrs-gateway: JSON in front of the DfE Learning Records Service',
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      defaultMethodOptions: { apiKeyRequired: true },
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
            sourceIp: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            errorType: AccessLogField.contextErrorResponseType(),
            responseLength: AccessLogField.contextResponseLength(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            responseLatency: AccessLogField.contextResponseLatency(),
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
      resource.addMethod(route.method, new LambdaIntegration(route.handler, { allowTestInvoke: false }), {
        apiKeyRequired: true,
        requestValidator: this.bodyValidator,
        requestModels: route.method === 'POST' ? { 'application/json': this.jsonObjectModel } : undefined,
        requestParameters: Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
      });
    }

    this.usagePlans = props.callerKeys.keys.map(({ caller, apiKey }) => {
      const plan = this.api.addUsagePlan(`UsagePlan-${caller.name}`, {
        name: `lrs-gateway-${props.stageName}-${caller.name}`,
        throttle: { rateLimit: caller.rateLimit, burstLimit: caller.burstLimit },
        quota: caller.dailyQuota === undefined ? undefined : { limit: caller.dailyQuota, period: Period.DAY },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      plan.addApiKey(apiKey);
      return plan;
    });

    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Callers authenticate with a per-caller API key (usage plan, throttle, quota); the functions authorise ' +
        'each request by the key id against the organisations that caller may act for (CALLER_ACCESS).',
    );
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'Machine-to-machine API for MIS systems: no end-user sign-in, so no Cognito user pool; API keys identify callers.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'WAF inspects at most 64 KB of a body, less than a 200-learner batch, so it cannot enforce our size limit; ' +
        'bodies are validated as JSON objects here and by size and schema in the functions; usage plans throttle per caller.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level API Gateway logging role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, ' +
        'which AWS maintains for exactly this purpose.',
    );
  }
}
