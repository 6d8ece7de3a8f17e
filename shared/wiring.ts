/**
 * The composition root: the one place that builds the adapters (DynamoDB, SQS, SNS, KMS, Secrets
 * Manager, undici) from Settings and hands them to the core as ports. Each Lambda function builds one
 * per container; local mode builds one per stack. What is built on the ports is the caller's choice
 * (`build`): the API functions and local mode take every service (core/management/services.ts createServices),
 * the consumer only its engine (core/engine/dispatcher.ts createDispatcher), so its bundle imports neither
 * the API's validators nor the code behind them.
 */
import type { DispatcherOptions } from './core/engine/index.ts';
import type { Ports } from './core/management/services.ts';
import { createSecretCipher, localKeyWrapper, type SecretCipher } from './core/platform/secret-cipher.ts';
import type { ClosableTransport, Clock, Log } from './core/platform/ports.ts';
import type { Settings } from './core/platform/settings.ts';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { documentClient, dynamoDbClient, kmsClient, secretsManagerClient, snsClient, sqsClient } from './adapters/aws/clients.ts';
import {
  DynamoEventTypeStore,
  DynamoIdempotencyStore,
  DynamoMessageStore,
  DynamoSubscriptionRoutes,
  DynamoSubscriptionStore,
} from './adapters/aws/dynamodb.ts';
import { DynamoApiKeyStore } from './adapters/aws/dynamodb-api-keys.ts';
import { DynamoAttemptStore } from './adapters/aws/dynamodb-attempts.ts';
import { DynamoAttemptHistory } from './adapters/aws/dynamodb-attempt-history.ts';
import { DynamoRateLimiter } from './adapters/aws/dynamodb-rate-limiter.ts';
import { DynamoSubscriptionRemoval } from './adapters/aws/dynamodb-subscription-removal.ts';
import { DynamoTenantRegistry } from './adapters/aws/dynamodb-tenants.ts';
import { kmsKeyWrapper } from './adapters/aws/kms.ts';
import { secretsManagerSource } from './adapters/aws/secrets-manager.ts';
import { logNotifier, SnsNotifier } from './adapters/aws/sns.ts';
import { SqsDeadLetterQueue, SqsEventQueue, SqsFifoQueue } from './adapters/aws/sqs.ts';

export interface Runtime<S> {
  settings: Settings;
  /** The adapters, as ports (tests and local mode look at the stores directly). */
  ports: Ports;
  /** What `build` made of the ports. */
  services: S;
  close(): Promise<void>;
}

/** Builds use cases on the ports: createServices (everything) or createDispatcher (the consumer's engine). */
export type ServiceBuilder<S> = (ports: Ports, settings: Settings, options: DispatcherOptions) => S;

export interface RuntimeOptions extends DispatcherOptions {
  /** Wraps each AWS client once, e.g. Powertools tracer.captureAWSv3Client. */
  instrument?: <T>(client: T) => T;
  clock?: Clock;
  log?: Log;
  /**
   * The outbound HTTP sender (undici), for the functions that deliver: passed in rather than imported
   * here so the ingest bundle stays without undici. Without it, any delivery attempt throws.
   */
  httpSender?: (settings: Settings) => ClosableTransport;
  /** KMS and Secrets Manager clients to use instead of the regional ones (local mode's stand-ins). */
  kms?: KMSClient;
  secretsManager?: SecretsManagerClient;
  /** How the secret cipher (and its data-key cache) is shared: one per runtime unless local mode keeps one per function. */
  shareCipher?: (build: () => SecretCipher) => SecretCipher;
}

const noHttpSender: ClosableTransport = {
  post: () => Promise.reject(new Error('this function was built without an HTTP sender')),
  close: async () => {},
};

const systemClock: Clock = { now: () => Date.now() };

/** One JSON line on stderr: what local mode and scripts log with. */
export const consoleLog: Log = {
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
};

