/**
 * The SQS consumer as a batch handler: each record is dispatched on its own and a failed one is
 * reported in batchItemFailures, so SQS retries it alone and redrives it to the DLQ after maxReceiveCount.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dispatch, type DeliveryMetric, type DispatchDeps } from '../../core/dispatch.ts';
import { parseQueueMessage } from '../../core/queue-message.ts';
import { deliveryDeps, type Runtime } from '../../wiring.ts';

/** A 429 or a timeout waits at least this long: the receiver is overloaded, hammering it helps no one. */
export const THROTTLED_MINIMUM_SECONDS = 60;

export interface ConsumerOptions {
  count?: (metric: DeliveryMetric) => void;
  throttledMinimumSeconds?: number;
}

export function dispatchDeps(runtime: Runtime, options: ConsumerOptions = {}): DispatchDeps {
  const { config } = runtime;
  return {
    ...deliveryDeps(runtime),
    subscriptions: {
      forTenant: runtime.cache.subscriptionsOf,
      // Every write also drops this container's cached copy of the tenant, so the next read sees it.
      async disable(tenant, id, reason, at) {
        await runtime.subscriptions.disable(tenant, id, reason, at);
        runtime.cache.forgetTenant(tenant);
      },
      async markFailing(tenant, id, at) {
        await runtime.subscriptions.markFailing(tenant, id, at);
        runtime.cache.forgetTenant(tenant);
      },
      async markHealthy(tenant, id) {
        await runtime.subscriptions.markHealthy(tenant, id);
        runtime.cache.forgetTenant(tenant);
      },
    },
    disableAfterFailingMs: config.disableAfterFailingMs,
    notifier: runtime.notifier,
    attempts: runtime.attempts,
    messages: runtime.messages,
    queue: runtime.queue,
    deadLetters: runtime.deadLetters,
    retryScheduleSeconds: config.retryScheduleSeconds,
    throttledMinimumSeconds: Math.min(
      options.throttledMinimumSeconds ?? THROTTLED_MINIMUM_SECONDS,
      // A short (test or local) schedule keeps its scale.
      Math.max(...config.retryScheduleSeconds, 0),
    ),
    count: options.count,
  };
}

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createBatchHandler(runtime: Runtime, options: ConsumerOptions = {}): BatchHandler {
  const deps = dispatchDeps(runtime, options);
  const handleRecord = async (record: SQSRecord) =>
    dispatch(deps, parseQueueMessage(record.body), {
      redelivered: Number(record.attributes.ApproximateReceiveCount) > 1,
    });
  // One processor per invocation: it keeps per-batch state, and the local poller runs batches concurrently.
  return (event) =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
}
