/** SQS adapters for the queue ports (AWS, and fauxqs locally). */
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue, EventQueue, SendResult } from '../ports.ts';
import type { QueueMessage } from '../queue-message.ts';

/** SQS caps DelaySeconds at 15 minutes; longer waits hop (see consumer). */
export const MAX_SQS_DELAY_SECONDS = 900;
export const MAX_SQS_BATCH_ENTRIES = 10;

export class SqsEventQueue implements EventQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(message: QueueMessage, delaySeconds = 0): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }

  async sendBatch(messages: QueueMessage[]): Promise<SendResult[]> {
    if (messages.length > MAX_SQS_BATCH_ENTRIES) throw new Error(`at most ${MAX_SQS_BATCH_ENTRIES} messages per batch`);
    const output = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
      }),
    );
    const results: SendResult[] = messages.map(() => ({ ok: false, error: 'not acknowledged by SQS' }));
    for (const ok of output.Successful ?? []) results[Number(ok.Id)] = { ok: true };
    for (const failed of output.Failed ?? []) {
      results[Number(failed.Id)] = { ok: false, error: failed.Message ?? failed.Code ?? 'SQS refused the message' };
    }
    return results;
  }
}

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(deadLetter: DeadLetter): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(deadLetter) }));
  }

  async peek(limit: number): Promise<{ approximateCount: number; items: unknown[] }> {
    const [attributes, received] = await Promise.all([
      this.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
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
    return { approximateCount: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0), items };
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
