/**
 * Stack props reach the synthesized template, and conflicting props are refused before anything is
 * built. Bundling and CloudFormation validation are skipped: the default-stack test covers both.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { type HookpostStackProps, resolveHookpostProps } from '../../cdk/stack-props.ts';
import { type CfnResource, onlyResource, testApp } from './synth.ts';

const custom: HookpostStackProps = {
  retryScheduleSeconds: [1, 2, 3],
  deliveryTimeoutMs: 5000,
  maxPayloadBytes: 100_000,
  attemptTtlDays: 7,
  maxSubscriptionsPerTenant: 250,
  subscriptionCacheMs: 1000,
  disableAfterFailingMs: 172_800_000,
  batchSize: 25,
  maxBatchingWindow: Duration.seconds(5),
  maxConcurrency: 50,
  maxReceiveCount: 8,
  queueRetention: Duration.days(2),
  consumerTimeout: Duration.seconds(120),
  consumerMemorySize: 1024,
  apiMemorySize: 256,
  apiThrottleRateLimit: 10,
  apiThrottleBurstLimit: 20,
  logRetention: RetentionDays.THREE_MONTHS,
  logLevel: 'DEBUG',
  tracing: true,
  alarmEmail: 'ops@example.com',
  oldestEventAgeAlarmThreshold: Duration.hours(1),
  deliveryFailureRateAlarmPercent: 40,
  api5xxAlarmThreshold: 12,
};

let template: Template;

beforeAll(() => {
  template = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'HookpostCustom', custom));
}, 60_000);

const functions = () => Object.values(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>);
const consumer = () => onlyResource(template, 'AWS::Lambda::Function', (p) => String(p.Description).includes('delivers')).resource;

describe('custom props', () => {
  it('pass the retry schedule and the other delivery settings to every function', () => {
    for (const fn of functions()) {
      expect((fn.Properties.Environment as { Variables: unknown }).Variables).toMatchObject({
        HOOKPOST_RETRY_SCHEDULE_SECONDS: '1,2,3',
        HOOKPOST_DELIVERY_TIMEOUT_MS: '5000',
        HOOKPOST_MAX_PAYLOAD_BYTES: '100000',
        HOOKPOST_ATTEMPT_TTL_DAYS: '7',
        HOOKPOST_SUBSCRIPTION_CACHE_MS: '1000',
        HOOKPOST_DISABLE_AFTER_FAILING_MS: '172800000',
        HOOKPOST_MAX_SUBSCRIPTIONS_PER_TENANT: '250',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
  });

  it('turn on X-Ray tracing: active tracing, the Powertools tracer, and the X-Ray grant on every function', () => {
    for (const fn of functions()) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Properties.Environment as { Variables: unknown }).Variables).toMatchObject({ POWERTOOLS_TRACE_ENABLED: 'true' });
    }
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>);
    const xrayPolicies = policies.filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('xray:PutTraceSegments'));
    expect(xrayPolicies).toHaveLength(functions().length);
  });

  it('set the Lambda log levels, so DEBUG lines are not dropped by Lambda (JSON format defaults to INFO)', () => {
    for (const fn of functions()) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'DEBUG' });
    }
  });

  it('size the consumers and the API functions', () => {
    expect(consumer().Properties).toMatchObject({ Timeout: 120, MemorySize: 1024 });
    const fifoConsumer = onlyResource(template, 'AWS::Lambda::Function', (p) => String(p.Description).includes('FIFO')).resource;
    expect(fifoConsumer.Properties).toMatchObject({ Timeout: 120, MemorySize: 1024 });
    const apiFunctions = functions().filter((fn) => fn !== consumer() && fn !== fifoConsumer);
    // Ingest, management and the console.
    expect(apiFunctions.map((fn) => fn.Properties.MemorySize)).toEqual([256, 256, 256]);
  });

  it('tune the event source', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 50 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('set redrive, retention and a visibility timeout six times the consumer timeout', () => {
    const queue = onlyResource(template, 'AWS::SQS::Queue', (p, id) => p.RedrivePolicy !== undefined && id.startsWith('EventsQueue')).resource;
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: 720,
      MessageRetentionPeriod: 2 * 86_400,
      RedrivePolicy: { maxReceiveCount: 8 },
    });
  });

  it('set API throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  it('set log retention on every log group', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as CfnResource[];
    // Four functions and the API access log.
    expect(groups).toHaveLength(6);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
  });

  it('set alarm thresholds', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Threshold: 12 });
    // The failure rate is the math alarm over the delivery counters (the consumer sums read AWS/Lambda).
    const rate = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResource>).filter((alarm) =>
      JSON.stringify(alarm.Properties.Metrics ?? []).includes('DeliveryFailed'),
    );
    expect(rate.map((alarm) => alarm.Properties.Threshold)).toEqual([40]);
  });

  it('subscribe the alarm email to the topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: onlyResource(template, 'AWS::SNS::Topic').logicalId },
    });
  });
});

describe('conflicting props', () => {
  it('are refused by the stack before anything is built', () => {
    expect(() => new HookpostStack(testApp({ fast: true }), 'Bad', { retryScheduleSeconds: [] })).toThrow(
      /retryScheduleSeconds must list at least one retry delay/,
    );
  });

  it.each<[string, HookpostStackProps, RegExp]>([
    ['an empty retry schedule', { retryScheduleSeconds: [] }, /at least one retry delay/],
    ['a negative retry delay', { retryScheduleSeconds: [5, -1] }, /whole, non-negative seconds/],
    ['a fractional retry delay', { retryScheduleSeconds: [1.5] }, /whole, non-negative seconds/],
    ['maxReceiveCount below 5', { maxReceiveCount: 3 }, /maxReceiveCount must be at least 5/],
    ['a consumer timeout over the Lambda maximum', { consumerTimeout: Duration.minutes(16) }, /consumerTimeout must be 1\.\.900 s/],
    [
      'a delivery timeout the consumer cannot wait for',
      { deliveryTimeoutMs: 20_000, consumerTimeout: Duration.seconds(30) },
      /at most half of consumerTimeout/,
    ],
    [
      'a delivery timeout that outlives a test send through API Gateway',
      { deliveryTimeoutMs: 27_000, consumerTimeout: Duration.seconds(300) },
      /management timeout/,
    ],
    ['a batch over 10 without a batching window', { batchSize: 50, maxBatchingWindow: Duration.seconds(0) }, /at least 1 s/],
    ['a batch size over the SQS maximum', { batchSize: 10_001 }, /batchSize must be 1\.\.10000/],
    ['maxConcurrency below the event-source minimum', { maxConcurrency: 1 }, /maxConcurrency must be 2\.\.1000/],
    ['no endpoint per tenant', { maxSubscriptionsPerTenant: 0 }, /maxSubscriptionsPerTenant must be a whole number 1\.\.10000/],
    ['a payload limit that cannot fit one SQS message', { maxPayloadBytes: 1_048_576 }, /fits one SQS message/],
    ['queue retention not shorter than the DLQ', { queueRetention: Duration.days(14) }, /shorter than the 14-day/],
    ['an alarm email that is no address', { alarmEmail: 'ops' }, /alarmEmail is not an email address/],
    ['a failure-rate threshold of 100 %', { deliveryFailureRateAlarmPercent: 100 }, /between 0 and 100/],
    ['a zero API rate limit', { apiThrottleRateLimit: 0 }, /apiThrottleRateLimit must be positive/],
  ])('refuse %s', (_name, props, message) => {
    expect(() => resolveHookpostProps(props)).toThrow(message);
  });

  it('are all optional: no props means the documented defaults', () => {
    const resolved = resolveHookpostProps({});
    expect(resolved).toMatchObject({
      retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
      batchSize: 10,
      maxConcurrency: 10,
      maxReceiveCount: 5,
      logRetention: RetentionDays.ONE_MONTH,
    });
    expect(resolved.alarmEmail).toBeUndefined();
  });
});
