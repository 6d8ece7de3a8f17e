/**
 * `rateLimit` on real parts (API → fauxqs → the main poller's 2 loops and the slow lane's → receivers
 * on 127.0.0.1, the limiter in DynamoDB Local): a burst of 40 events to a `rateLimit: 5` endpoint
 * arrives complete, once each, never more than 6 (the limit + 1) in any second, each on its first
 * attempt; the tenant's unlimited endpoint gets the same 40 at once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, sleep, waitFor } from './helpers/api.ts';
import type { Receiver } from './helpers/receiver.ts';
import { receiverPool, subscribe, waitForIdle } from './helpers/stack.ts';

const EVENTS = 40;
const RATE = 5;

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
const receivers = receiverPool();

beforeAll(async () => {
  stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint') });
  call = apiClient(stack.url, stack.adminKey);
  expect((await call('PUT', '/v1/event-types/order.placed', { description: 'an order' })).status).toBe(201);
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

/** The most arrivals in any window [t, t + 1000 ms) that starts at an arrival. */
function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] as number) < (sorted[i] as number) + 1000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

const idsOf = (receiver: Receiver) => receiver.requests.map((request) => String(request.headers['webhook-id']));

describe('rateLimit, end to end', () => {
  it('a burst of 40 to a 5/s endpoint arrives complete, once each, at most 6 in any second, all first attempts; the unlimited endpoint is not held', async () => {
    // Arrange
    const limitedReceiver = await receivers.start();
    const freeReceiver = await receivers.start();
    const limited = await subscribe(call, 'shop', `${limitedReceiver.url}/hook`, ['order.placed'], { rateLimit: RATE });
    await subscribe(call, 'shop', `${freeReceiver.url}/hook`, ['order.placed']);

    // Act: 40 events published at once
    const events = Array.from({ length: EVENTS }, (_, n) => ({ type: 'order.placed', tenant: 'shop', data: { n } }));
    const publishedAt = Date.now();
    const published = await call('POST', '/v1/events/batch', { events });
    expect(published.status).toBe(207);
    const ids = (published.body.results as Array<{ id: string; status: number }>).map((result) => result.id);
    expect(new Set(ids).size).toBe(EVENTS);

    // Assert: the unlimited endpoint got all 40 promptly, long before the limited one could have
    await waitFor('the unlimited endpoint to get all 40', () => freeReceiver.requests.length >= EVENTS, 10_000);
    const freeDone = Math.max(...freeReceiver.requests.map((request) => request.receivedAt)) - publishedAt;
    expect(freeDone).toBeLessThan(3_000);

    // Assert: the limited one got all 40, each exactly once, paced
    await waitFor('the limited endpoint to get all 40', () => limitedReceiver.requests.length >= EVENTS, 30_000);
    await waitForIdle(stack);
    await sleep(500);
    expect(idsOf(limitedReceiver).sort()).toEqual([...ids].sort());
    expect(idsOf(freeReceiver).sort()).toEqual([...ids].sort());
    const arrivals = limitedReceiver.requests.map((request) => request.receivedAt);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(RATE + 1);
    // 40 slots 200 ms apart span 7.8 s: a limit that held nothing back would have taken well under that.
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThanOrEqual(((EVENTS - 1) * 1000) / RATE - 250);

    // Assert: waiting cost no attempt: 40 attempts in the log, all first attempts that succeeded
    const logged = (await call('GET', `/v1/tenants/shop/subscriptions/${limited.id}/attempts?limit=100`)).body.items as Array<{
      messageId: string;
      attemptNumber: number;
      status: string;
    }>;
    expect(logged).toHaveLength(EVENTS);
    expect(logged.every((attempt) => attempt.attemptNumber === 1 && attempt.status === 'succeeded')).toBe(true);
    expect(logged.map((attempt) => attempt.messageId).sort()).toEqual([...ids].sort());
  }, 40_000);
});
