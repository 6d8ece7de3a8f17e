/** One CloudWatch dashboard with the numbers an operator looks at first. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DELIVERY_METRICS } from '#shared/core/engine/index.ts';
import { type HookpostAlarms, deliveryFailureRate, deliveryMetric } from './alarms.ts';

export interface HookpostDashboardProps {
  readonly apiId: string;
  readonly apiStageName: string;
  readonly eventsQueue: sqs.IQueue;
  readonly slowQueue: sqs.IQueue;
  readonly fifoQueue: sqs.IQueue;
  readonly fifoDeadLetterQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly functions: Record<string, lambda.IFunction>;
  readonly consumer: lambda.IFunction;
  readonly alarms: HookpostAlarms;
}

export function createDashboard(scope: Construct, props: HookpostDashboardProps): cloudwatch.Dashboard {
  const period = Duration.minutes(1);
  const apiMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: props.apiId, Stage: props.apiStageName },
      statistic,
      period,
    });
  const perFunction = (pick: (fn: lambda.IFunction) => cloudwatch.Metric) =>
    Object.entries(props.functions).map(([name, fn]) => pick(fn).with({ label: name, period }));

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(3),
  });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: Object.values(props.alarms),
      width: 24,
      height: 3,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Deliveries',
      left: [
        deliveryMetric(DELIVERY_METRICS.succeeded, period),
        deliveryMetric(DELIVERY_METRICS.failed, period),
        deliveryMetric(DELIVERY_METRICS.deadLettered, period),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Delivery failure rate (%)',
      left: [deliveryFailureRate()],
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'API requests and errors',
      left: [apiMetric('Count', 'Sum'), apiMetric('4xx', 'Sum'), apiMetric('5xx', 'Sum')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'API latency (ms)',
      left: [apiMetric('Latency', 'p50'), apiMetric('Latency', 'p99'), apiMetric('IntegrationLatency', 'p99')],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Events queue',
      left: [
        props.eventsQueue.metricApproximateNumberOfMessagesVisible({ period }),
        props.eventsQueue.metricApproximateNumberOfMessagesNotVisible({ period }),
        props.eventsQueue.metricApproximateNumberOfMessagesDelayed({ period }),
      ],
      right: [props.eventsQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Dead-letter queue',
      left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Slow lane (endpoints that recently timed out)',
      left: [
        props.slowQueue.metricApproximateNumberOfMessagesVisible({ period }),
        props.slowQueue.metricApproximateNumberOfMessagesNotVisible({ period }),
        props.slowQueue.metricApproximateNumberOfMessagesDelayed({ period }),
      ],
      right: [props.slowQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Deliveries deferred to the slow lane',
      left: [deliveryMetric(DELIVERY_METRICS.deferredToSlowLane, period)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Deliveries waiting for their rate limit (no attempt spent)',
      left: [deliveryMetric(DELIVERY_METRICS.rateLimited, period)],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'FIFO queue (ordered endpoints; held records are in flight)',
      left: [
        props.fifoQueue.metricApproximateNumberOfMessagesVisible({ period }),
        props.fifoQueue.metricApproximateNumberOfMessagesNotVisible({ period }),
      ],
      right: [props.fifoQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'FIFO dead-letter queue',
      left: [props.fifoDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Function errors and throttles',
      left: perFunction((fn) => fn.metricErrors()),
      right: perFunction((fn) => fn.metricThrottles()),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Function duration p99 (ms)',
      left: perFunction((fn) => fn.metricDuration({ statistic: cloudwatch.Stats.p(99) })),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Consumer concurrency',
      left: [
        props.consumer.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period }),
        props.consumer.metricInvocations({ period }),
      ],
      width: 8,
    }),
  );
  return dashboard;
}
