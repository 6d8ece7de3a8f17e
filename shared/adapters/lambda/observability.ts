/**
 * Powertools logger, metrics and (when the stack turns it on) tracer, built once and shared by the
 * Lambda functions.
 *
 * Tracing is the stack's `tracing` prop (off by default). Off, the functions neither hold nor evaluate
 * the X-Ray SDK behind the Powertools tracer, about 120 KiB of every bundle (`npm run bench:cold`).
 */
import type middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../core/engine/index.ts';
import type { Log } from '../../core/platform/ports.ts';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * The stack compiles its choice into the bundle as HOOKPOST_TRACING (cdk/bundling.ts bundleDefine): with
 * `false` the condition below folds to false, the import is dead code, and esbuild leaves the tracer
 * out (the test is written inline because esbuild folds literals, not a named constant). Unbundled
 * (tests, scripts) Powertools' own reading of its variable decides: on unless it says `false`.
 */
export const tracer =
  process.env.HOOKPOST_TRACING !== 'false' && (process.env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: SERVICE_NAME })
    : undefined;

/** The core's Log port on the Powertools logger. */
export const log: Log = {
  warn: (message, fields) => logger.warn(message, fields ?? {}),
  error: (message, fields) => logger.error(message, fields ?? {}),
};

/** Wraps an AWS SDK client so its calls show up as X-Ray subsegments (unchanged with tracing off). */
export const traced = <T>(client: T): T => (tracer ? tracer.captureAWSv3Client(client) : client);

/**
 * The handler's tracing middleware, or none with tracing off. Responses are never recorded in
 * traces: the management API's carry signing secrets and API keys.
 */
export const tracing = (): middy.MiddlewareObj[] => (tracer ? [captureLambdaHandler(tracer, { captureResponse: false })] : []);
