/** The alarms that page an operator, all notifying one SNS topic (which also carries operational notices). */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DELIVERY_METRICS, type DeliveryMetric, METRICS_NAMESPACE, SERVICE_NAME } from '#shared/core/engine/index.ts';
import type { ResolvedHookpostProps } from './stack-props.ts';

export interface AlarmTopicProps {
  /** Encrypts the topic; CloudWatch (of this account only) is let use it, or no alarm could publish. */
  readonly masterKey: kms.Key;
  /**
   * Address subscribed to the topic.
   * @default - no email subscription
   */
  readonly email?: string;
}

/** The topic the alarms notify and the consumers announce disabled endpoints on: encrypted, TLS only. */
export class AlarmTopic extends sns.Topic {
  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    // CloudWatch alarms can publish to an encrypted topic only if the key lets CloudWatch use it;
    // only on behalf of this account (confused deputy).
    props.masterKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
    );
    super(scope, id, { displayName: 'Hookpost alarms', masterKey: props.masterKey, enforceSSL: true });
    // enforceSSL creates a topic policy, and a topic policy replaces SNS's default one: without this
    // Allow, CloudWatch may not publish and no alarm would ever notify. Same-account IAM principals
    // (the consumers) need no Allow here; their own policy is enough.
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.stack.account },
          ArnLike: {
            'aws:SourceArn': this.stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.email) this.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}

/** One of the consumer's delivery counters (Powertools EMF, namespace and dimension as the code writes them). */
export function deliveryMetric(name: DeliveryMetric, period = Duration.minutes(5)): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/** failed / (failed + succeeded) in percent; a period with failures but no success counts as 100 %. */
export function deliveryFailureRate(period = Duration.minutes(5)): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: '100 * failed / (failed + FILL(succeeded, 0))',
    usingMetrics: {
      failed: deliveryMetric(DELIVERY_METRICS.failed, period),
      succeeded: deliveryMetric(DELIVERY_METRICS.succeeded, period),
    },
    label: 'Delivery failure rate (%)',
    period,
  });
}

/** The HTTP API's 5xx count on one stage (AWS/ApiGateway, dimensions ApiId and Stage). */
export function api5xxMetric(apiId: string, stageName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName: '5xx',
    dimensionsMap: { ApiId: apiId, Stage: stageName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });
}

/** One function metric of the consumer and of the FIFO consumer, summed (each a 5-minute SUM). */
function bothConsumers(
  props: Pick<HookpostAlarmsProps, 'consumer' | 'fifoConsumer'>,
  metric: (fn: lambda.IFunction) => cloudwatch.Metric,
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'events + fifo',
    usingMetrics: { events: metric(props.consumer), fifo: metric(props.fifoConsumer) },
    label,
    period: Duration.minutes(5),
  });
}

/** The thresholds, named and documented as the stack props they come from (cdk/stack-props.ts). */
type AlarmThresholds = Pick<
  ResolvedHookpostProps,
  | 'oldestEventAgeAlarmThreshold'
  | 'slowLaneOldestAgeAlarmThreshold'
  | 'fifoOldestAgeAlarmThreshold'
  | 'deliveryFailureRateAlarmPercent'
  | 'api5xxAlarmThreshold'
>;

export interface HookpostAlarmsProps extends AlarmThresholds {
  readonly topic: sns.ITopic;
  readonly eventsQueue: sqs.IQueue;
  readonly slowQueue: sqs.IQueue;
  readonly fifoQueue: sqs.IQueue;
  readonly fifoDeadLetterQueue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly consumer: lambda.IFunction;
  /** Watched with the consumer: its errors and throttles count in the same two alarms. */
  readonly fifoConsumer: lambda.IFunction;
  readonly apiId: string;
  readonly apiStageName: string;
}

export interface HookpostAlarms {
  readonly deadLetters: cloudwatch.Alarm;
  readonly oldestEvent: cloudwatch.Alarm;
  readonly slowLaneOldest: cloudwatch.Alarm;
  readonly fifoDeadLetters: cloudwatch.Alarm;
  readonly fifoOldest: cloudwatch.Alarm;
  readonly consumerErrors: cloudwatch.Alarm;
  readonly consumerThrottles: cloudwatch.Alarm;
  readonly deliveryFailureRate: cloudwatch.Alarm;
  readonly api5xx: cloudwatch.Alarm;
}

