/**
 * Wires the real adapters (DynamoDB, SQS, undici) to the core from one Config. The Lambda functions
 * build one per container; `npm run dev` builds one per process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from './config.ts';
import type { DeliveryDeps } from './delivery.ts';
import type { EventType, Subscription } from './domain.ts';
import type { ClosableHttpSender } from './http-sender.ts';
import type {
  ApiKeyStore,
  AttemptHistory,
  SubscriptionRemoval,
  AttemptStore,
  Clock,
  DeadLetterQueue,
  EventQueue,
  EventTypeStore,
  HttpSender,
  IdempotencyStore,
  MessageStore,
  Notifier,
  SubscriptionStore,
} from './ports.ts';
import { logNotifier, SnsNotifier } from './notices/sns.ts';
import { createSecretCipher, localKeyWrapper, type SecretCipher } from './secrets/cipher.ts';
import { kmsKeyWrapper } from './secrets/kms.ts';
import { SqsDeadLetterQueue, SqsEventQueue } from './queues/sqs.ts';
import {
  DynamoAttemptStore,
  DynamoEventTypeStore,
  DynamoIdempotencyStore,
  DynamoMessageStore,
  DynamoSubscriptionStore,
} from './stores/dynamodb.ts';
import { DynamoApiKeyStore } from './stores/dynamodb-api-keys.ts';
import { DynamoAttemptHistory } from './stores/dynamodb-attempt-history.ts';
import { DynamoSubscriptionRemoval } from './stores/dynamodb-subscription-removal.ts';
import { DynamoTenantRegistry, type TenantRegistry } from './stores/dynamodb-tenants.ts';
import { TtlCache } from './ttl-cache.ts';

export interface Runtime {
  config: Config;
  clock: Clock;
  eventTypes: EventTypeStore;
  subscriptions: SubscriptionStore;
  attempts: AttemptStore;
  /** Bounded reads of recent attempts (stats, recovery). */
  attemptHistory: AttemptHistory;
  apiKeys: ApiKeyStore;
  subscriptionRemoval: SubscriptionRemoval;
  /** Tenants with endpoints (GET /v1/tenants). */
  tenants: TenantRegistry;
  messages: MessageStore;
  idempotency: IdempotencyStore;
  queue: EventQueue;
  deadLetters: DeadLetterQueue;
  http: HttpSender;
  notifier: Notifier;
  /** Cached reads for the hot paths; writers in the same process invalidate them. */
  cache: {
    eventType(type: string): Promise<EventType | undefined>;
    subscriptionsOf(tenant: string): Promise<Subscription[]>;
    forgetEventType(type: string): void;
    forgetTenant(tenant: string): void;
  };
  sqs: SQSClient;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Wraps each AWS client once, e.g. Powertools tracer.captureAWSv3Client. */
  instrument?: <T>(client: T) => T;
  clock?: Clock;
  /**
   * Builds the outbound HTTP sender (undici), for the functions that deliver: passed in rather than
   * imported here so the ingest bundle stays without undici. Without it, any send throws.
   */
  httpSender?: (config: Config) => ClosableHttpSender;
}

const noHttpSender: ClosableHttpSender = {
  send: () => Promise.reject(new Error('this function was built without an HTTP sender')),
  close: async () => {},
};

const systemClock: Clock = { now: () => Date.now() };
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What one attempt needs, the same for the consumer and for test events. */
export const deliveryDeps = (runtime: Runtime): DeliveryDeps => ({
  http: runtime.http,
  clock: runtime.clock,
  deliveryTimeoutMs: runtime.config.deliveryTimeoutMs,
  userAgent: `Hookpost/${runtime.config.version}`,
});

/** KMS on AWS; a local key in local mode. Refuses to run with neither rather than store secrets in the clear. */
function secretCipher(config: Config, instrument: <T>(client: T) => T): SecretCipher {
  if (config.secretsKeyArn) {
    return createSecretCipher(kmsKeyWrapper(instrument(new KMSClient({ region: config.region })), config.secretsKeyArn));
  }
  if (config.localSecretsKey) return createSecretCipher(localKeyWrapper(Buffer.from(config.localSecretsKey, 'base64')));
  throw new Error('Set HOOKPOST_SECRETS_KEY_ARN (AWS) or HOOKPOST_LOCAL_SECRETS_KEY (local mode) to seal signing secrets');
}

export function createRuntime(config: Config, options: RuntimeOptions = {}): Runtime {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  const clock = options.clock ?? systemClock;
  const sqs = instrument(
    new SQSClient({
      region: config.region,
      // Queue URLs from fauxqs name a host that does not resolve; the endpoint below is the one to use.
      useQueueUrlAsEndpoint: false,
      ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint, credentials: localCredentials } : {}),
    }),
  );
  const dynamo = instrument(
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint, credentials: localCredentials } : {}),
    }),
  );
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  // fauxqs serves SNS on the same endpoint as SQS.
  const sns = config.alarmTopicArn
    ? instrument(
        new SNSClient({
          region: config.region,
          ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint, credentials: localCredentials } : {}),
        }),
      )
    : undefined;
  const http = options.httpSender?.(config) ?? noHttpSender;

  const eventTypes = new DynamoEventTypeStore(db, config.tableName);
  const subscriptions = new DynamoSubscriptionStore(db, config.tableName, secretCipher(config, instrument));
  const eventTypeCache = new TtlCache<EventType | undefined>(config.subscriptionCacheMs, clock);
  const tenantCache = new TtlCache<Subscription[]>(config.subscriptionCacheMs, clock);

  return {
    config,
    clock,
    eventTypes,
    subscriptions,
    attempts: new DynamoAttemptStore(db, config.tableName, config.attemptTtlDays * 86_400),
    attemptHistory: new DynamoAttemptHistory(db, config.tableName),
    apiKeys: new DynamoApiKeyStore(db, config.tableName),
    subscriptionRemoval: new DynamoSubscriptionRemoval(db, config.tableName),
    tenants: new DynamoTenantRegistry(db, config.tableName),
    messages: new DynamoMessageStore(db, config.tableName, config.attemptTtlDays * 86_400),
    idempotency: new DynamoIdempotencyStore(db, config.tableName),
    queue: new SqsEventQueue(sqs, config.eventsQueueUrl),
    deadLetters: new SqsDeadLetterQueue(sqs, config.deadLetterQueueUrl, {
      eventsQueueUrl: config.eventsQueueUrl,
      eventsQueueArn: config.eventsQueueArn,
      deadLetterQueueArn: config.deadLetterQueueArn,
      // fauxqs has no message move tasks; locally the redrive moves messages itself.
      moveByHand: config.sqsEndpoint !== undefined,
    }),
    http,
    notifier: sns && config.alarmTopicArn ? new SnsNotifier(sns, config.alarmTopicArn) : logNotifier,
    cache: {
      async eventType(type) {
        const found = await eventTypeCache.get(type, () => eventTypes.get(type));
        // Only hits are cached, so a type registered a moment ago is usable at once.
        if (!found) eventTypeCache.delete(type);
        return found;
      },
      subscriptionsOf: (tenant) => tenantCache.get(tenant, () => subscriptions.listByTenant(tenant)),
      forgetEventType: (type) => eventTypeCache.delete(type),
      forgetTenant: (tenant) => tenantCache.delete(tenant),
    },
    sqs,
    async close() {
      await http.close();
      sqs.destroy();
      sns?.destroy();
      dynamo.destroy();
    },
  };
}
