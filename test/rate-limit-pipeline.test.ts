/**
 * `rateLimit` on real parts (API → fauxqs → the main poller's 2 loops and the slow lane's → receivers
 * on 127.0.0.1, the limiter in DynamoDB Local): a burst of 40 events to a `rateLimit: 5` endpoint
 * arrives complete, once each, on its first attempt, with never more than 6 (the limit + 1) attempts
 * started in any second; the tenant's unlimited endpoint is not held back by it.
 *
 * The guarantee is about when Hookpost starts each attempt (the attempt log's `timestamp`, taken as
 * the POST starts), as docs/api.md states it: how soon each POST reaches the receiver depends on the
 * network and on how busy both machines are, so arrival times are not asserted on.
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

/** The most times in any window [t, t + 1000 ms) that starts at one of them. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] as number) < (sorted[i] as number) + 1000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

interface LoggedAttempt {
  messageId: string;
  attemptNumber: number;
  status: string;
  /** When the attempt's POST started. */
  timestamp: string;
}

const idsOf = (receiver: Receiver) => receiver.requests.map((request) => String(request.headers['webhook-id']));

describe('rateLimit, end to end', () => {
  it('a burst of 40 to a 5/s endpoint arrives complete, once each, all first attempts, at most 6 started in any second; the unlimited endpoint is not held', async () => {
    // Arrange
    const limitedReceiver = await receivers.start();
    const freeReceiver = await receivers.start();
    const limited = await subscribe(call, 'shop', `${limitedReceiver.url}/hook`, ['order.placed'], { rateLimit: RATE });
    const free = await subscribe(call, 'shop', `${freeReceiver.url}/hook`, ['order.placed']);

    // Act: 40 events published at once
    const events = Array.from({ length: EVENTS }, (_, n) => ({ type: 'order.placed', tenant: 'shop', data: { n } }));
    const published = await call('POST', '/v1/events/batch', { events });
    expect(published.status).toBe(207);
    const ids = (published.body.results as Array<{ id: string; status: number }>).map((result) => result.id);
    expect(new Set(ids).size).toBe(EVENTS);

    // Assert: both endpoints got all 40, each exactly once
    await waitFor('the unlimited endpoint to get all 40', () => freeReceiver.requests.length >= EVENTS, 30_000);
    await waitFor('the limited endpoint to get all 40', () => limitedReceiver.requests.length >= EVENTS, 30_000);
    await waitForIdle(stack);
    await sleep(500);
    expect(idsOf(limitedReceiver).sort()).toEqual([...ids].sort());
    expect(idsOf(freeReceiver).sort()).toEqual([...ids].sort());

    // Assert: waiting cost no attempt: 40 attempts in the log, all first attempts that succeeded
    const attemptsOf = async (subscriptionId: string) =>
      (await call('GET', `/v1/tenants/shop/subscriptions/${subscriptionId}/attempts?limit=100`)).body.items as LoggedAttempt[];
    const logged = await attemptsOf(limited.id);
    expect(logged).toHaveLength(EVENTS);
    expect(logged.every((attempt) => attempt.attemptNumber === 1 && attempt.status === 'succeeded')).toBe(true);
    expect(logged.map((attempt) => attempt.messageId).sort()).toEqual([...ids].sort());

    // Assert: paced where the limit is kept, as the POSTs start: at most 6 in any second, and 40
    // slots 200 ms apart (each sent within half a slot of its start) span at least 7.7 s
    const starts = logged.map((attempt) => Date.parse(attempt.timestamp));
    expect(busiestSecond(starts)).toBeLessThanOrEqual(RATE + 1);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(((EVENTS - 1) * 1000) / RATE - 1000 / RATE / 2);

    // Assert: the unlimited endpoint was not held: each message was sent to it before the limited
    // endpoint's attempt of the same message began (that one waits for a slot at least 20 ms ahead)
    const freeStarts = new Map((await attemptsOf(free.id)).map((attempt) => [attempt.messageId, Date.parse(attempt.timestamp)]));
    expect(freeStarts.size).toBe(EVENTS);
    const heldBehind = logged.filter((attempt) => (freeStarts.get(attempt.messageId) ?? Number.POSITIVE_INFINITY) >= Date.parse(attempt.timestamp));
    expect(heldBehind).toEqual([]);
  }, 40_000);
});
