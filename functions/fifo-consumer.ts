/** The FIFO queue's consumer: deliveries to `ordering: fifo` endpoints, each endpoint's one at a time in publish order. */
import { log } from '#shared/adapters/lambda/observability.ts';
import { createFifoBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import { createFifoDeliverer } from '#shared/core/engine/index.ts';
import { consumerHandler, consumerRuntime } from './consumer-runtime.ts';

const { services: deliverFifo, ports } = consumerRuntime(createFifoDeliverer);
if (!ports.fifoQueue) throw new Error('the FIFO consumer needs HOOKPOST_FIFO_QUEUE_URL');
const handleBatch = createFifoBatchHandler(deliverFifo, ports.fifoQueue, (error) =>
  log.error('FIFO record failed', { error: error instanceof Error ? error.message : String(error) }),
);

// Lambda's context gives the time left: a group stops taking records before the invocation would be killed.
export const handler = consumerHandler(handleBatch);
