/**
 * Who may send to an operation queue, as the queue's resource policy: the gateway's own roles (the bulk-job
 * fan-out, the operation's own retries and re-polls), registered callers' roles named
 * `lrs-gateway-<stage>-caller-*` in the stage's account, and the stage's `queueSenderArns`. Every other
 * principal is refused, whatever its IAM policy says. Non-TLS access is refused by the queue itself
 * (`enforceSSL`). The worker then checks each message's SenderId against the registry's grants.
 */
import { Aws } from 'aws-cdk-lib';
import { AccountPrincipal, AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** The role name pattern of registered callers that send to the queues directly. */
export const callerRoleArnPattern = (stage: string, account: string = Aws.ACCOUNT_ID): string =>
  `arn:${Aws.PARTITION}:iam::${account}:role/lrs-gateway-${stage}-caller-*`;

/** The SQS actions a sender needs (SendMessageBatch is authorised as SendMessage). */
export const QUEUE_SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'] as const;

export interface QueueSendersProps {
  readonly stageName: string;
  /** The gateway's own roles that send to this queue. */
  readonly gatewayRoles: readonly IRole[];
  /** Extra caller principal ARNs or patterns (the stage's `queueSenderArns`). */
  readonly callerArns: readonly string[];
}

/** The account id of a principal ARN (`arn:aws:iam::123456789012:role/x` -> `123456789012`). */
const accountOf = (arn: string): string => {
  const account = arn.split(':')[4];
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw new Error('queueSenderArns: every entry must name a 12-digit account');
  }
  return account;
};

export function restrictQueueSenders(queue: IQueue, props: QueueSendersProps): void {
  if (props.gatewayRoles.length === 0) throw new Error('restrictQueueSenders needs the gateway roles');
  const callerPatterns = [callerRoleArnPattern(props.stageName), ...props.callerArns];
  queue.addToResourcePolicy(
    new PolicyStatement({
      sid: 'OnlyGatewayRolesAndRegisteredCallersSend',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnNotLike: { 'aws:PrincipalArn': [...props.gatewayRoles.map((r) => r.roleArn), ...callerPatterns] },
      },
    }),
  );
  // Same-account caller roles still need their own IAM policy; a caller role in another account needs this
  // Allow too, so each listed account is named, narrowed to the listed roles.
  const byAccount = new Map<string, string[]>([[Aws.ACCOUNT_ID, [callerRoleArnPattern(props.stageName)]]]);
  for (const arn of props.callerArns) {
    const account = accountOf(arn);
    byAccount.set(account, [...(byAccount.get(account) ?? []), arn]);
  }
  for (const [account, patterns] of byAccount) {
    queue.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AccountPrincipal(account)],
        actions: [...QUEUE_SEND_ACTIONS],
        resources: [queue.queueArn],
        conditions: { ArnLike: { 'aws:PrincipalArn': patterns } },
      }),
    );
  }
}
