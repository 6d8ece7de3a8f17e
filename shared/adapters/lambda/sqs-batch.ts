/**
 * The SQS consumer as a batch handler: each record is dispatched on its own and a failed one is
 * reported in batchItemFailures, so SQS retries it alone and redrives it to the DLQ after maxReceiveCount.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseQueueMessage } from '../../core/queue-message.ts';
import type { Dispatcher } from '../../core/dispatcher.ts';

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
