/** The events-queue consumer: fan-out, signed delivery, per-endpoint retries, dead letters. */
import { createBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import { createDispatcher } from '#shared/core/engine/index.ts';
import { consumerHandler, consumerRuntime } from './consumer-runtime.ts';

const { services: dispatch, settings } = consumerRuntime(createDispatcher);
// Mapped to the events queue and to the slow lane's queue; the record's source tells them apart.
const handleBatch = createBatchHandler(dispatch, { slowQueueArn: settings.slowQueueArn });

export const handler = consumerHandler((event) => handleBatch(event));
