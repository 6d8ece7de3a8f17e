/**
 * Hookpost on AWS: HTTP API → ingest/management functions (each authenticates its requests) → events
 * queue → consumer → receivers; DynamoDB for state, a dead-letter queue, alarms to SNS and a dashboard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENCRYPTION_CONTEXT as SIGNING_SECRETS_CONTEXT } from '#shared/adapters/aws/kms.ts';
import { TABLE_KEYS } from '#shared/adapters/aws/table.ts';
import { FIFO_MAX_RECEIVE_COUNT } from '#shared/core/fifo.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '#shared/core/metrics.ts';
import { settingsEnvironment } from '#shared/core/settings.ts';
import { type HookpostAlarms, createAlarms } from './alarms.ts';
import { createDashboard } from './dashboard.ts';
import { HookpostConsole } from './console.ts';
import { HookpostFunction, PROJECT_ROOT } from './hookpost-function.ts';
import { SmokeReceiver } from './smoke-receiver.ts';
import {
  DEAD_LETTER_RETENTION,
  type HookpostStackProps,
  MANAGEMENT_TIMEOUT,
  QUEUE_MAX_MESSAGE_BYTES,
  type ResolvedHookpostProps,
  SLOW_LANE_RETENTION,
  VISIBILITY_TIMEOUT_FACTOR,
  resolveHookpostProps,
} from './stack-props.ts';

/** HTTP API stage that serves the API at the root of its URL. */
const API_STAGE_NAME = '$default';

/**
 * Partition keys of the single table, as IAM `dynamodb:LeadingKeys` patterns. The layout is the
 * stores' (shared/adapters/aws/dynamodb.ts `keys`, shared/adapters/aws/dynamodb-api-keys.ts).
 */
