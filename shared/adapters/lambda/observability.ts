/** Powertools logger, metrics and tracer, built once and shared by the Lambda functions. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'hookpost' });
export const metrics = new Metrics({ namespace: 'Hookpost', serviceName: 'hookpost' });
export const tracer = new Tracer({ serviceName: 'hookpost' });

/** Wraps an AWS SDK client so its calls show up as X-Ray subsegments. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);
