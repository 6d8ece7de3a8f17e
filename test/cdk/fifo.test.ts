/**
 * FIFO endpoints on AWS: a FIFO queue (subscription = message group, deduplication ids set by the
 * ingest) redriving to a FIFO DLQ well above the longest schedule, its own consumer function on a
 * FIFO event source with partial batch failures and no batching window, the queue URL in every
 * function's settings, alarms on the FIFO DLQ and the oldest FIFO message, dashboard widgets.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIFO_MAX_RECEIVE_COUNT } from '#shared/core/engine/fifo.ts';
import { ENV } from '#shared/core/platform/settings.ts';
import { FUNCTION_ENTRIES } from '../../cdk/bundling.ts';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { resolveHookpostProps } from '../../cdk/stack-props.ts';
import { type CfnResource, onlyResource, referencedId, testApp } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = Template.fromStack(
    new HookpostStack(testApp({ fast: true }), 'HookpostFifo', { consumerTimeout: Duration.seconds(45), fifoOldestAgeAlarmThreshold: Duration.hours(3) }),
  );
}, 60_000);

const fifoQueue = () => onlyResource(template, 'AWS::SQS::Queue', (p) => p.FifoQueue === true && p.RedrivePolicy !== undefined);
const fifoDlq = () => onlyResource(template, 'AWS::SQS::Queue', (p) => p.FifoQueue === true && p.RedrivePolicy === undefined);
const functionById = (id: string) => (template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>)[id];

describe('FIFO queue', () => {
  it('is a FIFO queue without content-based deduplication, encrypted, TLS-only, kept 13 days, redriving to a FIFO DLQ after many receives', () => {
    const queue = fifoQueue().resource.Properties;
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, SqsManagedSseEnabled: true, MessageRetentionPeriod: 13 * 86_400 });
    // At least six times the consumer's timeout, like the other consumed queues.
    expect(queue.VisibilityTimeout).toBe(6 * 45);
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(referencedId(redrive.deadLetterTargetArn)).toBe(fifoDlq().logicalId);
    // Comfortably above the longest schedule's 21 attempts.
    expect(redrive.maxReceiveCount).toBe(FIFO_MAX_RECEIVE_COUNT);
    expect(FIFO_MAX_RECEIVE_COUNT).toBeGreaterThan(21);
    expect(fifoDlq().resource.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    for (const id of [fifoQueue().logicalId, fifoDlq().logicalId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] },
      });
    }
  });

  it('is consumed by its own function, 10 records a batch, with partial batch failures and no batching window', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', (p) => referencedId(p.EventSourceArn) === fifoQueue().logicalId).resource.Properties;
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    const consumer = functionById(referencedId(mapping.FunctionName) as string);
    expect(String(consumer?.Properties.Description)).toContain('FIFO');
    const others = template.findResources('AWS::Lambda::EventSourceMapping') as Record<string, CfnResource>;
    const sameFunction = Object.values(others).filter((m) => referencedId(m.Properties.FunctionName) === referencedId(mapping.FunctionName));
    expect(sameFunction).toHaveLength(1);
    expect(FUNCTION_ENTRIES).toContain('fifo-consumer.ts');
  });

  it('tells every function that publishes or delivers the FIFO queue URL', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>).filter(
      (fn) => !String(fn.Properties.Description).includes('console'),
    );
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      if (variables[ENV.tableName] === undefined) continue; // the log-retention helper
      expect(variables[ENV.fifoQueueUrl]).toEqual({ Ref: fifoQueue().logicalId });
    }
  });

  it('alarms on a FIFO dead letter and on a FIFO group stuck past the threshold, and shows both queues on the dashboard', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResource>;
    const on = (queueId: string, metric: string) =>
      Object.values(alarms).filter(
        (a) => a.Properties.MetricName === metric && JSON.stringify(a.Properties.Dimensions).includes(queueId),
      );
    const [dlqAlarm] = on(fifoDlq().logicalId, 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarm?.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const [ageAlarm] = on(fifoQueue().logicalId, 'ApproximateAgeOfOldestMessage');
    expect(ageAlarm?.Properties).toMatchObject({ Threshold: 3 * 3600 });
    const dashboard = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').resource.Properties.DashboardBody);
    expect(dashboard).toContain('FIFO queue');
    expect(dashboard).toContain('FIFO dead-letter queue');
  });

  it('refuses an age threshold past the FIFO queue retention', () => {
    expect(() => resolveHookpostProps({ fifoOldestAgeAlarmThreshold: Duration.days(20) })).toThrow(/fifoOldestAgeAlarmThreshold/);
    expect(resolveHookpostProps({}).fifoOldestAgeAlarmThreshold.toHours()).toBe(12);
  });
});
