/**
 * The slow lane on AWS (docs/reliability.md "Settings that make this hold on AWS"): a second consumed
 * queue shaped like the events queue with the same DLQ, the consumer mapped to it with its own cap,
 * the settings the consumer reads to tell the lanes apart, an age alarm and dashboard widgets.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#shared/core/platform/settings.ts';
import { DELIVERY_METRICS } from '#shared/core/engine/metrics.ts';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { resolveHookpostProps } from '../../cdk/stack-props.ts';
import { type CfnResource, onlyResource, referencedId, testApp } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = Template.fromStack(
    new HookpostStack(testApp({ fast: true }), 'HookpostSlowLane', {
      maxConcurrency: 40,
      slowLaneMaxConcurrency: 7,
      slowLaneAfterMs: 3000,
      slowLaneHoldMs: 600_000,
      slowLaneOldestAgeAlarmThreshold: Duration.hours(2),
    }),
  );
}, 60_000);

const queue = (prefix: string) => onlyResource(template, 'AWS::SQS::Queue', (_p, id) => id.startsWith(prefix));
const mappingOf = (queueId: string) =>
  onlyResource(template, 'AWS::Lambda::EventSourceMapping', (p) => referencedId(p.EventSourceArn) === queueId).resource.Properties;

describe('slow lane', () => {
  it('has its own queue, shaped like the events queue and redriving to the same DLQ', () => {
    const events = queue('EventsQueue').resource.Properties;
    const slow = queue('SlowQueue').resource.Properties;
    for (const key of ['VisibilityTimeout', 'MaximumMessageSize', 'SqsManagedSseEnabled', 'RedrivePolicy']) {
      expect(slow[key], key).toEqual(events[key]);
    }
    // Kept 13 days, longer than the 5-day disableAfterFailing: a dead endpoint's backlog is dead-lettered, never expired.
    expect(slow.MessageRetentionPeriod).toBe(13 * 86_400);
    expect(referencedId((slow.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn)).toBe(queue('DeadLetterQueue').logicalId);
  });

  it('is consumed by the same function, with its own max concurrency and partial batch failures', () => {
    const main = mappingOf(queue('EventsQueue').logicalId);
    const slow = mappingOf(queue('SlowQueue').logicalId);
    expect(referencedId(slow.FunctionName)).toBe(referencedId(main.FunctionName));
    expect(main.ScalingConfig).toEqual({ MaximumConcurrency: 40 });
    expect(slow.ScalingConfig).toEqual({ MaximumConcurrency: 7 });
    expect(slow.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('tells the consumer the slow queue (URL to send, ARN to recognise its records) and the thresholds', () => {
    const consumerId = referencedId(mappingOf(queue('SlowQueue').logicalId).FunctionName) as string;
    const consumer = (template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>)[consumerId];
    if (!consumer) throw new Error('the slow lane is not consumed by a function of the stack');
    const variables = (consumer.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const slowId = queue('SlowQueue').logicalId;
    expect(variables[ENV.slowQueueUrl]).toEqual({ Ref: slowId });
    expect(variables[ENV.slowQueueArn]).toEqual({ 'Fn::GetAtt': [slowId, 'Arn'] });
    expect(variables[ENV.slowLaneAfterMs]).toBe('3000');
    expect(variables[ENV.slowLaneHoldMs]).toBe('600000');
  });

  it('alarms when a slow-lane delivery waits longer than its threshold', () => {
    const alarm = onlyResource(template, 'AWS::CloudWatch::Alarm', (_p, id) => id.startsWith('SlowLaneOldestAlarm')).resource.Properties;
    expect(alarm).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Threshold: 7200,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue('SlowQueue').logicalId, 'QueueName'] } }],
    });
  });

  it('shows the slow-lane depth and the deferrals on the dashboard', () => {
    const body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').resource.Properties.DashboardBody);
    expect(body).toContain('Slow lane');
    expect(body).toContain(queue('SlowQueue').logicalId);
    expect(body).toContain(DELIVERY_METRICS.deferredToSlowLane);
  });

  it('refuses a slow-lane concurrency the event source would reject', () => {
    expect(() => resolveHookpostProps({ slowLaneMaxConcurrency: 1 })).toThrow(/slowLaneMaxConcurrency must be 2\.\.1000/);
    expect(() => resolveHookpostProps({ slowLaneHoldMs: 10 })).toThrow(/slowLaneHoldMs must be a whole number, at least 1000/);
    expect(() => resolveHookpostProps({ disableAfterFailingMs: 13 * 86_400_000 })).toThrow(/shorter than the slow lane's 13-day retention/);
  });
});
