/** The table, queues and alarm topic local mode needs, created the way the CDK stack shapes them. */
import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TABLE_KEYS } from '../adapters/aws/table.ts';
import { FIFO_MAX_RECEIVE_COUNT } from '../core/engine/index.ts';

export const EVENTS_QUEUE_NAME = 'hookpost-events';
export const DEAD_LETTER_QUEUE_NAME = 'hookpost-dlq';
export const SLOW_QUEUE_NAME = 'hookpost-slow';
export const FIFO_QUEUE_NAME = 'hookpost-fifo.fifo';
export const FIFO_DEAD_LETTER_QUEUE_NAME = 'hookpost-fifo-dlq.fifo';


export interface QueueOptions {
  /** Receives before SQS moves a message to the DLQ. @default 5 */
  maxReceiveCount?: number;
  /**
   * How long a received batch stays hidden. AWS advises ≥ 6× the function timeout; locally the
   * "function" is one delivery of `deliveryTimeoutMs` (10 s by default), hence 60 s.
   * @default 60
   */
  visibilityTimeoutSeconds?: number;
  /** The FIFO queue's, also how soon a FIFO record comes back after a crash. @default visibilityTimeoutSeconds */
  fifoVisibilityTimeoutSeconds?: number;
}

export interface LocalQueues {
  eventsQueueUrl: string;
  eventsQueueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  /** The slow lane's queue, shaped like the events queue and redriving to the same DLQ. */
  slowQueueUrl: string;
  slowQueueArn: string;
  /** Deliveries to `ordering: fifo` endpoints, a message group per subscription … */
  fifoQueueUrl: string;
  fifoQueueArn: string;
  /** … and where SQS moves a FIFO record it could not get handled (our own dead letters go to the DLQ above). */
  fifoDeadLetterQueueUrl: string;
}

/** The largest message SQS accepts (1 MiB since 2025); our own 256 KiB payload limit sits well below. */
const MAXIMUM_MESSAGE_SIZE = String(1_048_576);
/** Like the CDK stack: keep dead letters for the SQS maximum of 14 days. */
const DLQ_RETENTION_SECONDS = String(14 * 24 * 60 * 60);

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`No QueueArn for ${queueUrl}`);
  return arn;
}

export async function createQueues(sqs: SQSClient, options: QueueOptions = {}): Promise<LocalQueues> {
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;

  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: DEAD_LETTER_QUEUE_NAME,
      Attributes: { MaximumMessageSize: MAXIMUM_MESSAGE_SIZE, MessageRetentionPeriod: DLQ_RETENTION_SECONDS },
    }),
  );
  if (!dlq.QueueUrl) throw new Error('CreateQueue returned no URL for the dead-letter queue');
  const deadLetterQueueArn = await queueArn(sqs, dlq.QueueUrl);

  const consumed = async (name: string) => {
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          MaximumMessageSize: MAXIMUM_MESSAGE_SIZE,
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount }),
        },
      }),
    );
    if (!created.QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
    return { url: created.QueueUrl, arn: await queueArn(sqs, created.QueueUrl) };
  };
  const events = await consumed(EVENTS_QUEUE_NAME);
  const slow = await consumed(SLOW_QUEUE_NAME);
  const fifo = await createFifoQueues(sqs, options.fifoVisibilityTimeoutSeconds ?? visibilityTimeoutSeconds);

  return {
    eventsQueueUrl: events.url,
    eventsQueueArn: events.arn,
    deadLetterQueueUrl: dlq.QueueUrl,
    deadLetterQueueArn,
    slowQueueUrl: slow.url,
    slowQueueArn: slow.arn,
    ...fifo,
  };
}

/** The FIFO queue and its FIFO DLQ (a FIFO queue redrives only to a FIFO queue), like the CDK stack's. */
async function createFifoQueues(sqs: SQSClient, visibilityTimeoutSeconds: number) {
  const fifoAttributes = { FifoQueue: 'true', ContentBasedDeduplication: 'false', MaximumMessageSize: MAXIMUM_MESSAGE_SIZE };
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: FIFO_DEAD_LETTER_QUEUE_NAME,
      Attributes: { ...fifoAttributes, MessageRetentionPeriod: DLQ_RETENTION_SECONDS },
    }),
  );
  if (!dlq.QueueUrl) throw new Error('CreateQueue returned no URL for the FIFO dead-letter queue');
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: FIFO_QUEUE_NAME,
      Attributes: {
        ...fifoAttributes,
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, dlq.QueueUrl), maxReceiveCount: FIFO_MAX_RECEIVE_COUNT }),
      },
    }),
  );
  if (!queue.QueueUrl) throw new Error('CreateQueue returned no URL for the FIFO queue');
  return { fifoQueueUrl: queue.QueueUrl, fifoQueueArn: await queueArn(sqs, queue.QueueUrl), fifoDeadLetterQueueUrl: dlq.QueueUrl };
}

/**
 * The alarm topic on fauxqs's SNS, with a queue subscribed to it so notices such as
 * `endpoint.disabled` can be read locally (`GET` them from the `hookpost-notices` queue).
 */
export async function createAlarmTopic(sqs: SQSClient, sns: SNSClient): Promise<{ topicArn: string; noticesQueueUrl: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'hookpost-alarms' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'hookpost-notices' }));
  if (!TopicArn || !QueueUrl) throw new Error('could not create the local alarm topic');
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(sqs, QueueUrl),
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return { topicArn: TopicArn, noticesQueueUrl: QueueUrl };
}

/** Creates the single table (pk/sk, on demand, TTL on `ttl`); an existing table is left as it is. */
export async function createTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return;
    throw error;
  }
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    }),
  );
}
