/**
 * The slow lane on real parts (API → fauxqs → the two Lambda-like pollers → receivers on 127.0.0.1,
 * DynamoDB Local): one tenant's endpoint never answers; another tenant's healthy endpoint must not wait
 * for it, and every delivery to the hanging one is still attempted on schedule, logged and dead-lettered.
 * Delivery deadline 3 s, retry schedule [1, 1] (3 attempts per delivery); on the main lane an endpoint
 * gets slowLaneAfterMs (here half the deadline) before its delivery is handed to the slow lane.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, sleep, waitFor } from './helpers/api.ts';
import { type Receiver, startReceiver } from './helpers/receiver.ts';

const DEADLINE_MS = 3_000;
const ROUNDS = 6;
const QUIET_PER_ROUND = 4;

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
let hanging: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    retryScheduleSeconds: [1, 1],
    deliveryTimeoutMs: DEADLINE_MS,
  });
  call = apiClient(stack.url, stack.adminKey);
  // Reads every request and answers long after the deadline: the sender gives up at DEADLINE_MS.
  hanging = await startReceiver({ defaultResponse: { delayMs: 50_000 }, lifetimeMs: 90_000 });
  healthy = await startReceiver({ lifetimeMs: 90_000 });
  expect((await call('PUT', '/v1/event-types/load.tick', { description: 'a tick' })).status).toBe(201);
});

afterAll(async () => {
  await Promise.all([hanging?.close(), healthy?.close()]);
  await stack?.stop();
});

async function subscribe(tenant: string, url: string): Promise<string> {
  const created = await call('POST', `/v1/tenants/${tenant}/subscriptions`, { url, eventTypes: ['load.tick'] });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('slow lane, end to end', () => {
  it('a hanging endpoint does not delay a healthy one, and its own deliveries are retried, logged and dead-lettered on schedule', async () => {
    // Arrange
    const noisy = await subscribe('noisy', `${hanging.url}/hook`);
    await subscribe('quiet', `${healthy.url}/hook`);
    const first = await call('POST', '/v1/events', { type: 'load.tick', tenant: 'noisy', data: { round: 0 } });
    expect(first.status).toBe(202);
    // The first attempt waits slowLaneAfterMs on the main lane, then marks the endpoint slow.
    await waitFor(
      'the hanging endpoint to be marked slow',
      async () => (await call('GET', `/v1/tenants/noisy/subscriptions/${noisy}`)).body.slowUntil,
      DEADLINE_MS + 10_000,
    );

    // Act: rounds of one hanging and several healthy deliveries, published together
    const noisyIds: string[] = [first.body.id];
    const quietPublishedAt = new Map<string, number>();
    for (let round = 1; round <= ROUNDS; round++) {
      const events = [
        { type: 'load.tick', tenant: 'noisy', data: { round } },
        ...Array.from({ length: QUIET_PER_ROUND }, (_, i) => ({ type: 'load.tick', tenant: 'quiet', data: { round, i } })),
      ];
      const published = await call('POST', '/v1/events/batch', { events });
      expect(published.status).toBe(207);
      const at = Date.now();
      const [noisyResult, ...quietResults] = published.body.results as Array<{ id: string }>;
      noisyIds.push(noisyResult?.id as string);
      for (const result of quietResults) quietPublishedAt.set(result.id, at);
      await sleep(300);
    }

    // Assert: every healthy delivery arrived well within the hanging endpoint's deadline
    await waitFor('every healthy delivery', () => healthy.requests.length >= ROUNDS * QUIET_PER_ROUND, 20_000);
    const latencies = healthy.requests.map((request) => {
      const publishedAt = quietPublishedAt.get(String(request.headers['webhook-id']));
      expect(publishedAt).toBeDefined();
      return request.receivedAt - (publishedAt as number);
    });
    expect(Math.max(...latencies)).toBeLessThan(DEADLINE_MS / 2);

    // Assert: each hanging delivery is dead-lettered after 1 attempt + 2 retries, all timed out
    // Collected over several looks: a peek is a receive with visibility 0, and fauxqs's counts flicker meanwhile.
    const dead = new Map<string, unknown>();
    await waitFor(
      'every hanging delivery in the DLQ',
      async () => {
        const listed = await call('GET', '/v1/dead-letters?limit=10');
        for (const item of listed.body.items) dead.set(item.message?.message?.id, item);
        return noisyIds.every((id) => dead.has(id));
      },
      60_000,
    );
    expect([...dead.keys()].sort()).toEqual([...noisyIds].sort());
    for (const item of dead.values()) {
      expect(item).toMatchObject({
        reason: expect.stringMatching(/^failed 3 attempts; last: no complete response within 3000 ms/),
        message: { kind: 'delivery', subscriptionId: noisy },
        lastAttempt: { attemptNumber: 3, status: 'failed', lane: 'slow' },
      });
    }

    // Assert: the attempt log has all 3 attempts of every hanging delivery, spaced by deadline + retry delay
    const logged = (await call('GET', `/v1/tenants/noisy/subscriptions/${noisy}/attempts?limit=100`)).body.items as Array<{
      messageId: string;
      attemptNumber: number;
      status: string;
      error?: string;
      lane?: string;
      timestamp: string;
      durationMs: number;
    }>;
    for (const id of noisyIds) {
      const all = logged.filter((a) => a.messageId === id).sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      // Only the very first event met the endpoint on the main lane: cut short there, handed over as the same attempt.
      if (id === first.body.id) {
        const cut = all.shift();
        expect(cut).toMatchObject({ attemptNumber: 1, status: 'failed', error: expect.stringMatching(/handed to the slow lane/) });
        expect(cut?.lane).toBeUndefined();
        expect(cut?.durationMs).toBeLessThan(DEADLINE_MS);
      }
      const attempts = all;
      expect(attempts.map((a) => [a.attemptNumber, a.status, a.lane])).toEqual([
        [1, 'failed', 'slow'],
        [2, 'failed', 'slow'],
        [3, 'failed', 'slow'],
      ]);
      for (const attempt of attempts) expect(attempt.error).toMatch(/^timeout: no complete response within 3000 ms/);
      for (let i = 1; i < attempts.length; i++) {
        const previous = attempts[i - 1] as (typeof attempts)[number];
        const gap = Date.parse((attempts[i] as (typeof attempts)[number]).timestamp) - Date.parse(previous.timestamp);
        // the deadline, then at least the 1 s retry delay less its 20 % jitter
        expect(gap).toBeGreaterThanOrEqual(previous.durationMs + 800 - 50);
      }
    }
    expect(hanging.requests).toHaveLength(noisyIds.length * 3 + 1);
  }, 120_000);
});
