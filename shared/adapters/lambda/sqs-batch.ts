/**
 * The SQS consumer as a batch handler: each record is dispatched on its own and a failed one is
 * reported in batchItemFailures, so SQS retries it alone and redrives it to the DLQ after maxReceiveCount.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runFifoBatch } from '../../core/engine/index.ts';
import type { FifoQueue } from '../../core/platform/ports.ts';
import { parseQueueMessage } from '../../core/platform/queue-message.ts';
import type { Dispatcher, FifoDeliverer } from '../../core/engine/index.ts';

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** What the FIFO handler reads of Lambda's context: the invocation's time left. */
export type InvocationClock = Pick<Context, 'getRemainingTimeInMillis'>;

/** A batch handler that may be given Lambda's context (the local poller gives none: no time limit). */
export type FifoBatchHandler = (event: SQSEvent, context?: InvocationClock) => Promise<SQSBatchResponse>;

/**
 * One handler for both queues the consumer is mapped to: a record whose eventSourceARN is the slow
 * queue's (`slowQueueArn`) is dispatched on the slow lane.
 */
export function createBatchHandler(dispatch: Dispatcher, options: { slowQueueArn?: string } = {}): BatchHandler {
  const handleRecord = async (record: SQSRecord) =>
    dispatch(parseQueueMessage(record.body), {
      redelivered: Number(record.attributes.ApproximateReceiveCount) > 1,
      lane: options.slowQueueArn !== undefined && record.eventSourceARN === options.slowQueueArn ? 'slow' : 'main',
    });
  // One processor per invocation: it keeps per-batch state, and the local poller runs batches concurrently.
  return (event) =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}

/**
 * The FIFO consumer's batch handler, as Lambda's FIFO event source expects it: a group's records in
 * order, one at a time (runFifoBatch); a held record is hidden for its retry wait with
 * ChangeMessageVisibility (the later records of its group made visible again behind it) and
 * reported failed with them, so the group waits at it while other groups go on.
 *
 * Given Lambda's context, a group stops taking records once the invocation's time left is less than
 * the next record's deadline plus a margin (fifoTimeNeededMs): that record and the rest of its group
 * are handed back unattempted and visible again at once, rather than the invocation being killed
 * mid-POST (that POST sent again, and the batch back only after the visibility timeout). A group's
 * first record of the invocation is always taken: it starts with the invocation's whole budget, and
 * handing it back could never end (CDK: consumerTimeout at least twice the delivery timeout).
 */
export function createFifoBatchHandler(
  deliverFifo: FifoDeliverer,
  queue: Pick<FifoQueue, 'hold'>,
  onError: (error: unknown) => void = (error) => console.error('[fifo]', error instanceof Error ? error.message : error),
): FifoBatchHandler {
  const run = (record: SQSRecord, remainingMs: (() => number) | undefined) => async () => {
    const queued = parseQueueMessage(record.body);
    if (queued.kind !== 'delivery') throw new Error(`the FIFO queue carries deliveries only, got ${queued.kind}`);
    return deliverFifo(queued, { receiveCount: Number(record.attributes.ApproximateReceiveCount), ...(remainingMs && { remainingMs }) });
  };
  return async (event, context) => {
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    const started = new Set<string>();
    const records = event.Records.map((record) => {
      const group = record.attributes.MessageGroupId ?? '';
      const first = !started.has(group);
      started.add(group);
      return { record, group, run: run(record, first ? undefined : remainingMs) };
    });
    const { failed, held } = await runFifoBatch(records, onError);
    // A visibility change that fails leaves the record to reappear after the queue's visibility timeout: later, not lost.
    await Promise.all(held.map(({ record, seconds }) => queue.hold(record.receiptHandle, seconds).catch(onError)));
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
  };
}
