/** The events-queue consumer: fan-out, signed delivery, per-endpoint retries, dead letters. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSEvent } from 'aws-lambda';
import { httpSenderFor } from '#shared/adapters/http/sender.ts';
import { log, logger, metrics, traced, tracing } from '#shared/adapters/lambda/observability.ts';
import { createBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import { createDispatcher } from '#shared/core/engine/index.ts';
import { settingsFromEnv } from '#shared/core/platform/settings.ts';
import { createRuntime } from '#shared/wiring.ts';

const settings = settingsFromEnv();
const { services: dispatch } = createRuntime(settings, createDispatcher, {
  instrument: traced,
  log,
  httpSender: httpSenderFor,
  // Counted in memory and flushed as one EMF log line per invocation: no PutMetricData calls.
  count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
});
// Mapped to the events queue and to the slow lane's queue; the record's source tells them apart.
const handleBatch = createBatchHandler(dispatch, { slowQueueArn: settings.slowQueueArn });

export const handler = middy((event: SQSEvent) => handleBatch(event))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(tracing());