/** KMS on AWS (or local mode's stand-in); a local key otherwise. Refuses to run with neither rather than store secrets in the clear. */
function secretCipher(settings: Settings, instrument: <T>(client: T) => T, options: RuntimeOptions): SecretCipher {
  const { secretsKeyArn } = settings;
  if (secretsKeyArn) {
    const kms = instrument(options.kms ?? kmsClient(settings.region));
    const build = () => createSecretCipher(kmsKeyWrapper(kms, secretsKeyArn));
    return options.shareCipher ? options.shareCipher(build) : build();
  }
  if (settings.localSecretsKey) return createSecretCipher(localKeyWrapper(Buffer.from(settings.localSecretsKey, 'base64')));
  throw new Error('Set HOOKPOST_SECRETS_KEY_ARN (AWS) or HOOKPOST_LOCAL_SECRETS_KEY (local mode) to seal signing secrets');
}

export function createRuntime<S>(settings: Settings, build: ServiceBuilder<S>, options: RuntimeOptions = {}): Runtime<S> {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  const clock = options.clock ?? systemClock;
  const { region, tableName: table } = settings;
  const sqs = instrument(sqsClient(region, settings.sqsEndpoint));
  const dynamo = instrument(dynamoDbClient(region, settings.dynamoDbEndpoint));
  const db = documentClient(dynamo);
  const sns = settings.alarmTopicArn ? instrument(snsClient(region, settings.sqsEndpoint)) : undefined;
  const transport = options.httpSender?.(settings) ?? noHttpSender;
  const ttlSeconds = settings.attemptTtlDays * 86_400;
  const ports: Ports = {
    clock,
    eventTypes: new DynamoEventTypeStore(db, table),
    subscriptions: new DynamoSubscriptionStore(db, table, secretCipher(settings, instrument, options)),
    subscriptionRemoval: new DynamoSubscriptionRemoval(db, table),
    attempts: new DynamoAttemptStore(db, table, ttlSeconds),
    attemptHistory: new DynamoAttemptHistory(db, table),
    apiKeys: new DynamoApiKeyStore(db, table),
    tenants: new DynamoTenantRegistry(db, table),
    messages: new DynamoMessageStore(db, table, ttlSeconds),
    idempotency: new DynamoIdempotencyStore(db, table, clock),
    queue: new SqsEventQueue(sqs, settings.eventsQueueUrl),
    ...(settings.slowQueueUrl && { slowQueue: new SqsEventQueue(sqs, settings.slowQueueUrl) }),
    rateLimiter: new DynamoRateLimiter(db, table),
    ...(settings.fifoQueueUrl && {
      fifoQueue: new SqsFifoQueue(sqs, settings.fifoQueueUrl),
      subscriptionRoutes: new DynamoSubscriptionRoutes(db, table),
    }),
    deadLetters: new SqsDeadLetterQueue(sqs, settings.deadLetterQueueUrl, {
      eventsQueueUrl: settings.eventsQueueUrl,
      eventsQueueArn: settings.eventsQueueArn,
      deadLetterQueueArn: settings.deadLetterQueueArn,
      // fauxqs has no message move tasks; locally the redrive moves messages itself.
      moveByHand: settings.sqsEndpoint !== undefined,
    }),
    transport,
    notifier: sns && settings.alarmTopicArn ? new SnsNotifier(sns, settings.alarmTopicArn) : logNotifier(options.log ?? consoleLog),
  };
  // Secrets Manager only where a secret is named and the value is not a setting (local mode).
  const secrets =
    settings.adminKeySecretArn || settings.portalSigningKeySecretArn ? instrument(options.secretsManager ?? secretsManagerClient(region)) : undefined;
  if (secrets && settings.adminKeySecretArn && !settings.adminKey) ports.adminKeySource = secretsManagerSource(secrets, settings.adminKeySecretArn);
  if (secrets && settings.portalSigningKeySecretArn && !settings.portalSigningKey) {
    ports.portalKeySource = secretsManagerSource(secrets, settings.portalSigningKeySecretArn);
  }
  return {
    settings,
    ports,
    services: build(ports, settings, options),
    async close() {
      await transport.close();
      sqs.destroy();
      sns?.destroy();
      secrets?.destroy();
      dynamo.destroy();
    },
  };
}
