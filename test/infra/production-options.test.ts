/**
 * The optional production settings on synthesized templates: static egress (VPC, NAT gateways with Elastic
 * IPs, endpoints, the IPs as outputs, every function in the private subnets), the custom domain (TLS 1.2,
 * DNS-validated or given certificate, mutual TLS that switches the default endpoint off), the WAF allow-list,
 * alarm subscribers (extra SNS topics, Slack and Teams through AWS Chatbot), and the synth refusals: an
 * unpinned test/live stage, no alarm subscriber, a concurrency budget the account cannot hold.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentPinProblems, productionSettingProblems } from '../../infra/config/production.js';
import { resolveStage, STAGES, type StageConfig } from '../../infra/config/stages.js';
import { VPC_ACCESS_ACTIONS } from '../../infra/constructs/egress.js';
import { createLrsGateway } from '../../infra/lrs-gateway.js';
import { networkStackName } from '../../infra/production.js';
import { OPERATION_IDS } from '../../shared/lrs/contract/operations.js';
import { ALL_OPTIONS, type BuiltStage, buildStage, codeRootForTests, TEST_ACCOUNT } from './support.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
}
const ofType = (t: Template, type: string): [string, Resource][] =>
  Object.entries(t.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

const TOPIC = 'arn:aws:sns:eu-west-2:210987654321:on-call';
const everything: StageConfig = {
  ...STAGES.live,
  ...ALL_OPTIONS,
  alarms: {
    ...STAGES.live.alarms,
    topicArns: [TOPIC],
    chat: {
      slack: [{ workspaceId: 'T0123ABCDE', channelId: 'C0123ABCDE' }],
      teams: [
        {
          tenantId: '11111111-2222-3333-4444-555555555555',
          teamId: '66666666-7777-8888-9999-000000000000',
          channelId: '19:abcdef0123456789@thread.tacv2',
        },
      ],
    },
  },
};
const withCertificate: StageConfig = {
  ...STAGES.test,
  egress: { availabilityZones: 1 },
  edge: {
    rateLimitPer5Minutes: 500,
    domain: {
      name: 'lrs-api.example.ac.uk',
      certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f',
    },
  },
};

let full: BuiltStage;
let network: Template;
let plain: BuiltStage;
beforeAll(() => {
  full = buildStage(everything);
  const stack = full.gateway.production.network;
  if (stack === undefined) throw new Error('no network stack');
  network = Template.fromStack(stack);
  plain = buildStage(withCertificate);
});

describe('static egress', () => {
  it('builds a VPC in its own stack with one NAT gateway and Elastic IP per availability zone', () => {
    expect(full.gateway.production.network?.stackName).toBe(networkStackName('live'));
    network.resourceCountIs('AWS::EC2::VPC', 1);
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.50.0.0/16' });
    const eips = ofType(network, 'AWS::EC2::EIP');
    const nats = ofType(network, 'AWS::EC2::NatGateway');
    expect(eips).toHaveLength(2);
    expect(nats).toHaveLength(2);
    const allocations = nats.map(([, n]) => JSON.stringify(n.Properties.AllocationId)).sort();
    expect(allocations).toEqual(
      eips.map(([id]) => JSON.stringify({ 'Fn::GetAtt': [id, 'AllocationId'] })).sort(),
    );
    // The addresses outlive the stack on live: they are on the LRS's allow-list.
    for (const [, eip] of eips) expect(eip.DeletionPolicy).toBe('Retain');
    const privateSubnets = ofType(network, 'AWS::EC2::Subnet').filter(
      ([, s]) => s.Properties.MapPublicIpOnLaunch === false,
    );
    expect(privateSubnets.length).toBe(4);
  });

  it('reaches DynamoDB through a gateway endpoint, SQS and Secrets Manager through interface endpoints', () => {
    const endpoints = ofType(network, 'AWS::EC2::VPCEndpoint').map(([, e]) => ({
      service: JSON.stringify(e.Properties.ServiceName),
      type: e.Properties.VpcEndpointType,
      privateDns: e.Properties.PrivateDnsEnabled,
    }));
    expect(endpoints.find((e) => e.service.includes('dynamodb'))).toMatchObject({ type: 'Gateway' });
    expect(endpoints.find((e) => e.service.includes('.sqs'))).toMatchObject({
      type: 'Interface',
      privateDns: true,
    });
    expect(endpoints.find((e) => e.service.includes('secretsmanager'))).toMatchObject({
      type: 'Interface',
      privateDns: true,
    });
  });

  it('prints every egress IP for the LRS connection form', () => {
    const outputs = network.toJSON().Outputs as Record<string, { Value: unknown }>;
    const eips = ofType(network, 'AWS::EC2::EIP').map(([id]) => id);
    expect(outputs.EgressIpAddress1?.Value).toEqual({ 'Fn::GetAtt': [eips[0], 'PublicIp'] });
    expect(outputs.EgressIpAddress2?.Value).toEqual({ 'Fn::GetAtt': [eips[1], 'PublicIp'] });
    expect(JSON.stringify(outputs.EgressIpAddresses?.Value)).toContain('PublicIp');
  });

  it('runs every function in the private subnets, HTTPS out only, with the network interface permissions', () => {
    const functions = ofType(full.service, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(OPERATION_IDS.length + 3);
    for (const [id, fn] of functions) {
      const vpc = fn.Properties.VpcConfig as
        | { SubnetIds: unknown[]; SecurityGroupIds: unknown[] }
        | undefined;
      expect(vpc?.SubnetIds, id).toHaveLength(2);
      expect(JSON.stringify(vpc?.SubnetIds)).toMatch(/Fn::ImportValue.*functionsSubnet/);
      expect(vpc?.SecurityGroupIds, id).toHaveLength(1);
    }
    const [, sg] =
      ofType(network, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('Functions')) ?? [];
    expect(sg?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    const statements = ofType(full.service, 'AWS::IAM::Policy').flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement,
    );
    expect(
      statements.filter((s) => JSON.stringify(s.Action) === JSON.stringify([...VPC_ACCESS_ACTIONS])).length,
    ).toBe(functions.length);
  });

  it('adds no network when the stage does not ask for it', () => {
    const shipped = buildStage(STAGES.dev);
    expect(shipped.gateway.production.network).toBeUndefined();
    for (const [, fn] of ofType(shipped.service, 'AWS::Lambda::Function')) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
  });
});

describe('custom domain', () => {
  it('serves the API on the domain with TLS 1.2 and a DNS-validated certificate and alias record', () => {
    full.service.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'lrs-api.example.ac.uk',
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    full.service.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'lrs-api.example.ac.uk',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        { DomainName: 'lrs-api.example.ac.uk', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
      ],
    });
    full.service.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'lrs-api.example.ac.uk.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
    full.service.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
  });

  it('asks callers for a client certificate from the truststore and closes the execute-api endpoint', () => {
    full.service.hasResourceProperties('AWS::ApiGateway::DomainName', {
      MutualTlsAuthentication: {
        TruststoreUri: 's3://example-truststore/callers/ca.pem',
        TruststoreVersion: 'v3',
      },
    });
    full.service.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  it('uses a given certificate, leaves DNS to the operator and keeps the default endpoint without mutual TLS', () => {
    plain.service.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'lrs-api.example.ac.uk',
      SecurityPolicy: 'TLS_1_2',
      RegionalCertificateArn: withCertificate.edge?.domain?.certificateArn,
    });
    plain.service.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    plain.service.resourceCountIs('AWS::Route53::RecordSet', 0);
    const [[, api]] = ofType(plain.service, 'AWS::ApiGateway::RestApi') as [[string, Resource]];
    expect(api.Properties.DisableExecuteApiEndpoint).toBeUndefined();
    expect(Object.keys(plain.service.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ApiDomainTarget/),
        expect.stringMatching(/ApiDomainUrl/),
      ]),
    );
  });
});

describe('WAF allow-list', () => {
  it('blocks every source outside the IPv4 and IPv6 allow-lists before any other rule', () => {
    const sets = ofType(full.service, 'AWS::WAFv2::IPSet').map(([id, s]) => ({ id, ...s.Properties }));
    expect(sets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          IPAddressVersion: 'IPV4',
          Addresses: ['203.0.113.0/24'],
          Scope: 'REGIONAL',
        }),
        expect.objectContaining({
          IPAddressVersion: 'IPV6',
          Addresses: ['2001:db8::/32'],
          Scope: 'REGIONAL',
        }),
      ]),
    );
    const [[, acl]] = ofType(full.service, 'AWS::WAFv2::WebACL') as [[string, Resource]];
    const rules = acl.Properties.Rules as Json[];
    const allow = rules.find((r) => r.Name === 'SourceNotAllowListed');
    expect(allow).toMatchObject({ Priority: 0, Action: { Block: {} } });
    const text = JSON.stringify(allow);
    for (const set of sets) expect(text).toContain(set.id);
    expect(text).toMatch(/NotStatement.*OrStatement/);
    expect(rules.find((r) => r.Name === 'RateLimitPerSourceIp')).toMatchObject({
      Statement: { RateBasedStatement: { Limit: 1500 } },
    });
  });

  it('has no allow-list rule when the stage sets none', () => {
    plain.service.resourceCountIs('AWS::WAFv2::IPSet', 0);
    const [[, acl]] = ofType(plain.service, 'AWS::WAFv2::WebACL') as [[string, Resource]];
    expect((acl.Properties.Rules as Json[]).map((r) => r.Name)).not.toContain('SourceNotAllowListed');
  });
});

describe('alarm subscribers', () => {
  it('sends every alarm to the extra SNS topics as well as the alarm topic', () => {
    const alarms = ofType(full.service, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(50);
    for (const [id, a] of alarms) {
      expect(a.Properties.AlarmActions, id).toContain(TOPIC);
      expect(a.Properties.OKActions, id).toContain(TOPIC);
    }
  });

  it('subscribes the Slack and Teams channels to the alarm topic through AWS Chatbot, notifications only', () => {
    const slack = ofType(full.service, 'AWS::Chatbot::SlackChannelConfiguration');
    const teams = ofType(full.service, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration');
    expect(slack).toHaveLength(1);
    expect(teams).toHaveLength(1);
    expect(slack[0]?.[1].Properties).toMatchObject({
      SlackWorkspaceId: 'T0123ABCDE',
      SlackChannelId: 'C0123ABCDE',
    });
    expect(teams[0]?.[1].Properties).toMatchObject({ TeamsChannelId: '19:abcdef0123456789@thread.tacv2' });
    for (const [, c] of [...slack, ...teams]) {
      expect(JSON.stringify(c.Properties.SnsTopicArns)).toMatch(/AlarmTopic/);
    }
    const roles = ofType(full.service, 'AWS::IAM::Role').filter(([id]) => id.includes('ChatbotRole'));
    expect(roles).toHaveLength(1);
    const [roleId] = roles[0] as [string, Resource];
    const attached = ofType(full.service, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    expect(attached).toEqual([]);
  });
});

describe('synth refusals', () => {
  const synth = (stage: StageConfig) => () =>
    createLrsGateway(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), stage, {
      codeRoot: codeRootForTests().codeRoot,
      guard: false,
    });

  it.each(['test', 'live'] as const)('refuses %s without an account, naming the setting', (name) => {
    const stage = { ...STAGES[name], alarms: { ...STAGES[name].alarms, email: 'ops@example.org' } };
    expect(synth(stage)).toThrow(
      new RegExp(`stages\\.${name}\\.account: must be set to the 12-digit AWS account id the ${name} stage`),
    );
  });

  it.each(['test', 'live'] as const)(
    'refuses %s without an alarm subscriber, naming the settings',
    (name) => {
      expect(synth({ ...STAGES[name], account: TEST_ACCOUNT })).toThrow(
        new RegExp(
          `stages\\.${name}\\.alarms: must name at least one subscriber \\(alarms\\.email, alarms\\.topicArns or alarms\\.chat\\)`,
        ),
      );
    },
  );

  it('accepts any of the three subscriber kinds, and dev without pins', () => {
    const base = { ...STAGES.live, account: TEST_ACCOUNT };
    expect(deploymentPinProblems({ ...base, alarms: { ...base.alarms, email: 'a@example.org' } })).toEqual(
      [],
    );
    expect(deploymentPinProblems({ ...base, alarms: { ...base.alarms, topicArns: [TOPIC] } })).toEqual([]);
    expect(
      deploymentPinProblems({
        ...base,
        alarms: { ...base.alarms, chat: { slack: [{ workspaceId: 'T0123ABCDE', channelId: 'C0123ABCDE' }] } },
      }),
    ).toEqual([]);
    expect(deploymentPinProblems(STAGES.dev)).toEqual([]);
  });

  it('refuses reserved concurrency the account cannot hold, with the numbers', () => {
    const greedy: StageConfig = {
      ...STAGES.dev,
      lrsMaxConcurrency: 50,
      concurrency: { httpHeadroom: 10, platformFunction: 5, accountLimit: 1000 },
    };
    // 17 x (budget 2 x 50 + 10) + 3 x 5
    expect(synth(greedy)).toThrow(
      /stages\.dev\.concurrency: the functions reserve \d+ \(17 x \(LRS budget 100 \+ httpHeadroom 10\) \+ \d+ x platformFunction 5\), more than the 900/,
    );
    const starved: StageConfig = { ...STAGES.dev, lrsMaxConcurrency: 20, lrsBudget: 5 };
    expect(synth(starved)).toThrow(
      /stages\.dev\.lrsBudget: the LRS budget plus httpHeadroom \(10\) must exceed lrsMaxConcurrency \(20\)/,
    );
  });

  it('names every bad production setting with its rule, never accepting a half-configured domain', () => {
    const problems = productionSettingProblems({
      ...STAGES.live,
      account: '1234',
      alarms: { ...STAGES.live.alarms, topicArns: ['not-an-arn'], queueAgeMinutes: 1 },
      edge: {
        rateLimitPer5Minutes: 10,
        allowedCidrs: ['300.1.1.1/8'],
        domain: { name: 'Bad_Name', mutualTlsTruststoreUri: 'https://x/y' },
      },
      egress: { availabilityZones: 1, cidr: '8.8.0.0/16' },
      concurrency: { httpHeadroom: 0, platformFunction: 1, accountLimit: 10 },
    });
    for (const field of [
      'account',
      'alarms.topicArns[0]',
      'alarms.queueAgeMinutes',
      'edge.rateLimitPer5Minutes',
      'edge.allowedCidrs[0]',
      'edge.domain.name',
      'edge.domain',
      'edge.domain.mutualTlsTruststoreUri',
      'egress.availabilityZones',
      'egress.cidr',
      'concurrency.httpHeadroom',
      'concurrency.accountLimit',
    ]) {
      expect(
        problems.some((p) => p.startsWith(`stages.live.${field}: `)),
        field,
      ).toBe(true);
    }
    expect(problems.join('\n')).not.toMatch(/300\.1\.1\.1|Bad_Name|not-an-arn/);
    expect(() =>
      resolveStage('live', { ...STAGES, live: { ...STAGES.live, egress: { availabilityZones: 1 } } }),
    ).toThrow(/stages\.live\.egress\.availabilityZones: must be at least 2 on live/);
  });
});
