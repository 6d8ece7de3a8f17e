/**
 * The synthesized stack on this machine with the uploaded code: the template's table, queues, topic,
 * secrets and keys created locally (DynamoDB Local, fauxqs, and the KMS and Secrets Manager servers
 * in this directory) from their template properties; each function a BundledFunction with the
 * template's environment, its Refs and GetAtts resolved to those resources; the template's SQS event
 * source mappings driving the pollers; its HTTP API routes in front of the functions.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSBatchResponse } from 'aws-lambda';
import { dynamoDbClient, snsClient, sqsClient } from '#shared/adapters/aws/clients.ts';
import { type Poller, startPoller } from '#shared/local/poller.ts';
import { startSqsLocal } from '#shared/local/sqs-local.ts';
import { type LocalHttpApi, startLocalHttpApi } from './api-gateway-local.ts';
import {
  type CfnResource,
  type CloudAssembly,
  type FunctionSpec,
  LOCAL_REGION,
  LOCAL_ACCOUNT,
  type ResourceResolver,
  STACK_NAME,
  resolveValue,
} from './cloud-assembly.ts';
import { type KmsLocal, startKmsLocal } from './kms-local.ts';
import { BundledFunction } from './lambda-runtime.ts';
import { generateSecretString, type SecretsManagerLocal, startSecretsManagerLocal } from './secrets-manager-local.ts';

/**
 * Every change this pass makes to what the template gives the functions, and why. Nothing else
 * differs, and an override only replaces a variable the template has: it never adds a missing one.
 */
export const OVERRIDES: Readonly<Record<string, { value: string; reason: string }>> = {
  HOOKPOST_ALLOW_PRIVATE_TARGETS: {
    value: 'true',
    reason: 'the test receivers listen on 127.0.0.1 over plain http, which the deployed stack refuses (SSRF guard)',
  },
};
// Not overridden: the retry schedule. The tests that need retries within seconds give their
// subscriptions `retrySchedule: [1, 1]` through the API, as a user can, and the rest keep the stack's.

/** Variables Lambda sets itself and refuses in a function's configuration. */
export const LAMBDA_RESERVED_VARIABLES = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

/**
 * The access key id a function signs with here, so the KMS and Secrets Manager servers know who asked
 * (letters and digits only: DynamoDB Local refuses any other key id).
 */
export const accessKeyIdOf = (functionName: string) => `local${functionName.replace(/[^A-Za-z0-9]/g, '')}`;

export interface Endpoints {
  sqs: string;
  dynamoDb: string;
  kms: string;
  secretsManager: string;
}

/**
 * Everything the function's process sees: the template's variables (resolved, with OVERRIDES), and
 * what Lambda's runtime adds (region, credentials, name, memory, handler, task root, log format).
 * The SDK's `AWS_ENDPOINT_URL_<SERVICE>` points each service at its local stand-in; the code is not told.
 */
export function functionEnvironment(spec: FunctionSpec, templateEnv: Record<string, string>, endpoints: Endpoints): Record<string, string> {
  const reserved = Object.keys(templateEnv).filter((name) => LAMBDA_RESERVED_VARIABLES.includes(name));
  if (reserved.length > 0) throw new Error(`${spec.name}: Lambda refuses reserved variables ${reserved.join(', ')}`);
  const overridden = Object.fromEntries(
    Object.entries(OVERRIDES)
      .filter(([name]) => name in templateEnv)
      .map(([name, { value }]) => [name, value]),
  );
  return {
    ...templateEnv,
    ...overridden,
    // Set by Lambda.
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.logicalId}`,
    ...(spec.logFormat && { AWS_LAMBDA_LOG_FORMAT: spec.logFormat }),
    ...(spec.applicationLogLevel && { AWS_LAMBDA_LOG_LEVEL: spec.applicationLogLevel }),
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDir,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    // The role's credentials on AWS; here a key id per function, secret and token unused by the emulators.
    AWS_ACCESS_KEY_ID: accessKeyIdOf(spec.name),
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    // Local stand-ins, read by the AWS SDK from the environment.
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
    AWS_ENDPOINT_URL_KMS: endpoints.kms,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    // No shared config or credentials files of whoever runs the tests.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

export interface BundledStack {
  readonly url: string;
  /** The admin key, read from the AdminKey secret as an operator would. */
  readonly adminKey: string;
  readonly functions: Map<string, BundledFunction>;
  /** Each function's environment as started (after OVERRIDES). */
  readonly environments: Map<string, Record<string, string>>;
  readonly sqs: SQSClient;
  /** A queue's URL by construct path, e.g. `FifoQueue`. */
  queueUrl(constructPath: string): string;
  readonly kms: KmsLocal;
  readonly secrets: SecretsManagerLocal;
  readonly api: LocalHttpApi;
  /** Errors the pollers met (a failed invocation among them), newest last. */
  readonly pollerErrors: Array<{ mapping: string; stage: string; error: unknown }>;
  stop(): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKnown(properties: Record<string, unknown>, known: string[], where: string): void {
  const unknown = Object.keys(properties).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} not reproduced locally (test/deploy/bundled-stack.ts)`);
}

