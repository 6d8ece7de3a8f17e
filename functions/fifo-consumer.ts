/** The FIFO queue's consumer: deliveries to `ordering: fifo` endpoints, each endpoint's one at a time in publish order. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { httpSenderFor } from '#shared/adapters/http/sender.ts';
import { log, logger, metrics, traced, tracing } from '#shared/adapters/lambda/observability.ts';
import { createFifoBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import { createFifoDeliverer } from '#shared/core/engine/index.ts';
import { settingsFromEnv } from '#shared/core/platform/settings.ts';
import { createRuntime } from '#shared/wiring.ts';

const settings = settingsFromEnv();
const { services: deliverFifo, ports } = createRuntime(settings, createFifoDeliverer, {
  instrument: traced,
  log,
  httpSender: httpSenderFor,
  count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
});
if (!ports.fifoQueue) throw new Error('the FIFO consumer needs HOOKPOST_FIFO_QUEUE_URL');
const handleBatch = createFifoBatchHandler(deliverFifo, ports.fifoQueue, (error) =>
  log.error('FIFO record failed', { error: error instanceof Error ? error.message : String(error) }),
);

// Lambda's context gives the time left: a group stops taking records before the invocation would be killed.
export const handler = middy((event: SQSEvent, context: Context) => handleBatch(event, context))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(tracing());
