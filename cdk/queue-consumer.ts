/**
 * The queue-fed consumer, Hookpost's delivery pattern: a queue of deliveries (`DeliveryQueue`), a
 * function that delivers them (`DeliveryConsumer`), and the SQS event source between the two
 * (`DeliveryConsumer.consume`). Used three times: the events queue and the slow lane (one consumer)
 * and the FIFO queue (the FIFO consumer). Dead letters go to a `DeadLetterQueue`.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MAX_QUEUE_MESSAGE_BYTES } from '#shared/core/platform/ports.ts';
import { HookpostFunction, type HookpostFunctionProps } from './hookpost-function.ts';
import { DEAD_LETTER_RETENTION, VISIBILITY_TIMEOUT_FACTOR } from './stack-props.ts';
import { type HookpostTable, type SigningSecretsKey, TABLE_PARTITIONS } from './state.ts';

/** What every Hookpost queue is: SSE-SQS, TLS only, and room for SQS's largest message (shared/core/platform/ports.ts). */
const QUEUE_BASICS = {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  maxMessageSizeBytes: MAX_QUEUE_MESSAGE_BYTES,
} as const satisfies sqs.QueueProps;

export interface DeadLetterQueueProps {
  /**
   * A FIFO queue's dead-letter queue must be FIFO too.
   * @default false
   */
  readonly fifo?: boolean;
}

/** Where deliveries end that nobody will retry, kept as long as SQS allows (`DEAD_LETTER_RETENTION`). */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id, { ...(props.fifo ? { fifo: true } : {}), ...QUEUE_BASICS, retentionPeriod: DEAD_LETTER_RETENTION });
  }
}

export interface DeliveryQueueProps {
  /** The timeout of the function that consumes the queue; the visibility timeout is `VISIBILITY_TIMEOUT_FACTOR` times it. */
  readonly consumerTimeout: Duration;
  /** How long SQS keeps a delivery nobody consumed. */
  readonly retentionPeriod: Duration;
  /** Where SQS moves a message after `maxReceiveCount` receives. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly maxReceiveCount: number;
  /**
   * A FIFO queue: deduplication ids are `<messageId>:<subscriptionId>`, set by the ingest
   * (shared/adapters/aws/sqs.ts), never derived from the content.
   * @default false
   */
  readonly fifo?: boolean;
}

/** A queue of deliveries, consumed by a `DeliveryConsumer`. */
export class DeliveryQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeliveryQueueProps) {
    super(scope, id, {
      ...QUEUE_BASICS,
      retentionPeriod: props.retentionPeriod,
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html — at least 6× the function timeout.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      ...(props.fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
    });
  }
}

export interface DeliveryConsumerProps extends HookpostFunctionProps {
  readonly table: HookpostTable;
  /** Opened (Decrypt) to sign each delivery. */
  readonly signingSecretsKey: SigningSecretsKey;
  /** Where disabled endpoints are announced; encrypted, so publishing needs its key too. */
  readonly alarmTopic: sns.Topic;
  /** Queues the consumer sends to: retries, operational events, its own dead letters. */
  readonly sendsTo: readonly sqs.IQueue[];
}

export interface ConsumeOptions {
  /** Records per invocation (a FIFO queue's event source takes at most 10). */
  readonly batchSize: number;
  /**
   * How long the event source gathers records before invoking.
   * @default - none (FIFO queues have no batching window)
   */
  readonly maxBatchingWindow?: Duration;
  /** Most instances this event source runs at once. */
  readonly maxConcurrency: number;
}

/**
 * A function that delivers what its queues hold (shared/core/engine/dispatch.ts, fifo.ts): it reads a
 * tenant's subscriptions (and one afresh before dropping a delivery) and marks them
 * failing/healthy/disabled, keeps failed messages, records and reads attempts (the ledger), reserves
 * rate-limit slots, opens signing secrets, sends to `sendsTo`, and announces disabled endpoints on
 * the alarm topic.
 */
export class DeliveryConsumer extends HookpostFunction {
  constructor(scope: Construct, id: string, props: DeliveryConsumerProps) {
    super(scope, id, props);
    props.signingSecretsKey.allowOpen(this.role);
    const { tenants, attempts, rateLimits } = TABLE_PARTITIONS;
    props.table.allow(this.role, ['Query', 'PutItem'], [tenants, attempts]);
    props.table.allow(this.role, ['GetItem', 'UpdateItem'], [tenants]);
    // Reserves rate-limit slots: one conditional UpdateItem per paced attempt (shared/adapters/aws/dynamodb-rate-limiter.ts).
    props.table.allow(this.role, ['UpdateItem'], [rateLimits]);
    this.allowSendTo(...props.sendsTo);
    // Publishing to a KMS-encrypted topic needs the key too; exact actions instead of grantPublish's GenerateDataKey*.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alarmTopic.topicArn] }));
    props.alarmTopic.masterKey?.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /**
   * Feeds `queue` to this function: only the failed records of a batch return to the queue (partial
   * batch responses), the rest are done. The event source's grant covers receiving, deleting and
   * ChangeMessageVisibility (how a FIFO retry waits in its queue).
   */
  consume(queue: sqs.IQueue, options: ConsumeOptions): void {
    this.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: options.batchSize,
        ...(options.maxBatchingWindow ? { maxBatchingWindow: options.maxBatchingWindow } : {}),
        maxConcurrency: options.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
