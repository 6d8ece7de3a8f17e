/** Shared by the API tests: one local stack per file, receivers that close with it, and the documented error shape. */
import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import { allRoutes } from '#shared/api/routes.ts';
import { ENV } from '#shared/core/platform/settings.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '#shared/local/stack.ts';
import { apiClient } from '../helpers/api.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { receiverPool } from '../helpers/stack.ts';

/** Every route as `{ method: 'GET', path: '/v1/…/{param}', access }`, for tests that sweep the route list. */
export const routeTable = allRoutes.map(({ access, route }) => ({ method: route.method.toUpperCase(), path: route.path, access }));

export const errorShape = { error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } };

export interface ApiTestContext {
  stack: LocalStack;
  admin: ReturnType<typeof apiClient>;
  as(key: string | undefined): ReturnType<typeof apiClient>;
  receiver(...script: Parameters<Receiver['enqueue']>): Promise<Receiver>;
  /** Creates a key of a scope through the API and returns a client using it. */
  keyFor(scope: 'admin' | 'publish' | 'tenant', tenant?: string): Promise<ReturnType<typeof apiClient>>;
  stop(): Promise<void>;
}

export async function startApiTest(options: LocalStackOptions = {}): Promise<ApiTestContext> {
  const stack = await startLocalStack({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    retryScheduleSeconds: [1, 1],
    deliveryTimeoutMs: 2_000,
    ...options,
  });
  const receivers = receiverPool();
  const admin = apiClient(stack.url, stack.adminKey);
  return {
    stack,
    admin,
    as: (key) => apiClient(stack.url, key),
    receiver: (...script) => receivers.start({ script }),
    async keyFor(scope, tenant) {
      const created = await admin('POST', '/v1/api-keys', { name: `${scope} key`, scope, ...(tenant ? { tenant } : {}) });
      expect(created.status).toBe(201);
      return apiClient(stack.url, created.body.key);
    },
    async stop() {
      await receivers.closeAll();
      await stack.stop();
    },
  };
}

/**
 * The environment Lambda gives a function, pointed at this local stack (its table, queues and emulators),
 * with the admin key in the clear and a local key for the signing secrets (KMS has no endpoint here):
 * for tests that import a function's handler and call it with API Gateway events.
 */
export function functionEnvironment(stack: LocalStack): Record<string, string> {
  const { settings } = stack;
  return {
    [ENV.tableName]: settings.tableName,
    [ENV.eventsQueueUrl]: settings.eventsQueueUrl,
    [ENV.deadLetterQueueUrl]: settings.deadLetterQueueUrl,
    [ENV.adminKey]: stack.adminKey,
    [ENV.localSecretsKey]: randomBytes(32).toString('base64'),
    [ENV.dynamoDbEndpoint]: settings.dynamoDbEndpoint ?? '',
    [ENV.sqsEndpoint]: settings.sqsEndpoint ?? '',
    [ENV.region]: settings.region,
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/** Lower-cased string headers, as standardwebhooks' verify wants them. */
export const headersOf = (request: { headers: Record<string, string | string[] | undefined> }): Record<string, string> =>
  Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
