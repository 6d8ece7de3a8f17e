/**
 * Feeds an SQS queue to a batch handler the way the Lambda SQS event source does:
 * Lambda-shaped records, partial batch responses (`ReportBatchItemFailures`), and nothing deleted when
 * the handler throws — visibility timeout and the queue's redrive policy then do the rest.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export type PollerStage = 'receive' | 'handler' | 'delete';

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may return nothing, as this one may
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Messages per ReceiveMessage, 1..10. @default 10 */
  batchSize?: number;
  /** Long-poll wait; short so that stop() is quick. @default 1 */
  waitTimeSeconds?: number;
  /** Parallel receive loops, like Lambda's concurrent pollers. @default 2 */
  concurrency?: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds: after a receive that got fewer than batchSize messages,
   * keep receiving until the batch is full or this long has passed, then hand it over. @default 0
   */
  maxBatchingWindowSeconds?: number;
  /** Overrides the queue's VisibilityTimeout on each receive. @default the queue's */
  visibilityTimeoutSeconds?: number;
  /** Called for every receive, handler or delete failure; the poller itself keeps going. @default console.error */
  onError?: (error: unknown, stage: PollerStage) => void;
}

export interface Poller {
  /** Ends the receive loops and resolves once batches already handed to the handler are done. Safe to call twice. */
  stop(): Promise<void>;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

function defaultOnError(error: unknown, stage: PollerStage): void {
  console.error(`[poller] ${stage} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** `arn:aws:sqs:<region>:<account>:<name>` → region. */
function regionOf(queueArn: string): string {
  return queueArn.split(':')[3] || 'us-east-1';
}

function toMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      // Lambda always sends both list fields, empty (reserved by SQS, never filled).
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  }
  return result;
}

export function toSqsRecord(message: Message, queueArn: string, awsRegion: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? '',
    SenderId: system.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '',
  };
  for (const name of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn'] as const) {
    const value = system[name];
    if (value !== undefined) attributes[name] = value;
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: toMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion,
  };
}

/**
 * The message ids Lambda would delete after the handler returned `response`: all but the failures; none
 * if any itemIdentifier is empty or not in the batch (Lambda then treats the whole batch as failed).
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may return nothing, as this one may
export function succeededMessageIds(records: SQSRecord[], response: SQSBatchResponse | void): Set<string> {
  const ids = new Set(records.map((record) => record.messageId));
  const failures = response?.batchItemFailures ?? [];
  for (const failure of failures) {
    if (!failure.itemIdentifier || !ids.has(failure.itemIdentifier)) return new Set();
  }
  for (const failure of failures) ids.delete(failure.itemIdentifier);
  return ids;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function startPoller(options: PollerOptions): Poller {
  const { sqs, queueUrl, queueArn, handler } = options;
  const batchSize = options.batchSize ?? 10;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const concurrency = options.concurrency ?? 2;
  const onError = options.onError ?? defaultOnError;
  const batchingWindowMs = (options.maxBatchingWindowSeconds ?? 0) * 1000;
  const awsRegion = regionOf(queueArn);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`batchSize must be an integer from 1 to 10 (the ReceiveMessage limit), got ${batchSize}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  if (!(batchingWindowMs >= 0 && batchingWindowMs <= 300_000)) {
    throw new Error(`maxBatchingWindowSeconds must be from 0 to 300 (Lambda's limit), got ${options.maxBatchingWindowSeconds}`);
  }

  const stopSignal = new AbortController();
  const report = (error: unknown, stage: PollerStage) => {
    try {
      onError(error, stage);
    } catch {
      // A faulty error hook must not stop the loop.
    }
  };

  async function deleteSucceeded(records: SQSRecord[], succeeded: Set<string>): Promise<void> {
    const entries = records
      .filter((record) => succeeded.has(record.messageId))
      .map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle }));
    if (entries.length === 0) return;
    try {
      // Not tied to stopSignal: a batch that was handled must still be acknowledged during shutdown.
      const result = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      for (const failed of result.Failed ?? []) {
        report(new Error(`DeleteMessageBatch entry ${failed.Id} failed: ${failed.Code} ${failed.Message ?? ''}`), 'delete');
      }
    } catch (error) {
      report(error, 'delete');
    }
  }

  async function handleBatch(messages: Message[]): Promise<void> {
    const records = messages.map((message) => toSqsRecord(message, queueArn, awsRegion));
    // biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may return nothing, as this one may
    let response: SQSBatchResponse | void;
    try {
      response = await handler({ Records: records });
    } catch (error) {
      // Like a failed invocation: nothing is deleted; every record reappears after the visibility timeout.
      report(error, 'handler');
      return;
    }
    await deleteSucceeded(records, succeededMessageIds(records, response));
  }

  const receive = async (maxMessages: number, waitSeconds: number): Promise<Message[]> => {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitSeconds,
        ...(options.visibilityTimeoutSeconds !== undefined && { VisibilityTimeout: options.visibilityTimeoutSeconds }),
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopSignal.signal },
    );
    return output.Messages ?? [];
  };

  /** The batching window: more receives into a started batch until it is full or the window is over. */
  async function fillBatch(messages: Message[]): Promise<Message[]> {
    const windowEnds = Date.now() + batchingWindowMs;
    while (messages.length < batchSize && !stopSignal.signal.aborted) {
      const leftMs = windowEnds - Date.now();
      if (leftMs <= 0) break;
      try {
        messages.push(...(await receive(batchSize - messages.length, Math.ceil(leftMs / 1000))));
      } catch (error) {
        // The batch received so far is handled (and acknowledged) all the same.
        if (!stopSignal.signal.aborted) report(error, 'receive');
        break;
      }
    }
    return messages;
  }

  async function loop(): Promise<void> {
    let backoffMs = 0;
    while (!stopSignal.signal.aborted) {
      let messages: Message[];
      try {
        messages = await receive(batchSize, waitTimeSeconds);
        backoffMs = 0;
      } catch (error) {
        if (stopSignal.signal.aborted) return;
        report(error, 'receive');
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs ? backoffMs * 2 : MIN_BACKOFF_MS);
        await sleep(backoffMs, stopSignal.signal);
        continue;
      }
      if (messages.length > 0) {
        await handleBatch(batchingWindowMs > 0 ? await fillBatch(messages) : messages);
      } else if (waitTimeSeconds === 0) {
        await sleep(MIN_BACKOFF_MS, stopSignal.signal); // no long poll to pace an empty queue
      }
    }
  }

  const loops = Array.from({ length: concurrency }, () => loop());
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopSignal.abort();
        await Promise.allSettled(loops);
      })();
      return stopping;
    },
  };
}
