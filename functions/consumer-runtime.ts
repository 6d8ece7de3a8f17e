/**
 * What both consumer functions (consumer.ts, fifo-consumer.ts) start with: the settings from the
 * environment, the runtime with the HTTP transport and deliveries counted as EMF metrics, and the
 * Lambda handler around a batch handler (logger context, one metrics flush per invocation, tracing).
 * Not a function of its own: each consumer's bundle carries it.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { httpSenderFor } from '#shared/adapters/http/sender.ts';
import { log, logger, metrics, traced, tracing } from '#shared/adapters/lambda/observability.ts';
import { type Settings, settingsFromEnv } from '#shared/core/platform/settings.ts';
import { createRuntime, type Runtime, type ServiceBuilder } from '#shared/wiring.ts';

/** The settings and the runtime built with `build` (the events engine or the FIFO one). */
export function consumerRuntime<S>(build: ServiceBuilder<S>): Runtime<S> & { settings: Settings } {
  const settings = settingsFromEnv();
  const runtime = createRuntime(settings, build, {
    instrument: traced,
    log,
    httpSender: httpSenderFor,
    // Counted in memory and flushed as one EMF log line per invocation: no PutMetricData calls.
    count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
  });
  return { ...runtime, settings };
}

/** The Lambda handler: the batch handler with Lambda's context, under the logger, metrics and tracing middleware. */
export const consumerHandler = (handleBatch: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>) =>
  middy((event: SQSEvent, context: Context) => handleBatch(event, context))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(tracing());