/** Any visible message in the queue, checked every minute: a dead letter nobody will retry. */
function holdsAny(scope: Construct, id: string, description: string, queue: sqs.IQueue): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The queue's oldest message older than `threshold` for two 5-minute periods in a row. */
function waitsLongerThan(scope: Construct, id: string, description: string, queue: sqs.IQueue, threshold: Duration): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) }),
    threshold: threshold.toSeconds(),
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** Builds every alarm, wires each to the topic (on alarm and on recovery) and returns them. */
export function createAlarms(scope: Construct, props: HookpostAlarmsProps): HookpostAlarms {
  // Every alarm states datapointsToAlarm (M of N) rather than leaving it to CloudFormation's default,
  // so the template says exactly what the README promises.
  const alarms: HookpostAlarms = {
    // Any dead letter is a delivery nobody will retry; the visible count also sees messages moved
    // in by a redrive (NumberOfMessagesSent does not).
    deadLetters: holdsAny(scope, 'DeadLettersAlarm', 'Hookpost: the dead-letter queue holds deliveries that exhausted their retries.', props.deadLetterQueue),
    // Retry waits hop through SQS delays of at most 15 min as new messages, so an older message
    // means the consumer is not keeping up (default 30 min leaves room for one full hop).
    oldestEvent: waitsLongerThan(
      scope,
      'OldestEventAlarm',
      'Hookpost: events wait on the queue longer than expected; the consumer is behind or failing.',
      props.eventsQueue,
      props.oldestEventAgeAlarmThreshold,
    ),
    // The slow lane is behind by design while its endpoints hang; a message this old means it is not
    // draining at all (slowLaneMaxConcurrency too low for the hanging share, or the consumer failing there).
    slowLaneOldest: waitsLongerThan(
      scope,
      'SlowLaneOldestAlarm',
      'Hookpost: deliveries wait on the slow lane (endpoints that recently timed out) longer than expected; raise slowLaneMaxConcurrency or check the consumer.',
      props.slowQueue,
      props.slowLaneOldestAgeAlarmThreshold,
    ),
    // SQS moved a FIFO record after FIFO_MAX_RECEIVE_COUNT receives: the FIFO consumer kept failing on
    // it (a bug, a poison body), and the events behind it in its group went on without it.
    fifoDeadLetters: holdsAny(
      scope,
      'FifoDeadLettersAlarm',
      'Hookpost: the FIFO dead-letter queue holds records the FIFO consumer could not handle.',
      props.fifoDeadLetterQueue,
    ),
    // A FIFO group waits at a failing event for its schedule; this old means an ordered endpoint has
    // been stuck long, or the FIFO consumer is not draining.
    fifoOldest: waitsLongerThan(
      scope,
      'FifoOldestAlarm',
      'Hookpost: a FIFO endpoint has been waiting at one event longer than expected (failing for long), or the FIFO consumer is not draining.',
      props.fifoQueue,
      props.fifoOldestAgeAlarmThreshold,
    ),
    // Endpoint failures are handled inside the consumers, so any function error is a bug or an AWS outage.
    consumerErrors: new cloudwatch.Alarm(scope, 'ConsumerErrorsAlarm', {
      alarmDescription: 'Hookpost: a consumer function (events or FIFO) failed (not an endpoint failure: those are retried).',
      metric: bothConsumers(props, (fn) => fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }), 'consumer errors'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    // The event source already caps concurrency, so a throttle means the account or a reserved limit ran out.
    consumerThrottles: new cloudwatch.Alarm(scope, 'ConsumerThrottlesAlarm', {
      alarmDescription: 'Hookpost: a consumer function (events or FIFO) is throttled; deliveries are delayed.',
      metric: bothConsumers(props, (fn) => fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }), 'consumer throttles'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    // One broken receiver fails on every retry; requiring 3 consecutive bad periods and a high share
    // keeps a single dead endpoint from paging while a general outage still does.
    deliveryFailureRate: new cloudwatch.Alarm(scope, 'DeliveryFailureRateAlarm', {
      alarmDescription: 'Hookpost: a large share of delivery attempts are failing.',
      metric: deliveryFailureRate(),
      threshold: props.deliveryFailureRateAlarmPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    // A few 5xx can come from a transient dependency error answered as 503; a steady stream is an outage.
    api5xx: new cloudwatch.Alarm(scope, 'Api5xxAlarm', {
      alarmDescription: 'Hookpost: the HTTP API answers with server errors.',
      metric: api5xxMetric(props.apiId, props.apiStageName),
      threshold: props.api5xxAlarmThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  };

  const action = new SnsAction(props.topic);
  for (const alarm of Object.values(alarms)) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarms;
}