interface Created {
  type: string;
  attributes: Record<string, string>;
}

export async function startBundledStack(options: {
  assembly: CloudAssembly;
  dynamoDbEndpoint: string;
  nodeBinary: string;
  /** Echo the functions' output. @default false */
  echo?: boolean;
}): Promise<BundledStack> {
  const { assembly } = options;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const fauxqs = await startSqsLocal();
    stops.push(() => fauxqs.stop());
    const kms = await startKmsLocal();
    stops.push(() => kms.close());
    const secrets = await startSecretsManagerLocal();
    stops.push(() => secrets.close());
    const sqs = sqsClient(LOCAL_REGION, fauxqs.endpoint);
    stops.push(async () => sqs.destroy());

    // --- Resources, from their template properties ------------------------------------------
    const created = new Map<string, Created>();
    const resources = Object.entries(assembly.template.Resources);
    const suffix = randomBytes(4).toString('hex');

    const dynamo = dynamoDbClient(LOCAL_REGION, options.dynamoDbEndpoint);
    const sns = snsClient(LOCAL_REGION, fauxqs.endpoint);
    try {
      for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
        const p = resource.Properties ?? {};
        const ignored = ['PointInTimeRecoverySpecification', 'SSESpecification', 'DeletionProtectionEnabled', 'Tags', 'TimeToLiveSpecification'];
        onlyKnown(p, ['KeySchema', 'AttributeDefinitions', 'BillingMode', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes', ...ignored], id);
        // A name per run: test files share one DynamoDB Local.
        const name = `${STACK_NAME}-${id}-${suffix}`;
        await dynamo.send(
          new CreateTableCommand({
            TableName: name,
            KeySchema: p.KeySchema as never,
            AttributeDefinitions: p.AttributeDefinitions as never,
            BillingMode: (p.BillingMode as never) ?? 'PROVISIONED',
            ...(p.BillingMode !== 'PAY_PER_REQUEST' && { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
            ...(p.GlobalSecondaryIndexes !== undefined && { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as never }),
            ...(p.LocalSecondaryIndexes !== undefined && { LocalSecondaryIndexes: p.LocalSecondaryIndexes as never }),
          }),
        );
        if (isRecord(p.TimeToLiveSpecification)) {
          await dynamo.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification as never }));
        }
        created.set(id, { type: resource.Type, attributes: { Ref: name, Arn: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}` } });
      }

      for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
        const p = resource.Properties ?? {};
        onlyKnown(p, ['DisplayName', 'KmsMasterKeyId', 'TopicName', 'Tags'], id);
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: String(p.TopicName ?? `${STACK_NAME}-${id}`) }));
        if (!TopicArn) throw new Error(`${id}: CreateTopic returned no ARN`);
        created.set(id, { type: resource.Type, attributes: { Ref: TopicArn, TopicArn, TopicName: TopicArn.split(':').at(-1) as string } });
      }
    } finally {
      dynamo.destroy();
      sns.destroy();
    }

    for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')) {
      const p = resource.Properties ?? {};
      onlyKnown(p, ['Description', 'GenerateSecretString', 'SecretString', 'Name', 'Tags'], id);
      const value = typeof p.SecretString === 'string' ? p.SecretString : generateSecretString(isRecord(p.GenerateSecretString) ? p.GenerateSecretString : {});
      const arn = secrets.createSecret(String(p.Name ?? id), value);
      created.set(id, { type: resource.Type, attributes: { Ref: arn, Id: arn } });
    }

    for (const [id, resource] of resources.filter(([, r]) => r.Type === 'AWS::KMS::Key')) {
      const p = resource.Properties ?? {};
      if (p.KeySpec !== undefined && p.KeySpec !== 'SYMMETRIC_DEFAULT') throw new Error(`${id}: only symmetric keys are reproduced locally`);
      const key = kms.createKey();
      created.set(id, { type: resource.Type, attributes: { Ref: key.keyId, Arn: key.arn, KeyId: key.keyId } });
    }

    const resolve: ResourceResolver = (logicalId, attribute, where) => {
      const found = created.get(logicalId);
      const value = found?.attributes[attribute];
      if (value === undefined) {
        const type = found?.type ?? assembly.template.Resources[logicalId]?.Type ?? 'unknown resource';
        throw new Error(`${where}: ${attribute === 'Ref' ? 'Ref' : `GetAtt ${attribute}`} of ${logicalId} (${type}) has no local counterpart`);
      }
      return value;
    };

    // Queues after the queues they redrive to.
    const queues = resources.filter(([, r]) => r.Type === 'AWS::SQS::Queue') as Array<[string, CfnResource]>;
    const pending = [...queues];
    while (pending.length > 0) {
      const index = pending.findIndex(([, r]) => {
        const redrive = r.Properties?.RedrivePolicy;
        const target = isRecord(redrive) ? redrive.deadLetterTargetArn : undefined;
        return !target || [...created.keys()].some((id) => JSON.stringify(target).includes(`"${id}"`));
      });
      if (index < 0) throw new Error(`queues with unresolvable redrive targets: ${pending.map(([id]) => id).join(', ')}`);
      const [id, resource] = pending.splice(index, 1)[0] as [string, CfnResource];
      const p = resource.Properties ?? {};
      const passed = ['VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'FifoQueue', 'ContentBasedDeduplication'];
      onlyKnown(p, [...passed, 'RedrivePolicy', 'QueueName', 'SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'Tags'], id);
      const attributes: Record<string, string> = {};
      for (const name of passed) if (p[name] !== undefined) attributes[name] = String(p[name]);
      if (isRecord(p.RedrivePolicy)) {
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: resolveValue(p.RedrivePolicy.deadLetterTargetArn, `${id}.RedrivePolicy`, resolve),
          maxReceiveCount: Number(p.RedrivePolicy.maxReceiveCount),
        });
      }
      const name = String(p.QueueName ?? `${STACK_NAME}-${id}${p.FifoQueue === true ? '.fifo' : ''}`);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (!QueueUrl) throw new Error(`${id}: CreateQueue returned no URL`);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.QueueArn;
      if (!arn) throw new Error(`${id}: no QueueArn`);
      created.set(id, { type: resource.Type, attributes: { Ref: QueueUrl, QueueUrl, Arn: arn, QueueName: name } });
    }

    // --- Functions ---------------------------------------------------------------------------
    const endpoints: Endpoints = { sqs: fauxqs.endpoint, dynamoDb: options.dynamoDbEndpoint, kms: kms.endpoint, secretsManager: secrets.endpoint };
    const functions = new Map<string, BundledFunction>();
    const byLogicalId = new Map<string, BundledFunction>();
    const environments = new Map<string, Record<string, string>>();
    const overridesUsed = new Set<string>();
    for (const spec of assembly.functions) {
      const templateEnv = Object.fromEntries(
        Object.entries(spec.environment).map(([name, value]) => [name, resolveValue(value, `${spec.logicalId}.Environment.${name}`, resolve)]),
      );
      for (const name of Object.keys(OVERRIDES)) if (name in templateEnv) overridesUsed.add(name);
      const env = functionEnvironment(spec, templateEnv, endpoints);
      const fn = new BundledFunction({ spec, env, nodeBinary: options.nodeBinary, echo: options.echo });
      stops.push(() => fn.stop());
      functions.set(spec.name, fn);
      byLogicalId.set(spec.logicalId, fn);
      environments.set(spec.name, env);
    }
    const stale = Object.keys(OVERRIDES).filter((name) => !overridesUsed.has(name));
    if (stale.length > 0) throw new Error(`OVERRIDES name variables no function has in the template: ${stale.join(', ')}`);
    const functionFor = (logicalId: string, where: string) => {
      const fn = byLogicalId.get(logicalId);
      if (!fn) throw new Error(`${where}: ${logicalId} is not a function of the template`);
      return fn;
    };

    // --- Event source mappings ---------------------------------------------------------------
    const pollerErrors: BundledStack['pollerErrors'] = [];
    const pollers: Poller[] = [];
    stops.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });
    for (const source of assembly.eventSources) {
      const queue = created.get(source.queue);
      if (queue?.type !== 'AWS::SQS::Queue') throw new Error(`${source.logicalId}: ${source.queue} is not a queue of the template`);
      const fn = functionFor(source.function, source.logicalId);
      pollers.push(
        startPoller({
          sqs,
          queueUrl: queue.attributes.QueueUrl as string,
          queueArn: queue.attributes.Arn as string,
          batchSize: source.batchSize,
          maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
          // ScalingConfig.MaximumConcurrency: concurrent batches from this source (the poller's default without one).
          ...(source.maxConcurrency !== undefined && { concurrency: source.maxConcurrency }),
          waitTimeSeconds: 1,
          handler: async (event) => {
            const response = (await fn.invoke(event)) as SQSBatchResponse | null;
            // Without ReportBatchItemFailures Lambda ignores what the function returns: a success is the whole batch.
            return source.reportBatchItemFailures ? (response ?? undefined) : undefined;
          },
          onError: (error, stage) => pollerErrors.push({ mapping: source.logicalId, stage, error }),
        }),
      );
    }

    // --- HTTP API ----------------------------------------------------------------------------
    const api = await startLocalHttpApi(
      assembly.routes.map((route) => {
        const fn = functionFor(route.function, route.routeKey);
        return { routeKey: route.routeKey, invoke: (event: APIGatewayProxyEventV2) => fn.invoke(event) };
      }),
    );
    stops.push(() => api.close());

    const adminKeyArn = resolve(assembly.logicalIdOf('AdminKey'), 'Ref', 'AdminKey');
    let stopping: Promise<void> | undefined;
    return {
      url: api.url,
      adminKey: secrets.valueOf(adminKeyArn),
      functions,
      environments,
      sqs,
      queueUrl: (constructPath) => resolve(assembly.logicalIdOf(constructPath), 'Ref', constructPath),
      kms,
      secrets,
      api,
      pollerErrors,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
