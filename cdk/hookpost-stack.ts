/**
 * Hookpost on AWS: HTTP API (Lambda authorizer) → ingest/management functions → events queue →
 * consumer → receivers; DynamoDB for state, a dead-letter queue, alarms to SNS and a dashboard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
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
import { ENCRYPTION_CONTEXT as SIGNING_SECRETS_CONTEXT } from '#shared/secrets/kms.ts';
import { TABLE_KEYS } from '#shared/table.ts';
import { type HookpostAlarms, METRICS_NAMESPACE, SERVICE_NAME, createAlarms } from './alarms.ts';
import { createDashboard } from './dashboard.ts';
import { HookpostConsole } from './console.ts';
import { HookpostFunction, PROJECT_ROOT } from './hookpost-function.ts';
import {
  DEAD_LETTER_RETENTION,
  type HookpostStackProps,
  MANAGEMENT_TIMEOUT,
  QUEUE_MAX_MESSAGE_BYTES,
  type ResolvedHookpostProps,
  VISIBILITY_TIMEOUT_FACTOR,
  resolveHookpostProps,
} from './stack-props.ts';

/** HTTP API stage that serves the API at the root of its URL. */
const API_STAGE_NAME = '$default';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export class HookpostStack extends Stack {
  readonly settings: ResolvedHookpostProps;
  readonly table: dynamodb.Table;
  readonly eventsQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  readonly adminKey: secretsmanager.Secret;
  readonly authorizer: HookpostFunction;
  readonly ingest: HookpostFunction;
  readonly management: HookpostFunction;
  readonly consumer: HookpostFunction;
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

    this.eventsQueue = new sqs.Queue(this, 'EventsQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: p.queueRetention,
      maxMessageSizeBytes: QUEUE_MAX_MESSAGE_BYTES,
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html — at least 6× the function timeout.
      visibilityTimeout: Duration.seconds(p.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: p.maxReceiveCount },
    });

    // --- Notifications -----------------------------------------------------------------------
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Hookpost alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms can publish to an encrypted topic only if the key lets CloudWatch use it.
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Hookpost alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
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
      HOOKPOST_TABLE_NAME: this.table.tableName,
      HOOKPOST_EVENTS_QUEUE_URL: this.eventsQueue.queueUrl,
      HOOKPOST_DLQ_URL: this.deadLetterQueue.queueUrl,
      HOOKPOST_RETRY_SCHEDULE: p.retryScheduleSeconds.join(','),
      HOOKPOST_DELIVERY_TIMEOUT_MS: String(p.deliveryTimeout.toMilliseconds()),
      HOOKPOST_ALLOW_PRIVATE_TARGETS: 'false',
      HOOKPOST_MAX_PAYLOAD_BYTES: String(p.maxPayloadBytes),
      HOOKPOST_ATTEMPT_TTL_DAYS: String(p.attemptTtlDays),
      HOOKPOST_SUBSCRIPTION_CACHE_MS: String(p.subscriptionCacheTtl.toMilliseconds()),
      HOOKPOST_ADMIN_KEY_SECRET_ARN: this.adminKey.secretArn,
      HOOKPOST_ALARM_TOPIC_ARN: this.alarmTopic.topicArn,
      HOOKPOST_SECRETS_KEY_ARN: secretsKey.keyArn,
      HOOKPOST_DISABLE_AFTER_FAILING_HOURS: String(p.disableAfterFailing.toHours()),
      HOOKPOST_EVENTS_QUEUE_ARN: this.eventsQueue.queueArn,
      HOOKPOST_DLQ_ARN: this.deadLetterQueue.queueArn,
      HOOKPOST_VERSION: packageVersion(),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: p.logLevel,
    };
    const common = { environment, logRetention: p.logRetention };

    this.authorizer = new HookpostFunction(this, 'Authorizer', {
      ...common,
      entryFile: 'authorizer.ts',
      description: 'Hookpost: checks the API key of every API request',
      timeout: Duration.seconds(10),
      memorySize: p.apiMemorySize,
    });
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

    // Sealing and opening signing secrets: only under Hookpost's encryption context.
    const secretsKeyStatement = new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [secretsKey.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': SIGNING_SECRETS_CONTEXT.purpose } },
    });
    this.management.role.addToPolicy(secretsKeyStatement);
    this.consumer.role.addToPolicy(secretsKeyStatement);

    // Authorizer: the admin key and the hashed API keys.
    this.adminKey.grantRead(this.authorizer.function);
    this.table.grantReadData(this.authorizer.function);

    // Ingest: event types and idempotency records; publishes to the events queue.
    this.table.grantReadWriteData(this.ingest.function);
    this.eventsQueue.grantSendMessages(this.ingest.function);

    // Management: everything in the table, redelivery, dead-letter peek and redrive.
    this.adminKey.grantRead(this.management.function);
    this.table.grantReadWriteData(this.management.function);
    this.eventsQueue.grantSendMessages(this.management.function);
    this.deadLetterQueue.grantSendMessages(this.management.function);
    this.deadLetterQueue.grantConsumeMessages(this.management.function);
    // A message move task runs with the caller's permissions on both queues:
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
    this.management.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );

    // Consumer: reads the queue (granted by the event source), re-enqueues retries, dead-letters,
    // records attempts and announces disabled endpoints on the topic.
    this.table.grantReadWriteData(this.consumer.function);
    this.eventsQueue.grantSendMessages(this.consumer.function);
    this.deadLetterQueue.grantSendMessages(this.consumer.function);
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

    // --- HTTP API ----------------------------------------------------------------------------
    const apiKeyAuthorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizer.function, {
      authorizerName: 'hookpost-api-key',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: p.authorizerCacheTtl,
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Hookpost producer and management API',
      createDefaultStage: false,
      defaultAuthorizer: apiKeyAuthorizer,
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: p.logRetention });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: API_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: p.apiThrottleRateLimit, burstLimit: p.apiThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // Who called what and how it ended; never bodies or the Authorization header.
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
            authorizerError: '$context.authorizer.error',
            keyId: '$context.authorizer.keyId',
            tenant: '$context.authorizer.tenant',
          }),
        ),
      },
    });

    const ingestIntegration = new HttpLambdaIntegration('IngestIntegration', this.ingest.function);
    const managementIntegration = new HttpLambdaIntegration('ManagementIntegration', this.management.function);
    this.api.addRoutes({ path: '/v1/events', methods: [apigwv2.HttpMethod.POST], integration: ingestIntegration });
    this.api.addRoutes({ path: '/v1/events/batch', methods: [apigwv2.HttpMethod.POST], integration: ingestIntegration });
    this.api.addRoutes({ path: '/v1/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: managementIntegration });
    const [healthRoute] = this.api.addRoutes({
      path: '/v1/health',
      methods: [apigwv2.HttpMethod.GET],
      integration: managementIntegration,
      authorizer: new apigwv2.HttpNoneAuthorizer(),
    });

    // --- Console and tenant portal (cdk/console.ts) ---------------------------------------------
    this.console = new HookpostConsole(this, 'Console', {
      api: this.api,
      apiUrl: this.apiStage.url,
      authorizer: this.authorizer,
      management: this.management,
      environment,
      logRetention: p.logRetention,
      memorySize: p.apiMemorySize,
      portalFrameAncestors: p.portalFrameAncestors,
      portalSigningKeySecret: p.portalSigningKeySecret,
      publicUrl: p.publicUrl,
    });

    // --- Alarms and dashboard ----------------------------------------------------------------
    this.alarms = createAlarms(this, {
      topic: this.alarmTopic,
      eventsQueue: this.eventsQueue,
      deadLetterQueue: this.deadLetterQueue,
      consumer: this.consumer.function,
      apiId: this.api.apiId,
      apiStageName: API_STAGE_NAME,
      oldestEventAgeThreshold: p.oldestEventAgeAlarmThreshold,
      deliveryFailureRatePercent: p.deliveryFailureRateAlarmPercent,
      api5xxThreshold: p.api5xxAlarmThreshold,
    });
    const dashboard = createDashboard(this, {
      apiId: this.api.apiId,
      apiStageName: API_STAGE_NAME,
      eventsQueue: this.eventsQueue,
      deadLetterQueue: this.deadLetterQueue,
      functions: {
        authorizer: this.authorizer.function,
        ingest: this.ingest.function,
        management: this.management.function,
        consumer: this.consumer.function,
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
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboardName });

    // --- cdk-nag: accepted findings, each with its reason --------------------------------------
    const publicHealth =
      'GET /v1/health is deliberately public (SPEC: the only route without an API key) and returns no data.';
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
