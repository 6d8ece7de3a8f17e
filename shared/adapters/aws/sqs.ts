/** SQS adapters for the queue ports (AWS, and fauxqs locally). */
import type { SendMessageBatchCommandOutput, SQSClient } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import {
  type DeadLetter,
  type DeadLetterQueue,
  type EventQueue,
  type FifoQueue,
  MAX_QUEUE_BATCH_ENTRIES,
  MAX_QUEUE_DELAY_SECONDS,
  queueBatches,
  type RedriveResult,
  type SendResult,
} from '../../core/platform/ports.ts';
import { type DeliveryMessage, type QueueMessage, serializeQueueBody } from '../../core/platform/queue-message.ts';

export class SqsEventQueue implements EventQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async enqueue(message: QueueMessage, delaySeconds = 0): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: serializeQueueBody(message),
        DelaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }

  async enqueueBatch(messages: QueueMessage[]): Promise<SendResult[]> {
    if (messages.length > MAX_QUEUE_BATCH_ENTRIES) throw new Error(`at most ${MAX_QUEUE_BATCH_ENTRIES} messages per batch`);
    const output = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), MessageBody: serializeQueueBody(message) })),
      }),
    );
    return batchResults(messages.length, output);
  }
}

/** One result per entry sent (Ids are the positions), in order. */
function batchResults(count: number, output: SendMessageBatchCommandOutput): SendResult[] {
  const results: SendResult[] = Array.from({ length: count }, () => ({ ok: false, error: 'not acknowledged by SQS' }));
  for (const ok of output.Successful ?? []) results[Number(ok.Id)] = { ok: true };
  for (const failed of output.Failed ?? []) {
    results[Number(failed.Id)] = { ok: false, error: failed.Message ?? failed.Code ?? 'SQS refused the message' };
  }
  return results;
}

/**
 * The FIFO queue: the subscription is the message group, and `<messageId>:<subscriptionId>` the
 * deduplication id, so a publish sent twice within SQS's 5-minute window reaches the endpoint once.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
export class SqsFifoQueue implements FifoQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async enqueueBatch(deliveries: DeliveryMessage[]): Promise<SendResult[]> {
    if (deliveries.length > MAX_QUEUE_BATCH_ENTRIES) throw new Error(`at most ${MAX_QUEUE_BATCH_ENTRIES} messages per batch`);
    const output = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: deliveries.map((delivery, index) => ({
          Id: String(index),
          MessageBody: serializeQueueBody(delivery),
          MessageGroupId: delivery.subscriptionId,
          MessageDeduplicationId: `${delivery.message.id}:${delivery.subscriptionId}`,
        })),
      }),
    );
    return batchResults(deliveries.length, output);
  }

  async hold(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.ceil(seconds) }),
    );
  }
}

export interface RedriveOptions {
  eventsQueueUrl?: string;
  eventsQueueArn?: string;
  deadLetterQueueArn?: string;
  /** Move messages with receive/send/delete instead of a move task (fauxqs has no move tasks). */
  moveByHand?: boolean;
  /** Upper bound of messages one hand-made redrive moves. @default 10_000 */
  maxMoved?: number;
}

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly redriveOptions: RedriveOptions = {},
  ) {}

  /**
   * Back to the events queue, bodies unchanged: our dead letters are unwrapped by parseQueueMessage,
   * raw poison bodies fail again (and come back here), which is right for them.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
   */
  async redrive(): Promise<RedriveResult> {
    const { eventsQueueUrl, eventsQueueArn, deadLetterQueueArn, moveByHand, maxMoved = 10_000 } = this.redriveOptions;
    if (!moveByHand) {
      if (!deadLetterQueueArn || !eventsQueueArn) throw new Error('redrive needs HOOKPOST_DEAD_LETTER_QUEUE_ARN and HOOKPOST_EVENTS_QUEUE_ARN');
      const { TaskHandle } = await this.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueueArn, DestinationArn: eventsQueueArn }),
      );
      return { mode: 'move_task', taskHandle: TaskHandle ?? '' };
    }
    if (!eventsQueueUrl) throw new Error('redrive needs the events queue URL');
    // Only what is there now: a delivery that dead-letters again at once (disabled endpoint) must not loop.
    const startedAt = Date.now();
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    // Messages just looked at (peek) may count as not visible for a moment; they are there all the same.
    const present =
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const limit = Math.min(maxMoved, present);
    let moved = 0;
    for (let round = 0; moved < limit && round < limit / MAX_QUEUE_BATCH_ENTRIES + 10; round += 1) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_QUEUE_BATCH_ENTRIES, limit - moved),
          // Newer arrivals received here stay hidden this long, so they are not picked up again in this run.
          VisibilityTimeout: 60,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) break;
      const older = Messages.filter((m) => Number(m.Attributes?.SentTimestamp ?? 0) <= startedAt);
      if (older.length === 0) continue;
      // Ten dead letters can hold up to 10 MiB: sent in batches SQS takes (1 MiB at most together).
      const accepted: typeof older = [];
      for (const batch of queueBatches(older, (message) => Buffer.byteLength(message.Body ?? ''))) {
        const sent = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: eventsQueueUrl,
            Entries: batch.map((message, index) => ({ Id: String(index), MessageBody: message.Body ?? '' })),
          }),
        );
        // Delete only what the events queue accepted; the rest reappears in the DLQ after the visibility timeout.
        for (const entry of sent.Successful ?? []) {
          const message = batch[Number(entry.Id)];
          if (message) accepted.push(message);
        }
      }
      if (accepted.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: accepted.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
      moved += accepted.length;
      if (accepted.length < older.length) break;
    }
    return { mode: 'local', moved };
  }

  async add(deadLetter: DeadLetter): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: serializeQueueBody(deadLetter) }));
  }

  async peek(limit: number): Promise<{ approximateCount: number; items: unknown[] }> {
    const [attributes, received] = await Promise.all([
      this.sqs.send(
        // In flight counts too: a peek running beside this one (or this one's own receive) hides messages for a moment.
        new GetQueueAttributesCommand({
          QueueUrl: this.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      ),
      // VisibilityTimeout 0 leaves the messages where they are: a look, not a consume.
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, Math.max(1, limit)),
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
      ),
    ]);
    const items = (received.Messages ?? []).map((message) => ({
      sqsMessageId: message.MessageId,
      sentAt: message.Attributes?.SentTimestamp
        ? new Date(Number(message.Attributes.SentTimestamp)).toISOString()
        : undefined,
      ...parseBody(message.Body ?? ''),
    }));
    const counts = attributes.Attributes ?? {};
    const approximateCount = Number(counts.ApproximateNumberOfMessages ?? 0) + Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0);
    return { approximateCount, items };
  }
}

/** Dead letters we wrote carry their context; a poison message moved by SQS redrive is shown raw. */
function parseBody(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && 'reason' in parsed) return parsed as Record<string, unknown>;
    return { reason: 'redriven by SQS after maxReceiveCount', message: parsed };
  } catch {
    return { reason: 'redriven by SQS after maxReceiveCount (unparseable body)', raw: body.slice(0, 4096) };
  }
}