export const TABLE_PARTITIONS = {
  eventTypes: 'EVENT_TYPE',
  /** A tenant's subscriptions (`SUB#…`), kept messages (`MSG#…`) and recover claims (`RECOVER#<sub>#<msg>`, with TTL). */
  tenants: 'TENANT#*',
  /** The tenant registry: one item per tenant with endpoints, so tenants are listed without a scan. */
  tenantRegistry: 'TENANTS',
  attempts: 'ATTEMPTS#*',
  idempotency: 'IDEMPOTENCY#*',
  /** API keys by id, for listing. */
  apiKeyList: 'API_KEYS',
  /** API keys by hash, for authentication. */
  apiKeyHashes: 'API_KEY#*',
  /** Per-endpoint rate-limiter state (`rateLimit`), written by the consumer only. */
  rateLimits: 'RATE#*',
} as const;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export class HookpostStack extends Stack {
  readonly settings: ResolvedHookpostProps;
  readonly table: dynamodb.Table;
  readonly eventsQueue: sqs.Queue;
  /** The slow lane: deliveries to endpoints that recently timed out, with their own consumer concurrency. */
  readonly slowQueue: sqs.Queue;
  /** Deliveries to `ordering: fifo` endpoints, a message group per subscription (shared/core/fifo.ts) … */
  readonly fifoQueue: sqs.Queue;
  /** … and where SQS moves a FIFO record the FIFO consumer could not handle (our own dead letters go to deadLetterQueue). */
  readonly fifoDeadLetterQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  readonly adminKey: secretsmanager.Secret;
  readonly ingest: HookpostFunction;
  readonly management: HookpostFunction;
  readonly consumer: HookpostFunction;
  readonly fifoConsumer: HookpostFunction;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly alarms: HookpostAlarms;
  readonly console: HookpostConsole;

  constructor(scope: Construct, id: string, props: HookpostStackProps = {}) {
    super(scope, id, {
      description: 'Hookpost: webhook delivery (HTTP API, SQS, Lambda, DynamoDB)',
      ...props,
    });
    const p = resolveHookpostProps(props);
    this.settings = p;

    // --- State -------------------------------------------------------------------------------
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Subscriptions, secrets and API keys outlive any one deployment.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    this.adminKey = new secretsmanager.Secret(this, 'AdminKey', {
      description: 'Hookpost admin API key (Authorization: Bearer <value>)',
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    });

    // --- Queues ------------------------------------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      maxMessageSizeBytes: QUEUE_MAX_MESSAGE_BYTES,
    });

    const consumedQueue = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: p.queueRetention,
      maxMessageSizeBytes: QUEUE_MAX_MESSAGE_BYTES,
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html — at least 6× the function timeout.
      visibilityTimeout: Duration.seconds(p.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: p.maxReceiveCount },
    } satisfies sqs.QueueProps;
    this.eventsQueue = new sqs.Queue(this, 'EventsQueue', consumedQueue);
    // Same shape and the same DLQ: a dead letter from either lane is redriven to the events queue, whose
    // consumer hands it back to the slow lane if its endpoint is still marked slow.
    this.slowQueue = new sqs.Queue(this, 'SlowQueue', { ...consumedQueue, retentionPeriod: SLOW_LANE_RETENTION });
    // A FIFO queue redrives only to a FIFO queue. Its DLQ takes only what SQS moves after
    // FIFO_MAX_RECEIVE_COUNT receives (a record the consumer keeps failing on); exhausted deliveries
    // are dead-lettered by the consumer to deadLetterQueue like any other.
    this.fifoDeadLetterQueue = new sqs.Queue(this, 'FifoDeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      maxMessageSizeBytes: QUEUE_MAX_MESSAGE_BYTES,
    });
    // Kept as long as the slow lane's: a group waits at a failing event for its whole schedule, and
    // the events behind it must outlive disableAfterFailing rather than expire unseen.
    this.fifoQueue = new sqs.Queue(this, 'FifoQueue', {
      ...consumedQueue,
      fifo: true,
      // Deduplication ids are `<messageId>:<subscriptionId>`, set by the ingest (shared/adapters/aws/sqs.ts).
      contentBasedDeduplication: false,
      retentionPeriod: SLOW_LANE_RETENTION,
      deadLetterQueue: { queue: this.fifoDeadLetterQueue, maxReceiveCount: FIFO_MAX_RECEIVE_COUNT },
    });

    // --- Notifications -----------------------------------------------------------------------
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Hookpost alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms can publish to an encrypted topic only if the key lets CloudWatch use it;
    // only on behalf of this account (confused deputy).
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Hookpost alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    // enforceSSL creates a topic policy, and a topic policy replaces SNS's default one: without this
    // Allow, CloudWatch may not publish and no alarm would ever notify. Same-account IAM principals
    // (the consumer) need no Allow here; their own policy is enough.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (p.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(p.alarmEmail));

    // --- Signing secrets ---------------------------------------------------------------------
    // Wraps the data keys that seal subscription secrets in the table (envelope encryption).
    const secretsKey = new kms.Key(this, 'SigningSecretsKey', {
      description: 'Wraps the data keys that encrypt Hookpost webhook signing secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Functions ---------------------------------------------------------------------------
    const environment: Record<string, string> = {
      // The variable names come from core/settings.ts, which the functions read them with.
      ...settingsEnvironment({
        tableName: this.table.tableName,
        eventsQueueUrl: this.eventsQueue.queueUrl,
        deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
        slowQueueUrl: this.slowQueue.queueUrl,
        slowQueueArn: this.slowQueue.queueArn,
        fifoQueueUrl: this.fifoQueue.queueUrl,
        slowLaneAfterMs: p.slowLaneAfter.toMilliseconds(),
        slowLaneHoldMs: p.slowLaneHold.toMilliseconds(),
        retryScheduleSeconds: [...p.retryScheduleSeconds],
        deliveryTimeoutMs: p.deliveryTimeout.toMilliseconds(),
        allowPrivateTargets: false,
        maxPayloadBytes: p.maxPayloadBytes,
        attemptTtlDays: p.attemptTtlDays,
        maxSubscriptionsPerTenant: p.maxSubscriptionsPerTenant,
        subscriptionCacheMs: p.subscriptionCacheTtl.toMilliseconds(),
        adminKeySecretArn: this.adminKey.secretArn,
        alarmTopicArn: this.alarmTopic.topicArn,
        secretsKeyArn: secretsKey.keyArn,
        disableAfterFailingMs: p.disableAfterFailing.toMilliseconds(),
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
    this.consumer = new HookpostFunction(this, 'Consumer', {
      ...common,
      entryFile: 'consumer.ts',
      description: 'Hookpost: delivers queued events to subscribed endpoints',
      timeout: p.consumerTimeout,
      memorySize: p.consumerMemorySize,
    });
    this.fifoConsumer = new HookpostFunction(this, 'FifoConsumer', {
      ...common,
      entryFile: 'fifo-consumer.ts',
      description: 'Hookpost: FIFO endpoints, each served one event at a time in publish order',
      timeout: p.consumerTimeout,
      memorySize: p.consumerMemorySize,
    });

    // Signing secrets, only under Hookpost's encryption context: management seals (GenerateDataKey)
    // and opens (Decrypt) them; the consumer only opens them.
    const secretsKeyStatement = (...actions: string[]) =>
      new iam.PolicyStatement({
        actions,
        resources: [secretsKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': SIGNING_SECRETS_CONTEXT.purpose } },
      });
    this.management.role.addToPolicy(secretsKeyStatement('kms:GenerateDataKey', 'kms:Decrypt'));
    this.consumer.role.addToPolicy(secretsKeyStatement('kms:Decrypt'));
    this.fifoConsumer.role.addToPolicy(secretsKeyStatement('kms:Decrypt'));

    // Table access: only the item actions each function's code calls, only on the partitions it uses.
    // LeadingKeys bounds item and query actions; Scan and batch calls have no single leading key
    // (ForAllValues would then pass), so none of them is granted. Transactions (API keys) are checked
    // as their PutItem/DeleteItem parts.
    const tableAccess = (role: iam.Role, actions: string[], partitions: string[]) =>
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: actions.map((action) => `dynamodb:${action}`),
          resources: [this.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } },
        }),
      );
    const t = TABLE_PARTITIONS;

    // Ingest: authenticates (admin key, API keys by hash), reads event types, claims, completes and
    // unlocks idempotency records (shared/core/ingest.ts); publishes to the events queue.
    this.adminKey.grantRead(this.ingest.function);
    tableAccess(this.ingest.role, ['GetItem'], [t.eventTypes, t.idempotency, t.apiKeyHashes]);
    tableAccess(this.ingest.role, ['PutItem', 'UpdateItem'], [t.idempotency]);
    this.ingest.allowSendTo(this.eventsQueue);
    // FIFO endpoints: reads a tenant's subscriptions (a projection without the sealed secrets: no KMS)
    // and sends each event's FIFO deliveries before the event (shared/core/fifo.ts).
    tableAccess(this.ingest.role, ['Query'], [t.tenants]);
    this.ingest.allowSendTo(this.fifoQueue);

    // Management: the catalogue, subscriptions, kept messages, the tenant registry, attempts (list,
    // stats, test sends) and API keys; never idempotency records (shared/core/*.ts use cases). Changes
    // to a subscription are conditional updates over the version read, so a race is a 409, not a lost
    // update. Each action only on the partitions it is used on (the IAM pass, test/iam, records which):
    // attempts are written and listed but never read one by one or deleted (TTL does), the registry
    // is put, listed and deleted, API keys by hash are read, written and deleted, never listed.
    this.adminKey.grantRead(this.management.function);
    tableAccess(this.management.role, ['GetItem'], [t.eventTypes, t.tenants, t.apiKeyList, t.apiKeyHashes]);
    tableAccess(this.management.role, ['PutItem'], [t.eventTypes, t.tenants, t.tenantRegistry, t.attempts, t.apiKeyList, t.apiKeyHashes]);
    tableAccess(this.management.role, ['Query'], [t.eventTypes, t.tenants, t.tenantRegistry, t.attempts, t.apiKeyList]);
    tableAccess(this.management.role, ['DeleteItem'], [t.eventTypes, t.tenants, t.tenantRegistry, t.apiKeyList, t.apiKeyHashes]);
    tableAccess(this.management.role, ['UpdateItem'], [t.tenants]);
    // Redelivery, recovery, and the destination of a redrive.
    this.management.allowSendTo(this.eventsQueue);
    // The DLQ: peek (GetQueueAttributes, ReceiveMessage with visibility 0) and redrive with a message
    // move task, which receives and deletes on the source queue with the caller's permissions
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
    // Management never sends to the DLQ; the hand-made redrive (receive/send/delete) is local mode only.
    this.management.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );

    // Consumer: reads the queue (granted by the event source), re-enqueues retries, dead-letters,
    // reads a tenant's subscriptions (and one afresh before dropping a delivery) and marks them
    // failing/healthy/disabled, keeps failed messages, records and reads attempts (shared/core/dispatch.ts),
    // and announces disabled endpoints on the topic.
    // The FIFO consumer (below) reads and writes the table as this one does.
    for (const role of [this.consumer.role, this.fifoConsumer.role]) {
      tableAccess(role, ['Query', 'PutItem'], [t.tenants, t.attempts]);
      tableAccess(role, ['GetItem', 'UpdateItem'], [t.tenants]);
      // Reserves rate-limit slots: one conditional UpdateItem per paced attempt (shared/adapters/aws/dynamodb-rate-limiter.ts).
      tableAccess(role, ['UpdateItem'], [t.rateLimits]);
    }
    this.consumer.allowSendTo(this.eventsQueue);
    // Hands deliveries to slow endpoints to the slow lane (and re-enqueues their retries there).
    this.consumer.allowSendTo(this.slowQueue);
    this.consumer.allowSendTo(this.deadLetterQueue);
    // Publishing to a KMS-encrypted topic needs the key too; exact actions instead of grantPublish's GenerateDataKey*.
    this.consumer.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.alarmTopic.topicArn] }),
    );
    topicKey.grant(this.consumer.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.consumer.function.addEventSource(
      new SqsEventSource(this.eventsQueue, {
        batchSize: p.batchSize,
        maxBatchingWindow: p.maxBatchingWindow,
        maxConcurrency: p.maxConcurrency,
        // Only the failed records return to the queue; the rest of the batch is done.
        reportBatchItemFailures: true,
      }),
    );
    // FIFO consumer: what the consumer does for one delivery (shared/core/fifo.ts deliverInOrder, which
    // uses dispatch.ts's failure handling), minus re-enqueueing: a retry waits in the FIFO queue
    // itself (ChangeMessageVisibility, part of the event source's consume grant). Its operational
    // events go to the events queue. Table access as the consumer's: attempts are read as the ledger.
    this.fifoConsumer.allowSendTo(this.eventsQueue, this.deadLetterQueue);
    this.fifoConsumer.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.alarmTopic.topicArn] }),
    );
    topicKey.grant(this.fifoConsumer.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Lambda's FIFO event source hands a group out only while none of its records is in flight and
    // keeps each group's records in order; no batching window on FIFO queues.
    this.fifoConsumer.function.addEventSource(
      new SqsEventSource(this.fifoQueue, {
        batchSize: 10,
        maxConcurrency: p.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // The same function on the slow lane, with its own cap: endpoints that hang there hold at most
    // slowLaneMaxConcurrency instances, never the events queue's maxConcurrency.
    this.consumer.function.addEventSource(
      new SqsEventSource(this.slowQueue, {
        batchSize: p.batchSize,
        maxBatchingWindow: p.maxBatchingWindow,
        maxConcurrency: p.slowLaneMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    // --- HTTP API ----------------------------------------------------------------------------
    // No API Gateway authorizer: the ingest and management functions authenticate every request
    // themselves (the same cached API-key lookup as local mode). An HTTP API Lambda authorizer can
    // only answer 403 {"message":"Forbidden"} or, when it fails, 500 — not the API's own 401/503 bodies.
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Hookpost producer and management API',
      createDefaultStage: false,
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: p.logRetention });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: API_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: p.apiThrottleRateLimit, burstLimit: p.apiThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // What was called and how it ended; never bodies or the Authorization header. The caller's
        // key id is in the function's own log line (the functions authenticate, not API Gateway).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            integrationLatency: '$context.integrationLatency',
          }),
        ),
      },
    });

    const ingestIntegration = new HttpLambdaIntegration('IngestIntegration', this.ingest.function);
    const managementIntegration = new HttpLambdaIntegration('ManagementIntegration', this.management.function);
    const authenticatedRoutes = [
      ...this.api.addRoutes({ path: '/v1/events', methods: [apigwv2.HttpMethod.POST], integration: ingestIntegration }),
      ...this.api.addRoutes({ path: '/v1/events/batch', methods: [apigwv2.HttpMethod.POST], integration: ingestIntegration }),
      ...this.api.addRoutes({ path: '/v1/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: managementIntegration }),
    ];
    const [healthRoute] = this.api.addRoutes({
      path: '/v1/health',
      methods: [apigwv2.HttpMethod.GET],
      integration: managementIntegration,
    });

    // --- Console and tenant portal (cdk/console.ts) ---------------------------------------------
    this.console = new HookpostConsole(this, 'Console', {
      api: this.api,
      apiUrl: this.apiStage.url,
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

    // --- Alarms and dashboard ----------------------------------------------------------------
    this.alarms = createAlarms(this, {
      topic: this.alarmTopic,
      eventsQueue: this.eventsQueue,
      slowQueue: this.slowQueue,
      fifoQueue: this.fifoQueue,
      fifoDeadLetterQueue: this.fifoDeadLetterQueue,
      deadLetterQueue: this.deadLetterQueue,
      consumer: this.consumer.function,
      fifoConsumer: this.fifoConsumer.function,
      apiId: this.api.apiId,
      apiStageName: API_STAGE_NAME,
      oldestEventAgeThreshold: p.oldestEventAgeAlarmThreshold,
      slowLaneOldestAgeThreshold: p.slowLaneOldestAgeAlarmThreshold,
      fifoOldestAgeThreshold: p.fifoOldestAgeAlarmThreshold,
      deliveryFailureRatePercent: p.deliveryFailureRateAlarmPercent,
      api5xxThreshold: p.api5xxAlarmThreshold,
    });
    const dashboard = createDashboard(this, {
      apiId: this.api.apiId,
      apiStageName: API_STAGE_NAME,
      eventsQueue: this.eventsQueue,
      slowQueue: this.slowQueue,
      fifoQueue: this.fifoQueue,
      fifoDeadLetterQueue: this.fifoDeadLetterQueue,
      deadLetterQueue: this.deadLetterQueue,
      functions: {
        ingest: this.ingest.function,
        management: this.management.function,
        consumer: this.consumer.function,
        fifoConsumer: this.fifoConsumer.function,
      },
      consumer: this.consumer.function,
      alarms: this.alarms,
    });

    // --- Outputs -----------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'Base URL of the Hookpost API' });
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
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboardName });

    // --- Smoke-test receiver, only with `smokeReceiver: true` (cdk/smoke-receiver.ts) ------------
    if (p.smokeReceiver) {
      const receiver = new SmokeReceiver(this, 'SmokeReceiver', { logRetention: p.logRetention });
      new CfnOutput(this, 'SmokeReceiverUrl', { value: receiver.functionUrl.url, description: 'Receiver for npm run smoke (--receiver-url)' });
    }

    // --- cdk-nag: accepted findings, each with its reason --------------------------------------
    const authenticatedInFunction =
      'No API Gateway authorizer by design: the integrated function authenticates every request itself with a Bearer API key (SHA-256 hash looked up in the table, or the admin key from Secrets Manager) and answers 401 without one; a Lambda authorizer could only answer 403/500. No route is anonymous except GET /v1/health and the web console.';
    for (const route of authenticatedRoutes) {
      Validations.of(route).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: authenticatedInFunction },
        { id: 'AwsSolutions-COG4', reason: authenticatedInFunction },
      );
    }
    const publicHealth =
      'GET /v1/health is deliberately public (the only API route without a key, see docs/api.md) and returns no data.';
    if (healthRoute) {
      Validations.of(healthRoute).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: publicHealth },
        { id: 'AwsSolutions-COG4', reason: publicHealth },
      );
    }
    Validations.of(this.adminKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The admin API key is a bearer token held by clients; the operator rotates it deliberately (and issues scoped keys via /v1/api-keys) instead of an automatic rotation that would lock clients out.',
    });
  }
}
