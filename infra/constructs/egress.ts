/**
 * Static egress: a VPC with one public and one private subnet per availability zone, a NAT gateway per zone
 * with its own Elastic IP, and VPC endpoints for DynamoDB (gateway), SQS and Secrets Manager (interface), so
 * that only LRS traffic leaves through NAT. The functions run in the private subnets; the Elastic IPs are the
 * addresses to give the LRS on its live connection form. In its own stack, `LrsGateway-<stage>-Network`,
 * so that redeploying the service stack never changes the addresses; on test/live the Elastic IPs are
 * retained even if the network stack is deleted.
 */
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  NatProvider,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { DEFAULT_EGRESS_CIDR, type EgressConfig } from '../config/production.js';
import { acknowledge } from '../support/nag.js';
import { GatewayFunction } from './gateway-function.js';

export interface NetworkStackProps extends StackProps {
  readonly stageName: string;
  readonly egress: EgressConfig;
  readonly retain: boolean;
  readonly logRetentionDays: number;
}

export class NetworkStack extends Stack {
  public readonly vpc: Vpc;
  public readonly functionSecurityGroup: SecurityGroup;
  public readonly elasticIps: readonly CfnEIP[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const zones = props.egress.availabilityZones;
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.elasticIps = Array.from({ length: zones }, (_, i) => {
      const eip = new CfnEIP(this, `EgressIp${i + 1}`, {
        domain: 'vpc',
        tags: [{ key: 'Name', value: `lrs-gateway-${props.stageName}-egress-${i + 1}` }],
      });
      eip.applyRemovalPolicy(removalPolicy);
      return eip;
    });

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.egress.cidr ?? DEFAULT_EGRESS_CIDR),
      maxAzs: zones,
      natGateways: zones,
      natGatewayProvider: NatProvider.gateway({
        eipAllocationIds: this.elasticIps.map((e) => e.attrAllocationId),
      }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: props.logRetentionDays, removalPolicy });
    this.vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });

    this.functionSecurityGroup = new SecurityGroup(this, 'Functions', {
      vpc: this.vpc,
      description:
        'lrs-gateway functions: HTTPS out only (the LRS through NAT, AWS services through endpoints)',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'HTTPS to the LRS and AWS endpoints',
    );
    const endpoints = new SecurityGroup(this, 'Endpoints', {
      vpc: this.vpc,
      description: 'lrs-gateway interface endpoints: HTTPS from the functions',
      allowAllOutbound: false,
    });
    endpoints.addIngressRule(this.functionSecurityGroup, Port.tcp(443), 'HTTPS from the functions');
    acknowledge(
      endpoints,
      'AwsSolutions-EC23',
      "The only ingress rule names the functions' security group (a reference the rule cannot evaluate), " +
        'never an address range.',
    );

    this.vpc.addGatewayEndpoint('DynamoDb', { service: GatewayVpcEndpointAwsService.DYNAMODB });
    for (const [name, service] of [
      ['Sqs', InterfaceVpcEndpointAwsService.SQS],
      ['SecretsManager', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ] as const) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        securityGroups: [endpoints],
        subnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      });
    }

    this.elasticIps.forEach((eip, i) => {
      new CfnOutput(this, `EgressIpAddress${i + 1}`, {
        value: eip.attrPublicIp,
        description:
          'Static egress IP of the functions: give every one of them to the LRS (live connection form)',
      });
    });
    new CfnOutput(this, 'EgressIpAddresses', {
      value: Fn.join(
        ',',
        this.elasticIps.map((e) => e.attrPublicIp),
      ),
      description: 'All static egress IPs, comma-separated',
    });
  }
}

/** Actions Lambda needs on its role to attach a function to VPC subnets (no resource-level scoping exists). */
export const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** Puts every lrs-gateway function under `scope` into the network's private subnets. */
export function placeFunctionsInVpc(scope: IConstruct, network: NetworkStack): number {
  const subnets = network.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
  const functions = scope.node.findAll().filter((c): c is GatewayFunction => c instanceof GatewayFunction);
  for (const fn of functions) {
    (fn.function.node.defaultChild as CfnFunction).vpcConfig = {
      subnetIds: subnets,
      securityGroupIds: [network.functionSecurityGroup.securityGroupId],
    };
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...VPC_ACCESS_ACTIONS], resources: ['*'] }));
    acknowledge(
      fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords and the network interface actions Lambda needs to attach a ' +
        'function to VPC subnets support no resource-level permissions; data and secret grants are scoped.',
    );
  }
  return functions.length;
}
