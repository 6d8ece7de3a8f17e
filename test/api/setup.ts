/** Shared by the API tests: one local stack per file, receivers that close with it, and the documented error shape. */
import { expect, inject } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '#shared/local/stack.ts';
import { apiClient } from '../helpers/api.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { receiverPool } from '../helpers/stack.ts';

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

/** Lower-cased string headers, as standardwebhooks' verify wants them. */
export const headersOf = (request: { headers: Record<string, string | string[] | undefined> }): Record<string, string> =>
  Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
