/**
 * The synthesized template as AWS would see it once deployed: every Ref, GetAtt, Join and Sub resolved
 * to concrete names and ARNs in one account and region, each role's policy statements by function,
 * and the resource policies (queue and topic policies, key policies) by the resource they guard.
 */
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { Template } from 'aws-cdk-lib/assertions';
import type { FunctionName } from '#shared/local/aws-calls.ts';
import { testApp } from '../cdk/synth.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface DeployedStack {
  /** The function's role ARN and its identity policies (one entry per AWS::IAM::Policy, by logical id). */
  roles: Record<FunctionName, { roleArn: string; policies: Array<{ name: string; document: PolicyDocument }>; environment: Record<string, string> }>;
  /** Resource ARN → the policy attached to it (queue policy, topic policy, key policy). */
  resourcePolicies: Map<string, { name: string; document: PolicyDocument }>;
  /** Topic ARN → the ARN of the KMS key that encrypts it. */
  topicKeys: Map<string, string>;
  /** The raw template, for tests that change it. */
  template: { Resources: Record<string, CfnResource> };
}

/** The construct id each function has in cdk/hookpost-stack.ts. */
export const FUNCTION_IDS: Record<FunctionName, string> = {
  ingest: 'Ingest',
  management: 'Management',
  consumer: 'Consumer',
  fifoConsumer: 'FifoConsumer',
};

export function synthesizedTemplate(): { Resources: Record<string, CfnResource> } {
  return Template.fromStack(new HookpostStack(testApp({ fast: true }), 'Hookpost')).toJSON() as { Resources: Record<string, CfnResource> };
}

const arnOf = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** What Ref and GetAtt return for each resource type Hookpost's policies name. */
function attribute(resources: Record<string, CfnResource>, id: string, attr: 'Ref' | string): string {
  const resource = resources[id];
  if (!resource) throw new Error(`the template has no resource ${id}`);
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return attr === 'Ref' ? id : arnOf('dynamodb', `table/${id}`);
    case 'AWS::SQS::Queue': {
      const name = props.FifoQueue ? `${id}.fifo` : id;
      if (attr === 'Arn') return arnOf('sqs', name);
      if (attr === 'QueueName') return name;
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
    }
    case 'AWS::SNS::Topic':
      return arnOf('sns', id);
    case 'AWS::KMS::Key':
      return attr === 'Ref' ? id : arnOf('kms', `key/${id}`);
    case 'AWS::SecretsManager::Secret':
      return arnOf('secretsmanager', `secret:${id}-AbCdEf`);
    case 'AWS::Logs::LogGroup':
      return attr === 'Ref' ? id : arnOf('logs', `log-group:${id}:*`);
    case 'AWS::IAM::Role':
      return attr === 'Ref' ? id : `arn:aws:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::Lambda::Function':
      return attr === 'Ref' ? id : arnOf('lambda', `function:${id}`);
    case 'AWS::ApiGatewayV2::Api':
      return id;
    default:
      return `${id}.${attr}`;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Hookpost',
};

/** Resolves the intrinsic functions CDK writes into policies and environments. */
export function resolve(value: unknown, resources: Record<string, CfnResource>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, resources));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [fn] = keys as [string];
    const arg = object[fn];
    if (fn === 'Ref') return PSEUDO[arg as string] ?? attribute(resources, arg as string, 'Ref');
    if (fn === 'Fn::GetAtt') {
      const [id, attr] = (typeof arg === 'string' ? arg.split('.') : arg) as [string, string];
      return attribute(resources, id, attr);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => String(resolve(part, resources))).join(separator);
    }
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return (resolve(list, resources) as unknown[])[Number(index)];
    }
    if (fn === 'Fn::Split') {
      const [separator, text] = arg as [string, unknown];
      return String(resolve(text, resources)).split(separator);
    }
    if (fn === 'Fn::Sub') {
      const [text, vars = {}] = (typeof arg === 'string' ? [arg] : arg) as [string, Record<string, unknown>?];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return String(resolve(vars[name], resources));
        if (PSEUDO[name]) return PSEUDO[name];
        const [id, attr] = name.split('.') as [string, string?];
        return attribute(resources, id, attr ?? 'Ref');
      });
    }
  }
  return Object.fromEntries(keys.map((key) => [key, resolve(object[key], resources)]));
}

const refsOf = (value: unknown): string[] =>
  [value].flat().map((v) => (v as { Ref?: string }).Ref).filter((id): id is string => typeof id === 'string');

/** The template read as deployed: roles by function, resource policies by resource ARN. */
export function deployedStack(template: { Resources: Record<string, CfnResource> }): DeployedStack {
  const resources = template.Resources;
  const entries = Object.entries(resources);
  const roles = {} as DeployedStack['roles'];
  for (const [name, id] of Object.entries(FUNCTION_IDS) as [FunctionName, string][]) {
    const fn = entries.find(([logicalId, r]) => r.Type === 'AWS::Lambda::Function' && new RegExp(`^${id}Function[0-9A-F]{8}$`).test(logicalId));
    if (!fn) throw new Error(`the template has no ${id} function`);
    const roleId = (fn[1].Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    if (!roleId) throw new Error(`the ${id} function names no role`);
    const policies = entries
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && refsOf(r.Properties?.Roles).includes(roleId))
      .map(([policyId, r]) => ({ name: policyId, document: resolve(r.Properties?.PolicyDocument, resources) as PolicyDocument }));
    const variables = ((fn[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    roles[name] = {
      roleArn: attribute(resources, roleId, 'Arn'),
      policies,
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(resolve(v, resources))])),
    };
  }
  const resourcePolicies: DeployedStack['resourcePolicies'] = new Map();
  const topicKeys: DeployedStack['topicKeys'] = new Map();
  for (const [id, r] of entries) {
    const props = r.Properties ?? {};
    if (r.Type === 'AWS::SQS::QueuePolicy') {
      for (const queue of refsOf(props.Queues)) {
        resourcePolicies.set(attribute(resources, queue, 'Arn'), { name: id, document: resolve(props.PolicyDocument, resources) as PolicyDocument });
      }
    } else if (r.Type === 'AWS::SNS::TopicPolicy') {
      for (const topic of refsOf(props.Topics)) {
        resourcePolicies.set(attribute(resources, topic, 'Ref'), { name: id, document: resolve(props.PolicyDocument, resources) as PolicyDocument });
      }
    } else if (r.Type === 'AWS::KMS::Key') {
      resourcePolicies.set(attribute(resources, id, 'Arn'), { name: id, document: resolve(props.KeyPolicy, resources) as PolicyDocument });
    } else if (r.Type === 'AWS::SNS::Topic' && props.KmsMasterKeyId) {
      topicKeys.set(attribute(resources, id, 'Ref'), String(resolve(props.KmsMasterKeyId, resources)));
    }
  }
  return { roles, resourcePolicies, topicKeys, template };
}
