/**
 * Alarms reach the operator: CloudWatch may publish to the TLS-only, KMS-encrypted topic. And the alarm windows the README promises ("two 5-minute periods", "three consecutive periods", …),
 * read from the template: period, how many periods are evaluated and how many must breach.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { type CfnResource, type Statement, onlyResource, statementsByResource, testApp } from './synth.ts';

let template: Template;
let alarms: Record<string, CfnResource>;

beforeAll(() => {
  template = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'HookpostAlarms'));
  alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResource>;
}, 60_000);

/** The one alarm whose logical id starts with `prefix` (ids come from cdk/alarms.ts). */
function alarm(prefix: string): Record<string, unknown> {
  const matches = Object.entries(alarms).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one alarm ${prefix}*, found ${matches.length}`);
  return (matches[0] as [string, CfnResource])[1].Properties;
}

/** Period of a metric alarm, or of every metric a math-expression alarm reads. */
function periods(properties: Record<string, unknown>): number[] {
  if (properties.Period !== undefined) return [properties.Period as number];
  const metrics = properties.Metrics as { MetricStat?: { Period: number }; Expression?: string }[];
  return metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Period as number);
}

describe('alarm windows', () => {
  it.each([
    // [alarm, period s, evaluation periods, datapoints to alarm, README wording]
    ['DeadLettersAlarm', 60, 1, 1, 'the DLQ has any visible message'],
    ['OldestEventAlarm', 300, 2, 2, 'longer than 30 min (two 5-min periods)'],
    ['SlowLaneOldestAlarm', 300, 2, 2, 'longer than 1 h (two 5-min periods)'],
    ['FifoDeadLettersAlarm', 60, 1, 1, 'the FIFO DLQ has any visible message'],
    ['FifoOldestAlarm', 300, 2, 2, 'longer than 12 h (two 5-min periods)'],
    ['ConsumerErrorsAlarm', 300, 1, 1, 'the consumer function errored'],
    ['ConsumerThrottlesAlarm', 300, 1, 1, 'the consumer function was throttled'],
    ['DeliveryFailureRateAlarm', 300, 3, 3, 'in three consecutive 5-min periods'],
    ['Api5xxAlarm', 300, 1, 1, '5 per 5 minutes'],
  ])('%s: %i s periods, %i evaluated, %i breaching (%s)', (id, period, evaluationPeriods, datapointsToAlarm) => {
    const properties = alarm(id);
    expect(periods(properties).length).toBeGreaterThan(0);
    for (const p of periods(properties)) expect(p).toBe(period);
    expect(properties.EvaluationPeriods).toBe(evaluationPeriods);
    // Stated, not left to CloudFormation's default (M of M), so the template says what the README does.
    expect(properties.DatapointsToAlarm).toBe(datapointsToAlarm);
  });

  it.each([
    ['ConsumerErrorsAlarm', 'Errors'],
    ['ConsumerThrottlesAlarm', 'Throttles'],
  ])('%s sums %s of both consumers, the events one and the FIFO one', (id, metricName) => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const idOf = (prefix: string) => functions.find((logicalId) => logicalId.startsWith(prefix));
    type Stat = { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: { Ref: string } }[] } }; Expression?: string };
    const metrics = alarm(id).Metrics as Stat[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('events + fifo');
    const watched = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(watched.map((m) => m.MetricName)).toEqual([metricName, metricName]);
    const refs = watched.map((m) => m.Dimensions.find((d) => d.Name === 'FunctionName')?.Value.Ref);
    expect(refs.sort()).toEqual([idOf('Consumer'), idOf('FifoConsumer')].sort());
  });

  it('covers every alarm of the stack', () => {
    expect(Object.keys(alarms)).toHaveLength(9);
  });
});

describe('alarm topic', () => {
  const topicId = () => onlyResource(template, 'AWS::SNS::Topic').logicalId;
  const topicStatements = (): Statement[] => {
    const [statements, ...others] = [...statementsByResource(template, 'AWS::SNS::TopicPolicy').values()];
    expect(others).toEqual([]);
    return statements ?? [];
  };
  const alarmArnPattern = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
  };

  // A topic policy replaces SNS's default one, so without this Allow no alarm could publish.
  it('lets CloudWatch alarms of this account publish, and nothing else from CloudWatch', () => {
    const fromCloudWatch = topicStatements().filter((s) => JSON.stringify(s.Principal ?? '').includes('cloudwatch.amazonaws.com'));
    expect(fromCloudWatch).toEqual([
      {
        Sid: 'AllowAlarmsOfThisAccountToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId() },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': alarmArnPattern },
        },
      },
    ]);
  });

  it('still denies publishing without TLS, and denies nothing else', () => {
    const denies = topicStatements().filter((s) => s.Effect === 'Deny');
    expect(denies).toHaveLength(1);
    expect(denies[0]).toMatchObject({ Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it("lets the consumer publish through its own IAM policy (no topic-policy Allow needed in the account)", () => {
    const consumerPublish = [...statementsByResource(template).entries()]
      .filter(([id]) => id.startsWith('Consumer'))
      .flatMap(([, statements]) => statements)
      .filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(consumerPublish).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId() } }]);
  });

  it("lets CloudWatch use the topic's key only for this account", () => {
    const keyId = onlyResource(template, 'AWS::KMS::Key', (p) => String(p.Description).includes('alarm topic')).logicalId;
    const keyStatements = statementsByResource(template, 'AWS::KMS::Key').get(keyId) ?? [];
    const forCloudWatch = keyStatements.filter((s) => JSON.stringify(s.Principal ?? '').includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toHaveLength(1);
    expect(forCloudWatch[0]).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });
});
