/** Powertools logger, metrics and tracer, built once and shared by the Lambda functions. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../core/metrics.ts';
import type { Log } from '../../core/ports.ts';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** The core's Log port on the Powertools logger. */
export const log: Log = {
  warn: (message, fields) => logger.warn(message, fields ?? {}),
  error: (message, fields) => logger.error(message, fields ?? {}),
};

/** Wraps an AWS SDK client so its calls show up as X-Ray subsegments. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);
