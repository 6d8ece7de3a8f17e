/**
 * The default Hookpost stack, synthesized once with real esbuild bundling of the three handlers,
 * checked property by property and against cdk-nag's AwsSolutions rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_METRICS } from '#shared/core/engine/metrics.ts';
import { DEFAULTS } from '#shared/core/platform/settings.ts';
import { FUNCTION_ENTRIES } from '../../cdk/bundling.ts';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { type CfnResource, actionsOf, coversEveryResource, onlyResource, referencedId, statementsByResource, testApp } from './synth.ts';

let app: App;
let stack: HookpostStack;
let template: Template;

beforeAll(() => {
  // Arrange (shared): bundling three handlers takes a few seconds, so the stack is built once.
  app = testApp({ fast: false });
  stack = new HookpostStack(app, 'Hookpost');
  template = Template.fromStack(stack);
}, 120_000);

const eventsQueue = () => onlyResource(template, 'AWS::SQS::Queue', (p, id) => p.RedrivePolicy !== undefined && id.startsWith('EventsQueue'));
const deadLetterQueue = () => onlyResource(template, 'AWS::SQS::Queue', (p) => p.RedrivePolicy === undefined && p.FifoQueue === undefined);
const consumerFunction = () => {
  const mapping = onlyResource(
    template,
    'AWS::Lambda::EventSourceMapping',
    (p) => referencedId(p.EventSourceArn) === eventsQueue().logicalId,
  ).resource;
  const id = referencedId(mapping.Properties.FunctionName);
  const resource = (template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>)[id ?? ''];
  if (!resource) throw new Error('event source mapping does not point at a function of the stack');
  return { logicalId: id as string, resource };
};
const alarmTopicRef = () => ({ Ref: onlyResource(template, 'AWS::SNS::Topic').logicalId });

describe('events queue and dead-letter queue', () => {
  it('redrives to the dead-letter queue after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueue().logicalId, 'Arn'] },
      },
    });
  });

  it('encrypts both queues and accepts 1 MiB messages', () => {
    for (const queue of [eventsQueue(), deadLetterQueue()]) {
      expect(queue.resource.Properties).toMatchObject({ SqsManagedSseEnabled: true, MaximumMessageSize: 1_048_576 });
    }
  });

  it('denies every non-TLS request on both queues', () => {
    for (const queue of [eventsQueue(), deadLetterQueue()]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue.logicalId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('keeps dead letters 14 days', () => {
    expect(deadLetterQueue().resource.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('hides a received message for at least six times the consumer timeout', () => {
    const visibility = eventsQueue().resource.Properties.VisibilityTimeout as number;
    const timeout = consumerFunction().resource.Properties.Timeout as number;
    expect(timeout).toBe(60);
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });
});

describe('consumer event source', () => {
  it('reads the events queue in batches, reports partial failures and caps concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [eventsQueue().logicalId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });
});

describe('table', () => {
  it('is on-demand with PITR, TTL on `ttl`, pk/sk string keys, and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    });
  });
});

describe('functions', () => {
  const functions = () => Object.values(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>);

  it('runs every handler on Node.js 22, arm64, without X-Ray tracing unless the stack turns it on', () => {
    // The bench (bench/cold-start.ts) measures the same list, plus the console function that serves files.
    expect(functions()).toHaveLength(FUNCTION_ENTRIES.length + 1);
    for (const fn of functions()) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      expect(fn.Properties.TracingConfig).toBeUndefined();
      // The functions read this to leave the X-Ray SDK unloaded (shared/adapters/lambda/observability.ts).
      expect((fn.Properties.Environment as { Variables: unknown }).Variables).toMatchObject({ POWERTOOLS_TRACE_ENABLED: 'false' });
    }
  });

  // The SDK is bundled (cdk/bundling.ts): the runtime's own copy can be older than the one the tests
  // run and lack a command the code imports, and the function would fail to start.
  it('bundles each handler as ESM with a require shim and a source map, Powertools and the AWS SDK inside', () => {
    const assemblyDir = app.synth().directory;
    const bundledSources = new Map<string, string[]>();
    const bundles = new Map<string, string>();
    for (const [logicalId, fn] of Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>)) {
      // Arrange: the S3 key of a function's code is `<asset hash>.zip`; the staged asset is `asset.<hash>/`.
      const key = String((fn.Properties.Code as { S3Key: unknown }).S3Key);
      const assetDir = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);

      // Act
      const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');

      // Assert
      expect(bundle.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
      // Nothing is imported at run time from outside the bundle: not Powertools, not the AWS SDK. (The
      // lookbehind skips the SDK's own error text, which quotes `[require("@aws-sdk/signature-v4-crt")]`.)
      expect(bundle).not.toMatch(/(?<![\w[])(from\s*|require\(|import\()["'](@aws-lambda-powertools|@aws-sdk|@smithy)\//);
      const sourceMap = JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      // Mappings only (what stack traces need), not the sources' text: less for Node to read at start.
      expect(sourceMap.sourcesContent).toBeUndefined();
      // Every API and delivery function talks to DynamoDB; its client comes from this repository's
      // node_modules (package-lock). The console function only serves files and has no AWS client.
      const servesFilesOnly = String(fn.Properties.Description).includes('console');
      expect(sourceMap.sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(!servesFilesOnly);
      // Tracing is off by default, and then the tracer's import is compiled out (cdk/bundling.ts bundleDefine).
      expect(sourceMap.sources.filter((source) => /node_modules\/(aws-xray-sdk-core|@aws-lambda-powertools\/tracer\/lib\/esm\/Tracer)/.test(source))).toEqual([]);
      bundledSources.set(logicalId, sourceMap.sources);
      bundles.set(logicalId, bundle);
    }
    // Both consumers build only their engine (core/engine/dispatcher.ts): no API validators in their cold
    // start, and undici's Agent without the rest of undici's index (fetch, WebSocket, cache).
    const fifoConsumerId = [...bundledSources.keys()].find((id) => id.startsWith('FifoConsumer'));
    expect(fifoConsumerId).toBeDefined();
    for (const id of [consumerFunction().logicalId, fifoConsumerId as string]) {
      const consumerSources = bundledSources.get(id) ?? [];
      expect(consumerSources.some((source) => source.includes('node_modules/@aws-lambda-powertools/'))).toBe(true);
      for (const left of ['node_modules/zod/', 'node_modules/ajv/', 'node_modules/undici/lib/web/websocket/', 'node_modules/undici/lib/mock/']) {
        expect(consumerSources.filter((source) => source.includes(left))).toEqual([]);
      }
      expect(consumerSources.some((source) => source.includes('node_modules/undici/lib/dispatcher/agent.js'))).toBe(true);
    }
    // The redrive's SQS command ships with the management function (the runtime's SDK may not have it).
    const management = [...bundles.entries()].find(([id]) => id.startsWith('Management'))?.[1] ?? '';
    expect(management).toContain('StartMessageMoveTask');
  });

  it('gives every function the Hookpost settings, with private targets refused', () => {
    for (const fn of functions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining([
          'HOOKPOST_TABLE_NAME',
          'HOOKPOST_EVENTS_QUEUE_URL',
          'HOOKPOST_DEAD_LETTER_QUEUE_URL',
          'HOOKPOST_RETRY_SCHEDULE_SECONDS',
          'HOOKPOST_DELIVERY_TIMEOUT_MS',
          'HOOKPOST_ALLOW_PRIVATE_TARGETS',
          'HOOKPOST_MAX_PAYLOAD_BYTES',
          'HOOKPOST_ATTEMPT_TTL_DAYS',
          'HOOKPOST_ADMIN_KEY_SECRET_ARN',
          'HOOKPOST_ALARM_TOPIC_ARN',
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_LOG_LEVEL',
        ]),
      );
      expect(variables).toMatchObject({
        HOOKPOST_RETRY_SCHEDULE_SECONDS: DEFAULTS.retryScheduleSeconds.join(','),
        HOOKPOST_DELIVERY_TIMEOUT_MS: '10000',
        HOOKPOST_ALLOW_PRIVATE_TARGETS: 'false',
        HOOKPOST_MAX_PAYLOAD_BYTES: '262144',
        HOOKPOST_ATTEMPT_TTL_DAYS: '30',
        POWERTOOLS_SERVICE_NAME: 'hookpost',
        POWERTOOLS_METRICS_NAMESPACE: 'Hookpost',
      });
    }
  });

  it('logs JSON at INFO by default, platform records included', () => {
    for (const fn of functions()) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' });
    }
  });

  it('logs each function to its own log group kept one month', () => {
    for (const fn of functions()) {
      const logGroupId = referencedId((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup) ?? '';
      const logGroup = (template.findResources('AWS::Logs::LogGroup') as Record<string, CfnResource>)[logGroupId];
      expect(logGroup).toMatchObject({ Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    }
  });

  it('lets only ingest and management (which authenticate requests) read the admin key', () => {
    const secretId = onlyResource(template, 'AWS::SecretsManager::Secret', (p) => !String(p.Description).includes('portal')).logicalId;
    const readers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy).includes('"secretsmanager:GetSecretValue"'),
    );
    expect(readers.map(([id]) => id.replace(/RoleDefaultPolicy.*/, '')).sort()).toEqual(['Ingest', 'Management']);
    for (const [, policy] of readers) expect(JSON.stringify(policy)).toContain(`{"Ref":"${secretId}"}`);
  });

  it('seals signing secrets with a rotating KMS key that only management and the consumers may use, under its context', () => {
    const key = onlyResource(template, 'AWS::KMS::Key', (p) => String(p.Description).includes('signing secrets'));
    expect(key.resource).toMatchObject({ Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    for (const fn of functions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.HOOKPOST_SECRETS_KEY_ARN).toEqual({ 'Fn::GetAtt': [key.logicalId, 'Arn'] });
      expect(variables.HOOKPOST_DISABLE_AFTER_FAILING_MS).toBe('432000000');
    }
    const users = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy).includes(`"Fn::GetAtt":["${key.logicalId}","Arn"]`),
    );
    expect(users.map(([id]) => id.replace(/RoleDefaultPolicy.*/, '')).sort()).toEqual(['Consumer', 'FifoConsumer', 'Management']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
            Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'hookpost-signing-secrets' } },
          }),
        ]),
      },
    });
  });

  it('lets the management function start dead-letter redrives on the DLQ only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:StartMessageMoveTask']),
            Resource: { 'Fn::GetAtt': [deadLetterQueue().logicalId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('grants no action on "*" (X-Ray, the one exception, is only granted with tracing on)', () => {
    const onEverything = [...statementsByResource(template).values()].flat().filter((s) => coversEveryResource(s.Resource));
    expect(onEverything.flatMap(actionsOf)).toEqual([]);
  });

  it('finds "*" however the Resource is written', () => {
    expect(coversEveryResource('*')).toBe(true);
    expect(coversEveryResource(['*'])).toBe(true);
    expect(coversEveryResource([{ Ref: 'Table' }, '*'])).toBe(true);
    expect(coversEveryResource({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(false);
    expect(coversEveryResource([{ 'Fn::GetAtt': ['Table', 'Arn'] }])).toBe(false);
  });
});

describe('HTTP API', () => {
  const routeId = (routeKey: string) => onlyResource(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === routeKey);

  // The functions authenticate each request (401/503 bodies of the API); an API Gateway Lambda
  // authorizer would turn a refusal into 403 {"message":"Forbidden"} and its failure into 500.
  it('has no API Gateway authorizer', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it.each(['POST /v1/events', 'POST /v1/events/batch', 'ANY /v1/{proxy+}', 'GET /v1/health'])(
    'passes %s straight to its function, which authenticates it',
    (key) => {
      const route = routeId(key).resource.Properties;
      expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(route.AuthorizerId).toBeUndefined();
    },
  );

  it('routes exactly the six route keys (the API\'s four and the console\'s two)', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Record<string, CfnResource>).map(
      (route) => route.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual([
      'ANY /v1/{proxy+}',
      'GET /console',
      'GET /console/{proxy+}',
      'GET /v1/health',
      'POST /v1/events',
      'POST /v1/events/batch',
    ]);
  });

  it('outputs the base URL of the $default stage', () => {
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': ['', Match.arrayWith(['https://', { Ref: onlyResource(template, 'AWS::ApiGatewayV2::Api').logicalId }])],
      },
    });
  });

  it('routes events to ingest and everything else to management', () => {
    const integrationTarget = (key: string) => JSON.stringify(routeId(key).resource.Properties.Target);
    expect(integrationTarget('POST /v1/events')).toBe(integrationTarget('POST /v1/events/batch'));
    expect(integrationTarget('ANY /v1/{proxy+}')).toBe(integrationTarget('GET /v1/health'));
    expect(integrationTarget('POST /v1/events')).not.toBe(integrationTarget('ANY /v1/{proxy+}'));
  });

  it('throttles the default stage and writes JSON access logs without credentials', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    const stage = onlyResource(template, 'AWS::ApiGatewayV2::Stage').resource;
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    expect(() => JSON.parse(format)).not.toThrow();
    expect(format).not.toMatch(/authorization|header/i);
    // No authorizer, so nothing comes from $context.authorizer; status and request id do.
    expect(format).not.toContain('$context.authorizer');
    expect(Object.values(JSON.parse(format) as Record<string, string>)).toEqual(
      expect.arrayContaining(['$context.requestId', '$context.status', '$context.routeKey', '$context.integrationStatus']),
    );
  });
});

