/**
 * AWS SDK failures, translated at the edge: throttling, timeouts, 5xx and network failures become the
 * core's `dependency_unavailable` (a 503 the caller may retry). Client faults (a condition that failed,
 * a validation error) pass through unchanged: adapters handle the ones they expect by name, and any
 * other is a bug or a limit, which the API answers with a 500 and logs.
 */
import { dependencyUnavailable } from '../../core/platform/errors.ts';

interface SdkError {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Socket-level failures: no answer from the service at all. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH']);
const THROTTLING = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests|SlowDown|LimitExceeded/;

export function isTransientAwsError(error: unknown): boolean {
  const e = error as SdkError | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.$fault === 'server' || e.$retryable?.throttling) return true;
  if (e.name && THROTTLING.test(e.name)) return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

interface WithMiddleware {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

/** Installs the translation on a client (outermost step, so it sees the error after the SDK's own retries). */
export function translatingErrors<C extends WithMiddleware>(client: C, service: string): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (isTransientAwsError(error)) throw dependencyUnavailable(service, (error as Error).name || 'Error');
        throw error;
      }
    },
    { step: 'initialize', name: 'hookpostTranslateErrors' },
  );
  return client;
}
