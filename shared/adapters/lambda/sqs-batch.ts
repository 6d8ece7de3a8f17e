/**
 * The SQS consumer as a batch handler: each record is dispatched on its own and a failed one is
 * reported in batchItemFailures, so SQS retries it alone and redrives it to the DLQ after maxReceiveCount.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runFifoBatch } from '../../core/fifo.ts';
import type { FifoQueue } from '../../core/ports.ts';
import { parseQueueMessage } from '../../core/queue-message.ts';
import type { Dispatcher, FifoDeliverer } from '../../core/dispatcher.ts';

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

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
 */
export function createFifoBatchHandler(
  deliverFifo: FifoDeliverer,
  queue: Pick<FifoQueue, 'hold'>,
  onError: (error: unknown) => void = (error) => console.error('[fifo]', error instanceof Error ? error.message : error),
): BatchHandler {
  const run = (record: SQSRecord) => async () => {
    const queued = parseQueueMessage(record.body);
    if (queued.kind !== 'delivery') throw new Error(`the FIFO queue carries deliveries only, got ${queued.kind}`);
    return deliverFifo(queued, { receiveCount: Number(record.attributes.ApproximateReceiveCount) });
  };
  return async (event) => {
    const records = event.Records.map((record) => ({ record, group: record.attributes.MessageGroupId ?? '', run: run(record) }));
    const { failed, held } = await runFifoBatch(records, onError);
    // A visibility change that fails leaves the record to reappear after the queue's visibility timeout: later, not lost.
    await Promise.all(held.map(({ record, seconds }) => queue.hold(record.receiptHandle, seconds).catch(onError)));
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
  };
}
