/**
 * From a recorded SDK call to what IAM evaluates on AWS: the action(s), the resource ARN in the
 * deployed stack, and the condition keys AWS fills in from the request. The recorded calls name local
 * resources (fauxqs queue URLs, a DynamoDB Local table); each log file starts with the local stack's
 * resource settings, matched by variable name to the deployed functions' environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AwsCall, FunctionName } from '#shared/local/aws-calls.ts';
import { ENV } from '#shared/core/platform/settings.ts';
import { ACCOUNT, type DeployedStack, REGION } from './template.ts';

export interface IamRequest {
  function: FunctionName;
  /** e.g. `TransactWriteItemsCommand`, for the report. */
  command: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** One local stack's recorded calls, with its resources. */
export interface CallLog {
  file: string;
  resources: Record<string, string>;
  calls: AwsCall[];
}

export function readCallLogs(dir: string): CallLog[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.map((name) => {
    const file = path.join(dir, name);
    const [head = '{}', ...lines] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    return { file, resources: (JSON.parse(head) as { resources: Record<string, string> }).resources, calls: lines.map((l) => JSON.parse(l) as AwsCall) };
  });
}

/** Local name, URL or ARN → the deployed ARN, through the settings variable both sides share. */
export function resourceMap(local: Record<string, string>, stack: DeployedStack): Map<string, string> {
  const deployed: Record<string, string> = Object.assign({}, ...Object.values(stack.roles).map((r) => r.environment));
  const map = new Map<string, string>();
  const queueArnOfUrl = (url: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${url.slice(url.lastIndexOf('/') + 1)}`;
  for (const [name, value] of Object.entries(local)) {
    const there = deployed[name];
    if (there === undefined) continue;
    if (name === ENV.tableName) map.set(value, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${there}`);
    else if (name.endsWith('_URL')) map.set(value, queueArnOfUrl(there));
    else map.set(value, there);
  }
  return map;
}

type AttributeValue = { S?: string; N?: string; B?: unknown };
type Key = Record<string, AttributeValue>;

const partitionOf = (key: Key | undefined): string => {
  const pk = key?.pk;
  if (!pk || pk.S === undefined) throw new Error(`no string partition key in ${JSON.stringify(key)}`);
  return pk.S;
};

/** The value a Query's key condition gives the partition key (`pk = :pk` or `#pk = :v`). */
function queriedPartition(input: Record<string, unknown>): string {
  const condition = String(input.KeyConditionExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  for (const [, left, right] of condition.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const attribute = left?.startsWith('#') ? names[left] : left;
    if (attribute === 'pk' && right) return partitionOf({ pk: values[right] as AttributeValue });
  }
  throw new Error(`no partition key in the key condition "${condition}"`);
}

/** Condition keys a DynamoDB item request carries besides LeadingKeys. */
function dynamoContext(input: Record<string, unknown>, leadingKeys: string[]): Record<string, string | string[]> {
  return {
    'dynamodb:LeadingKeys': leadingKeys,
    ...(typeof input.ReturnValues === 'string' && { 'dynamodb:ReturnValues': input.ReturnValues }),
    ...(typeof input.Select === 'string' && { 'dynamodb:Select': input.Select }),
  };
}

const TRANSACT_PARTS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

const SECURE = { 'aws:SecureTransport': 'true' };

/**
 * What IAM evaluates for one call. SQS batch calls are authorized as their single actions, DynamoDB
 * transactions as each item's action on its own partition; publishing to a KMS-encrypted topic
 * also needs the topic's key (GenerateDataKey and Decrypt, through SNS).
 */
export function iamRequestsOf(call: AwsCall, fn: FunctionName, arnOf: (local: string) => string, stack: DeployedStack): IamRequest[] {
  const input = (call.input ?? {}) as Record<string, unknown>;
  const command = call.command;
  const op = command.replace(/Command$/, '');
  const request = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({
    function: fn,
    command,
    action,
    resource,
    context: { ...SECURE, ...context },
  });
  switch (call.client) {
    case 'DynamoDBClient': {
      const table = (name: unknown, index?: unknown) => `${arnOf(String(name))}${index ? `/index/${String(index)}` : ''}`;
      if (op === 'TransactWriteItems' || op === 'TransactGetItems') {
        return (input.TransactItems as Array<Record<string, Record<string, unknown>>>).flatMap((item) =>
          Object.entries(item).map(([part, body]) => {
            const action = TRANSACT_PARTS[part];
            if (!action) throw new Error(`unknown transaction part ${part}`);
            const key = (body.Key ?? body.Item) as Key;
            return request(`dynamodb:${action}`, table(body.TableName), dynamoContext(body, [partitionOf(key)]));
          }),
        );
      }
      if (op === 'BatchGetItem' || op === 'BatchWriteItem') {
        const requestItems = input.RequestItems as Record<string, unknown>;
        return Object.entries(requestItems).map(([name, items]) => {
          const keys =
            op === 'BatchGetItem'
              ? ((items as { Keys: Key[] }).Keys ?? [])
              : (items as Array<{ PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } }>).map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key);
          return request(`dynamodb:${op}`, table(name), dynamoContext(input, [...new Set(keys.map((k) => partitionOf(k)))]));
        });
      }
      if (op === 'Query') return [request('dynamodb:Query', table(input.TableName, input.IndexName), dynamoContext(input, [queriedPartition(input)]))];
      if (op === 'Scan') return [request('dynamodb:Scan', table(input.TableName, input.IndexName))];
      const key = (input.Key ?? input.Item) as Key | undefined;
      return [request(`dynamodb:${op}`, table(input.TableName), key ? dynamoContext(input, [partitionOf(key)]) : {})];
    }
    case 'SQSClient': {
      if (op === 'StartMessageMoveTask') {
        // The move task receives and deletes on the source and sends to the destination with the caller's permissions.
        const source = arnOf(String(input.SourceArn));
        const destination = arnOf(String(input.DestinationArn));
        return [
          request('sqs:StartMessageMoveTask', source),
          request('sqs:ReceiveMessage', source),
          request('sqs:DeleteMessage', source),
          request('sqs:GetQueueAttributes', source),
          request('sqs:SendMessage', destination),
        ];
      }
      const action = op.replace(/Batch$/, '');
      return [request(`sqs:${action}`, arnOf(String(input.QueueUrl)))];
    }
    case 'SNSClient': {
      const topic = arnOf(String(input.TopicArn));
      const key = stack.topicKeys.get(topic);
      const viaSns = { 'kms:ViaService': `sns.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT };
      return [
        request(`sns:${op}`, topic),
        ...(key ? [request('kms:GenerateDataKey', key, viaSns), request('kms:Decrypt', key, viaSns)] : []),
      ];
    }
    case 'KMSClient': {
      const context = (input.EncryptionContext ?? {}) as Record<string, string>;
      return [
        request(`kms:${op}`, arnOf(String(input.KeyId)), {
          ...Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
          'kms:EncryptionContextKeys': Object.keys(context),
        }),
      ];
    }
    case 'SecretsManagerClient':
      return [request(`secretsmanager:${op}`, arnOf(String(input.SecretId)))];
    default:
      throw new Error(`no IAM mapping for ${call.client} ${command}`);
  }
}
