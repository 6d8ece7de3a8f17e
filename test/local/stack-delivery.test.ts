import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JITTER } from '#shared/core/engine/retry-policy.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from '../helpers/api.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { receiverPool, subscribe } from '../helpers/stack.ts';
import { headersOf } from '../api/setup.ts';

/** Distinct steps, so an attempt made on the wrong step (or with no wait at all) shows; SQS delays are whole seconds, so 1 s steps can look like 2. */
const SCHEDULE_SECONDS = [3, 1];

describe('local stack delivery (API → fauxqs → poller → consumer → receiver)', () => {
  let stack: LocalStack;
  let call: ReturnType<typeof apiClient>;
  let receiver: Receiver;
  const receivers = receiverPool();

  beforeAll(async () => {
    receiver = await receivers.start();
    stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), retryScheduleSeconds: SCHEDULE_SECONDS });
    call = apiClient(stack.url, stack.adminKey);
    const created = await call('POST', '/v1/event-types', { type: 'user.created', description: 'A user signed up', example: { id: 'u_0' } });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack?.stop();
    await receivers.closeAll();
  });

  const at = (path: string) => receiver.requests.filter((r) => r.path === path);

  it('delivers a published event to a loopback receiver with a Standard Webhooks signature', async () => {
    // Arrange
    const subscription = await subscribe(call, 'acme', `${receiver.url}/signed`, ['user.*']);

    // Act
    const published = await call('POST', '/v1/events', { type: 'user.created', tenant: 'acme', data: { id: 'u_1' } });

    // Assert
    expect(published.status).toBe(202);
    await waitFor('the delivery', () => at('/signed').length === 1);
    const [delivery] = at('/signed');
    expect(delivery?.headers['webhook-id']).toBe(published.body.id);
    expect(new Webhook(subscription.secret).verify(delivery!.body, headersOf(delivery!))).toMatchObject({ type: 'user.created', data: { id: 'u_1' } });
  });

  it('retries a failed delivery on the configured schedule with the same webhook-id', async () => {
    // Arrange: two failures, so both steps of the schedule are used
    await subscribe(call, 'flaky', `${receiver.url}/flaky`);
    receiver.enqueue({ status: 503 }, { status: 503 });

    // Act
    const published = await call('POST', '/v1/events', { type: 'user.created', tenant: 'flaky', data: { id: 'u_2' } });

    // Assert
    await waitFor('three attempts', () => at('/flaky').length === 3, 20_000);
    const attempts = at('/flaky');
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([published.body.id, published.body.id, published.body.id]);
    // Each wait is the scheduled step within its jitter: never sooner than step × (1 − 20 %); later
    // only by the queue's whole-second delay and the poller, which the upper bound leaves room for.
    const gaps = attempts.slice(1).map((r, i) => (r.receivedAt - attempts[i]!.receivedAt) / 1000);
    SCHEDULE_SECONDS.forEach((step, i) => {
      expect(gaps[i], `wait before attempt ${i + 2}`).toBeGreaterThanOrEqual(step * (1 - JITTER) - 0.05);
      expect(gaps[i], `wait before attempt ${i + 2}`).toBeLessThan(step * (1 + JITTER) + 5);
    });
  });
});
