/**
 * The alarm windows the README promises ("two 5-minute periods", "three consecutive periods", …),
 * read from the template: period, how many periods are evaluated and how many must breach.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { type CfnResource, testApp } from './synth.ts';

let alarms: Record<string, CfnResource>;

beforeAll(() => {
  const template = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'HookpostAlarms'));
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

  it('covers every alarm of the stack', () => {
    expect(Object.keys(alarms)).toHaveLength(6);
  });
});
