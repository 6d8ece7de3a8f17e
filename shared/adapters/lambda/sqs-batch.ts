/**
 * The SQS consumer as a batch handler: each record is dispatched on its own and a failed one is
 * reported in batchItemFailures, so SQS retries it alone and redrives it to the DLQ after maxReceiveCount.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseQueueMessage } from '../../core/queue-message.ts';
import type { Dispatcher } from '../../core/services.ts';

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createBatchHandler(dispatch: Dispatcher): BatchHandler {
  const handleRecord = async (record: SQSRecord) =>
    dispatch(parseQueueMessage(record.body), {
      redelivered: Number(record.attributes.ApproximateReceiveCount) > 1,
    });
  // One processor per invocation: it keeps per-batch state, and the local poller runs batches concurrently.
  return (event) =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}