describe('alarms', () => {
  it('alarms as soon as the dead-letter queue holds a visible message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueue().logicalId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [alarmTopicRef()],
    });
  });

  it('alarms when the oldest event waits longer than 30 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventsQueue().logicalId, 'QueueName'] } }],
      Threshold: 1800,
      AlarmActions: [alarmTopicRef()],
    });
  });

  it.each(['Errors', 'Throttles'])('alarms on any consumer %s (the FIFO consumer\'s counted with it: alarms.test.ts)', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: { Ref: consumerFunction().logicalId } }] },
          }),
        }),
      ]),
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [alarmTopicRef()],
    });
  });

  it('alarms on the delivery failure rate computed as failed / (failed + succeeded)', () => {
    const deliveryMetric = (id: string, name: string) =>
      Match.objectLike({
        Id: id,
        ReturnData: false,
        MetricStat: Match.objectLike({
          Metric: { Namespace: 'Hookpost', MetricName: name, Dimensions: [{ Name: 'service', Value: 'hookpost' }] },
          Stat: 'Sum',
        }),
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 25,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '100 * failed / (failed + FILL(succeeded, 0))', ReturnData: true }),
        deliveryMetric('failed', 'DeliveryFailed'),
        deliveryMetric('succeeded', 'DeliverySucceeded'),
      ]),
      AlarmActions: [alarmTopicRef()],
    });
  });

  it('alarms on API 5xx of the default stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: onlyResource(template, 'AWS::ApiGatewayV2::Api').logicalId } },
        { Name: 'Stage', Value: '$default' },
      ],
      Threshold: 5,
      AlarmActions: [alarmTopicRef()],
    });
  });

  it('sends every alarm and its recovery to the topic and never treats missing data as breaching', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as CfnResource[];
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [alarmTopicRef()],
        OKActions: [alarmTopicRef()],
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('publishes to a KMS-encrypted, TLS-only topic that CloudWatch may encrypt for, without an email by default', () => {
    const keyId = onlyResource(template, 'AWS::KMS::Key', (p) => String(p.Description).includes('alarm topic')).logicalId;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('has a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('shows rate-limited deliveries (waits, not failures) on the dashboard', () => {
    const body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').resource.Properties.DashboardBody);
    expect(body).toContain(DELIVERY_METRICS.rateLimited);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    // Act: cdk-nag v3 is a policy-validation plugin; validateScope returns its report directly.
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assert: listing rule and resource makes a failure readable.
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledged finding a specific reason', () => {
    const acknowledged: Record<string, string> = {};
    const walk = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged[`${node.node.path} ${id.replace(/^annotation::/i, '')}`] = reason;
        }
      }
      for (const child of node.node.children) walk(child);
    };
    walk(stack);

    expect(Object.keys(acknowledged).sort()).toEqual(
      [
        'Hookpost/AdminKey AwsSolutions-SMG4',
        'Hookpost/Console/PortalSigningKey AwsSolutions-SMG4',
        ...['GET--console', 'GET--console--{proxy+}'].flatMap((route) => [`Hookpost/Api/${route} AwsSolutions-APIG4`, `Hookpost/Api/${route} AwsSolutions-COG4`]),
        'Hookpost/Api/GET--v1--health AwsSolutions-APIG4',
        'Hookpost/Api/GET--v1--health AwsSolutions-COG4',
        ...['POST--v1--events', 'POST--v1--events--batch', 'ANY--v1--{proxy+}'].flatMap((route) => [
          `Hookpost/Api/${route} AwsSolutions-APIG4`,
          `Hookpost/Api/${route} AwsSolutions-COG4`,
        ]),
        // No IAM5 for X-Ray's "*": the default stack has tracing off, so nothing grants it.
        ...['Consumer', 'FifoConsumer', 'Ingest', 'Management', 'Console/Console'].map((fn) => `Hookpost/${fn}/Function AwsSolutions-L1`),
      ].sort(),
    );
    for (const reason of Object.values(acknowledged)) expect(reason.length).toBeGreaterThan(40);
  });

  it('raises no CDK error or warning annotation', () => {
    // The assembly synthesized in beforeAll is cached; Annotations.fromStack would synthesize again.
    const messages = app.synth().getStackArtifact(stack.artifactId).messages;
    const problems = messages
      .filter((m) => String(m.level) !== 'info')
      .map((m) => `${String(m.level)} ${m.id}: ${String(m.entry.data)}`);
    expect(problems).toEqual([]);
  });
});
