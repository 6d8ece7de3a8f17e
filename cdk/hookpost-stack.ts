/**
 * Hookpost on AWS: HTTP API → ingest/management functions (each authenticates its requests) → events
 * queue → consumer → receivers; DynamoDB for state, a dead-letter queue, alarms to SNS and a dashboard.
 * The constructor is the table of contents; each part is built by its own construct.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FIFO_MAX_RECEIVE_COUNT } from '#shared/core/engine/index.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '#shared/core/engine/index.ts';
import { settingsEnvironment } from '#shared/core/platform/settings.ts';
import { AlarmTopic, type HookpostAlarms, createAlarms } from './alarms.ts';
import { HookpostConsole } from './console.ts';
import { createDashboard } from './dashboard.ts';
import { HookpostFunction, PROJECT_ROOT } from './hookpost-function.ts';
import { API_STAGE_NAME, HookpostApi } from './http-api.ts';
import { DeadLetterQueue, DeliveryConsumer, DeliveryQueue } from './queue-consumer.ts';
import { SmokeReceiver } from './smoke-receiver.ts';
import {
  type HookpostStackProps,
  MANAGEMENT_TIMEOUT,
  type ResolvedHookpostProps,
  SLOW_LANE_RETENTION,
  resolveHookpostProps,
} from './stack-props.ts';
import { AdminKey, HookpostTable, SigningSecretsKey, TABLE_PARTITIONS as t } from './state.ts';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export class HookpostStack extends Stack {
  readonly settings: ResolvedHookpostProps;
  readonly table: HookpostTable;
  readonly adminKey: AdminKey;
  readonly signingSecretsKey: SigningSecretsKey;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly eventsQueue: DeliveryQueue;
  /** The slow lane: deliveries to endpoints that recently timed out, with their own consumer concurrency. */
  readonly slowQueue: DeliveryQueue;
  /** Deliveries to `ordering: fifo` endpoints, a message group per subscription (shared/core/engine/fifo.ts) … */
  readonly fifoQueue: DeliveryQueue;
  /** … and where SQS moves a FIFO record the FIFO consumer could not handle (our own dead letters go to deadLetterQueue). */
  readonly fifoDeadLetterQueue: DeadLetterQueue;
  readonly alarmTopic: AlarmTopic;
  readonly ingest: HookpostFunction;
  readonly management: HookpostFunction;
  readonly consumer: DeliveryConsumer;
  readonly fifoConsumer: DeliveryConsumer;
  readonly api: HookpostApi;
  readonly console: HookpostConsole;
  readonly alarms: HookpostAlarms;

  constructor(scope: Construct, id: string, props: HookpostStackProps = {}) {
    super(scope, id, {
      description: 'Hookpost: webhook delivery (HTTP API, SQS, Lambda, DynamoDB)',
      ...props,
    });
    const p = resolveHookpostProps(props);
    this.settings = p;

    // --- State (cdk/state.ts) -----------------------------------------------------------------
    this.table = new HookpostTable(this, 'Table');
    this.adminKey = new AdminKey(this, 'AdminKey');
    this.signingSecretsKey = new SigningSecretsKey(this, 'SigningSecretsKey');

    // --- Queues (cdk/queue-consumer.ts) -------------------------------------------------------
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    const consumed = { consumerTimeout: p.consumerTimeout, deadLetterQueue: this.deadLetterQueue, maxReceiveCount: p.maxReceiveCount };
    this.eventsQueue = new DeliveryQueue(this, 'EventsQueue', { ...consumed, retentionPeriod: p.queueRetention });
    // Same shape and the same DLQ: a dead letter from either lane is redriven to the events queue, whose
    // consumer hands it back to the slow lane if its endpoint is still marked slow.
    this.slowQueue = new DeliveryQueue(this, 'SlowQueue', { ...consumed, retentionPeriod: SLOW_LANE_RETENTION });
    // A FIFO queue redrives only to a FIFO queue. Its DLQ takes only what SQS moves after
    // FIFO_MAX_RECEIVE_COUNT receives (a record the consumer keeps failing on); exhausted deliveries
    // are dead-lettered by the consumer to deadLetterQueue like any other.
    this.fifoDeadLetterQueue = new DeadLetterQueue(this, 'FifoDeadLetterQueue', { fifo: true });
    // Kept as long as the slow lane's: a group waits at a failing event for its whole schedule, and
    // the events behind it must outlive disableAfterFailingMs rather than expire unseen.
    this.fifoQueue = new DeliveryQueue(this, 'FifoQueue', {
      fifo: true,
      consumerTimeout: p.consumerTimeout,
      retentionPeriod: SLOW_LANE_RETENTION,
      deadLetterQueue: this.fifoDeadLetterQueue,
      maxReceiveCount: FIFO_MAX_RECEIVE_COUNT,
    });

    // --- Notifications (cdk/alarms.ts) --------------------------------------------------------
    const topicKey = new kms.Key(this, 'AlarmTopicKey', { description: 'Encrypts the Hookpost alarm topic', enableKeyRotation: true });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { masterKey: topicKey, email: p.alarmEmail });

    // --- Functions ----------------------------------------------------------------------------
    const environment = this.functionEnvironment(p);
    const common = { environment, logRetention: p.logRetention, logLevel: p.logLevel, tracing: p.tracing };
    this.ingest = new HookpostFunction(this, 'Ingest', {
      ...common,
      entryFile: 'ingest.ts',
      description: 'Hookpost: POST /v1/events and /v1/events/batch',
      timeout: Duration.seconds(15),
      memorySize: p.apiMemorySize,
    });
    this.management = new HookpostFunction(this, 'Management', {
      ...common,
      entryFile: 'management.ts',
      description: 'Hookpost: management API, test sends and dead-letter redrive',
      timeout: MANAGEMENT_TIMEOUT,
      memorySize: p.apiMemorySize,
    });
    const delivers = {
      ...common,
      timeout: p.consumerTimeout,
      memorySize: p.consumerMemorySize,
      table: this.table,
      signingSecretsKey: this.signingSecretsKey,
      alarmTopic: this.alarmTopic,
    };
    this.consumer = new DeliveryConsumer(this, 'Consumer', {
      ...delivers,
      entryFile: 'consumer.ts',
      description: 'Hookpost: delivers queued events to subscribed endpoints',
      // Retries, operational events and dead letters; deliveries to slow endpoints (and their retries) go to the slow lane.
      sendsTo: [this.eventsQueue, this.slowQueue, this.deadLetterQueue],
    });
    // What the consumer does for one delivery (shared/core/engine/fifo.ts deliverInOrder, which uses
    // dispatch.ts's failure handling), minus re-enqueueing: a retry waits in the FIFO queue itself.
    // Its operational events go to the events queue.
    this.fifoConsumer = new DeliveryConsumer(this, 'FifoConsumer', {
      ...delivers,
      entryFile: 'fifo-consumer.ts',
      description: 'Hookpost: FIFO endpoints, each served one event at a time in publish order',
      sendsTo: [this.eventsQueue, this.deadLetterQueue],
    });
    this.allowIngest();
    this.allowManagement();

    // --- Event sources: the three queue-fed consumers -----------------------------------------
    const batching = { batchSize: p.batchSize, maxBatchingWindow: p.maxBatchingWindow };
    this.consumer.consume(this.eventsQueue, { ...batching, maxConcurrency: p.maxConcurrency });
    // Lambda's FIFO event source hands a group out only while none of its records is in flight and
    // keeps each group's records in order; no batching window on FIFO queues.
    this.fifoConsumer.consume(this.fifoQueue, { batchSize: 10, maxConcurrency: p.maxConcurrency });
    // The same function on the slow lane, with its own cap: endpoints that hang there hold at most
    // slowLaneMaxConcurrency instances, never the events queue's maxConcurrency.
    this.consumer.consume(this.slowQueue, { ...batching, maxConcurrency: p.slowLaneMaxConcurrency });

    // --- HTTP API (cdk/http-api.ts), console and tenant portal (cdk/console.ts) ---------------
    this.api = new HookpostApi(this, 'Api', {
      ingest: this.ingest.function,
      management: this.management.function,
      accessLogs: new logs.LogGroup(this, 'ApiAccessLogs', { retention: p.logRetention }),
      apiThrottleRateLimit: p.apiThrottleRateLimit,
      apiThrottleBurstLimit: p.apiThrottleBurstLimit,
    });
    this.console = new HookpostConsole(this, 'Console', {
      api: this.api,
      apiUrl: this.api.stage.url,
      ingest: this.ingest,
      management: this.management,
      environment,
      logRetention: p.logRetention,
      logLevel: p.logLevel,
      tracing: p.tracing,
      memorySize: p.apiMemorySize,
      portalFrameAncestors: p.portalFrameAncestors,
      portalSigningKeySecret: p.portalSigningKeySecret,
      publicUrl: p.publicUrl,
    });

    // --- Alarms and dashboard (cdk/alarms.ts, cdk/dashboard.ts) -------------------------------
    const watched = {
      apiId: this.api.apiId,
      apiStageName: API_STAGE_NAME,
      eventsQueue: this.eventsQueue,
      slowQueue: this.slowQueue,
      fifoQueue: this.fifoQueue,
      fifoDeadLetterQueue: this.fifoDeadLetterQueue,
      deadLetterQueue: this.deadLetterQueue,
      consumer: this.consumer.function,
      fifoConsumer: this.fifoConsumer.function,
    };
    this.alarms = createAlarms(this, {
      ...watched,
      topic: this.alarmTopic,
      oldestEventAgeAlarmThreshold: p.oldestEventAgeAlarmThreshold,
      slowLaneOldestAgeAlarmThreshold: p.slowLaneOldestAgeAlarmThreshold,
      fifoOldestAgeAlarmThreshold: p.fifoOldestAgeAlarmThreshold,
      deliveryFailureRateAlarmPercent: p.deliveryFailureRateAlarmPercent,
      api5xxAlarmThreshold: p.api5xxAlarmThreshold,
    });
    const dashboard = createDashboard(this, {
      ...watched,
      functions: {
        ingest: this.ingest.function,
        management: this.management.function,
        consumer: this.consumer.function,
        fifoConsumer: this.fifoConsumer.function,
      },
      alarms: this.alarms,
    });

    // --- Outputs, and the smoke-test receiver with `smokeReceiver: true` (cdk/smoke-receiver.ts) --
    this.outputs(dashboard.dashboardName);
    if (p.smokeReceiver) {
      const receiver = new SmokeReceiver(this, 'SmokeReceiver', { logRetention: p.logRetention });
      new CfnOutput(this, 'SmokeReceiverUrl', { value: receiver.functionUrl.url, description: 'Receiver for npm run smoke (--receiver-url)' });
    }
  }

  /** Where things are, for operators and for `npm run smoke`. */
  private outputs(dashboardName: string): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the Hookpost API' });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: this.adminKey.secretArn,
      description: 'Secret holding the admin API key: aws secretsmanager get-secret-value --secret-id <arn>',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventsQueueUrl', { value: this.eventsQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'SlowQueueUrl', { value: this.slowQueue.queueUrl });
    new CfnOutput(this, 'FifoQueueUrl', { value: this.fifoQueue.queueUrl });
    new CfnOutput(this, 'FifoDeadLetterQueueUrl', { value: this.fifoDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: dashboardName });
  }

  /** Every function's environment: the settings (variable names from shared/core/platform/settings.ts) and Powertools'. */
  private functionEnvironment(p: ResolvedHookpostProps): Record<string, string> {
    return {
      ...settingsEnvironment({
        tableName: this.table.tableName,
        eventsQueueUrl: this.eventsQueue.queueUrl,
        deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
        slowQueueUrl: this.slowQueue.queueUrl,
        slowQueueArn: this.slowQueue.queueArn,
        fifoQueueUrl: this.fifoQueue.queueUrl,
        slowLaneAfterMs: p.slowLaneAfterMs,
        slowLaneHoldMs: p.slowLaneHoldMs,
        retryScheduleSeconds: [...p.retryScheduleSeconds],
        deliveryTimeoutMs: p.deliveryTimeoutMs,
        allowPrivateTargets: false,
        maxPayloadBytes: p.maxPayloadBytes,
        attemptTtlDays: p.attemptTtlDays,
        maxSubscriptionsPerTenant: p.maxSubscriptionsPerTenant,
        subscriptionCacheMs: p.subscriptionCacheMs,
        adminKeySecretArn: this.adminKey.secretArn,
        alarmTopicArn: this.alarmTopic.topicArn,
        secretsKeyArn: this.signingSecretsKey.keyArn,
        disableAfterFailingMs: p.disableAfterFailingMs,
        eventsQueueArn: this.eventsQueue.queueArn,
        deadLetterQueueArn: this.deadLetterQueue.queueArn,
        version: packageVersion(),
      }),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: p.logLevel,
      // Powertools' own switch, in step with the bundles (which hold the tracer only with tracing on).
      POWERTOOLS_TRACE_ENABLED: String(p.tracing),
    };
  }

  /**
   * Ingest: authenticates (admin key, API keys by hash), reads event types, claims, completes and
   * unlocks idempotency records (shared/core/management/ingest.ts); publishes to the events queue. FIFO
   * endpoints: reads a tenant's subscriptions (a projection without the sealed secrets: no KMS) and
   * sends each event's FIFO deliveries before the event (shared/core/engine/fifo.ts).
   */
  private allowIngest(): void {
    const role = this.ingest.role;
    this.adminKey.grantRead(this.ingest.function);
    this.table.allow(role, ['GetItem'], [t.eventTypes, t.idempotency, t.apiKeyHashes]);
    this.table.allow(role, ['PutItem', 'UpdateItem'], [t.idempotency]);
    this.ingest.allowSendTo(this.eventsQueue);
    this.table.allow(role, ['Query'], [t.tenants]);
    this.ingest.allowSendTo(this.fifoQueue);
  }

  /**
   * Management: the catalogue, subscriptions, kept messages, the tenant registry, attempts (list,
   * stats, test sends) and API keys; never idempotency records (shared/core/*.ts use cases). Changes
   * to a subscription are conditional updates over the version read, so a race is a 409, not a lost
   * update. Each action only on the partitions it is used on (the IAM pass, test/iam, records which):
   * attempts are written and listed but never read one by one or deleted (TTL does), the registry is
   * put, listed and deleted, API keys by hash are read, written and deleted, never listed. It seals
   * and opens signing secrets, redelivers and recovers to the events queue, and redrives the DLQ.
   */
  private allowManagement(): void {
    const role = this.management.role;
    this.signingSecretsKey.allowSealAndOpen(role);
    this.adminKey.grantRead(this.management.function);
    this.table.allow(role, ['GetItem'], [t.eventTypes, t.tenants, t.apiKeyList, t.apiKeyHashes]);
    this.table.allow(role, ['PutItem'], [t.eventTypes, t.tenants, t.tenantRegistry, t.attempts, t.apiKeyList, t.apiKeyHashes]);
    this.table.allow(role, ['Query'], [t.eventTypes, t.tenants, t.tenantRegistry, t.attempts, t.apiKeyList]);
    this.table.allow(role, ['DeleteItem'], [t.eventTypes, t.tenants, t.tenantRegistry, t.apiKeyList, t.apiKeyHashes]);
    this.table.allow(role, ['UpdateItem'], [t.tenants]);
    this.management.allowSendTo(this.eventsQueue);
    // The DLQ: peek (GetQueueAttributes, ReceiveMessage with visibility 0) and redrive with a message
    // move task, which receives and deletes on the source queue with the caller's permissions
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
    // Management never sends to the DLQ; the hand-made redrive (receive/send/delete) is local mode only.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
  }
}
