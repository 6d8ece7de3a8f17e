/**
 * FIFO endpoints (`ordering: "fifo"`) on the local stack, with real receivers: one event at a time in
 * publish order, a failing event holding the ones behind it (1,1,1,2,3,4,5), also when the FIFO
 * consumer dies after an attempt and before acknowledging it; an exhausted event is dead-lettered
 * (and announced to `_operations`) and the next one goes; a batch publish keeps its order; a non-FIFO
 * endpoint of the tenant never waits.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFifoBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import type { Attempt } from '#shared/core/platform/domain.ts';
import { newMessageId } from '#shared/core/platform/ids.ts';
import { serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { toSqsRecord } from '#shared/local/poller.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from './helpers/api.ts';
import type { Receiver, RecordedRequest } from './helpers/receiver.ts';
import { receiverPool, subscribe, waitForIdle } from './helpers/stack.ts';

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
const receivers = receiverPool({ lifetimeMs: 90_000 });

const numberOf = (request: RecordedRequest): number => (JSON.parse(request.body) as { data: { n: number } }).data.n;
const received = (receiver: Receiver): number[] => receiver.requests.map(numberOf);

/** Answers 500 to event `n` the first `times` times, 200 otherwise. */
function failing(n: number, times: number) {
  let failures = 0;
  return (request: RecordedRequest) => {
    if (numberOf(request) !== n || failures >= times) return { status: 200, body: 'ok' };
    failures += 1;
    return { status: 500, body: 'not yet' };
  };
}

/** Publishes events n = 1..count one by one, each answered (202) before the next is sent. */
async function publishInTurn(tenant: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant, data: { n } });
    expect(published.status).toBe(202);
    ids.push(published.body.id);
  }
  return ids;
}

const idle = () => waitForIdle({ sqs: stack.sqs, eventsQueueUrl: stack.fifoQueueUrl });

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    retryScheduleSeconds: [1, 1],
    deliveryTimeoutMs: 2_000,
    // A record the consumer died on is back this soon.
    fifoVisibilityTimeoutSeconds: 2,
  });
  call = apiClient(stack.url, stack.adminKey);
  expect((await call('PUT', '/v1/event-types/order.paid', { description: 'an order was paid' })).status).toBe(201);
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

describe('FIFO endpoints', () => {
  it('receive 1,1,1,2,3,4,5 when event 1 fails twice, while a plain endpoint of the tenant gets all five at once', async () => {
    // Arrange
    const fifo = await receivers.start({ defaultResponse: failing(1, 2) });
    const plain = await receivers.start();
    const sub = await subscribe(call, 'fifo-order', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo' });
    await subscribe(call, 'fifo-order', `${plain.url}/hook`, ['order.paid']);

    // Act
    await publishInTurn('fifo-order', 5);

    // Assert: the plain endpoint has all five before the FIFO one got past event 1 (its retries wait a second each).
    await waitFor('the plain endpoint to get all five', () => plain.requests.length === 5);
    expect(received(fifo).filter((n) => n !== 1)).toEqual([]);
    expect(received(plain).sort()).toEqual([1, 2, 3, 4, 5]);
    await waitFor('the FIFO endpoint to get event 5', () => received(fifo).includes(5), 20_000);
    await idle();
    expect(received(fifo)).toEqual([1, 1, 1, 2, 3, 4, 5]);
    const attempts = await call('GET', `/v1/tenants/fifo-order/subscriptions/${sub.id}/attempts?limit=20`);
    expect(attempts.body.items.map((a: Attempt) => a.lane)).toEqual(Array(7).fill('fifo'));
    expect(attempts.body.items.map((a: Attempt) => a.attemptNumber).reverse()).toEqual([1, 2, 3, 1, 1, 1, 1]);
  });

  it('still receive 1,1,1,2,3,4,5 when the consumer dies after event 2 was delivered and before it was acknowledged', async () => {
    // Arrange: recording event 2's successful attempt lands, then the consumer "dies" (the record is not acknowledged).
    const fifo = await receivers.start({ defaultResponse: failing(1, 2) });
    await subscribe(call, 'fifo-crash', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo' });
    const attempts = stack.runtime.ports.attempts;
    const record = attempts.record.bind(attempts);
    let crashed = 0;
    let ids: string[] = [];
    attempts.record = async (attempt) => {
      await record(attempt);
      if (attempt.messageId === ids[1] && attempt.status === 'succeeded' && crashed === 0) {
        crashed += 1;
        throw new Error('the FIFO consumer died before acknowledging its batch');
      }
    };
    try {
      // Act
      ids = await publishInTurn('fifo-crash', 5);

      // Assert
      await waitFor('the FIFO endpoint to get event 5', () => received(fifo).includes(5), 25_000);
      await idle();
    } finally {
      attempts.record = record;
    }
    expect(crashed).toBe(1);
    expect(received(fifo)).toEqual([1, 1, 1, 2, 3, 4, 5]);
  });

  it('dead-letter an event that exhausts its own schedule [1] after 2 attempts, announce it, then deliver the next one', async () => {
    // Arrange
    const operations = await receivers.start();
    await subscribe(call, '_operations', `${operations.url}/ops`, ['hookpost.message.exhausted']);
    const fifo = await receivers.start({ defaultResponse: failing(1, 99) });
    const sub = await subscribe(call, 'fifo-exhausted', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo', retrySchedule: [1] });

    // Act
    const [first] = await publishInTurn('fifo-exhausted', 3);

    // Assert
    await waitFor('the FIFO endpoint to get event 3', () => received(fifo).includes(3), 20_000);
    await idle();
    expect(received(fifo)).toEqual([1, 1, 2, 3]);
    const deadLetter = await waitFor('the dead letter', async () => {
      const listed = await call('GET', '/v1/dead-letters');
      return listed.body.items.find((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === first);
    });
    expect(deadLetter).toMatchObject({
      reason: expect.stringMatching(/failed 2 attempts; last: endpoint answered 500/),
      message: { kind: 'delivery', subscriptionId: sub.id },
      lastAttempt: { attemptNumber: 2, lane: 'fifo' },
    });
    const announced = await waitFor('the exhausted operational event', () =>
      operations.requests.map((r) => JSON.parse(r.body)).find((e) => e.data.tenant === 'fifo-exhausted'),
    );
    expect(announced).toMatchObject({ type: 'hookpost.message.exhausted', data: { subscriptionId: sub.id, messageId: first, attempts: 2 } });
  });

  it('keep the order of a batch publish', async () => {
    // Arrange
    const fifo = await receivers.start({ defaultResponse: failing(1, 1) });
    await subscribe(call, 'fifo-batch', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo' });

    // Act
    const events = Array.from({ length: 12 }, (_, i) => ({ type: 'order.paid', tenant: 'fifo-batch', data: { n: i + 1 } }));
    const published = await call('POST', '/v1/events/batch', { events });

    // Assert
    expect(published.status, JSON.stringify(published.body)).toBeLessThan(300);
    await waitFor('the FIFO endpoint to get event 12', () => received(fifo).includes(12), 20_000);
    await idle();
    expect(received(fifo)).toEqual([1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('stop a group at its held record within one batch: the later records of the group are not run, and come after it', async () => {
    // fauxqs hands out one record of a group per receive, so the local poller never gives the handler
    // a group's held record with later ones behind it; Lambda's FIFO event source does (up to 10).
    // Here the stack's own FIFO handler and services get such a batch, as on AWS, with a real receiver.
    const fifo = await receivers.start({ defaultResponse: failing(1, 1) });
    const sub = await subscribe(call, 'fifo-held-batch', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo' });
    const holds: { receiptHandle: string; seconds: number }[] = [];
    const handler = createFifoBatchHandler(stack.runtime.services.deliverFifo, {
      hold: async (receiptHandle, seconds) => {
        holds.push({ receiptHandle, seconds });
      },
    });
    const now = Date.now();
    const deliveries = [1, 2, 3, 4].map((n) => ({
      kind: 'delivery' as const,
      message: { id: newMessageId(now + n), type: 'order.paid', tenant: 'fifo-held-batch', timestamp: new Date(now).toISOString(), dataJson: JSON.stringify({ n }) },
      subscriptionId: sub.id,
      attempt: 1,
      dueAt: 0,
    }));
    const batch = (receiveCount: number) => ({
      Records: deliveries.map((delivery, i) =>
        toSqsRecord(
          {
            MessageId: `m${i + 1}`,
            ReceiptHandle: `r${i + 1}-${receiveCount}`,
            Body: serializeQueueBody(delivery),
            Attributes: { ApproximateReceiveCount: String(receiveCount), MessageGroupId: sub.id },
          },
          'arn:aws:sqs:us-east-1:000000000000:hookpost-fifo.fifo',
          'us-east-1',
        ),
      ),
    });

    // Event 1 fails: it and everything behind it go back, 1 hidden for its retry wait, 2–4 visible at once behind it.
    const first = await handler(batch(1));
    expect(received(fifo)).toEqual([1]);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(holds.map((h) => h.receiptHandle)).toEqual(['r1-1', 'r2-1', 'r3-1', 'r4-1']);
    expect(holds[0]?.seconds).toBeGreaterThan(0);
    expect(holds.slice(1).map((h) => h.seconds)).toEqual([0, 0, 0]);

    // Handed out again in order: 1 succeeds, then 2, 3, 4, each attempted once.
    const second = await handler(batch(2));
    expect(second.batchItemFailures).toEqual([]);
    expect(received(fifo)).toEqual([1, 1, 2, 3, 4]);
    const attempts = await call('GET', `/v1/tenants/fifo-held-batch/subscriptions/${sub.id}/attempts?limit=20`);
    expect(attempts.body.items.map((a: Attempt) => a.attemptNumber).reverse()).toEqual([1, 2, 1, 1, 1]);
  });

  it('go back to parallel delivery with ordering "none"', async () => {
    const fifo = await receivers.start();
    const sub = await subscribe(call, 'fifo-off', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo' });
    const patched = await call('PATCH', `/v1/tenants/fifo-off/subscriptions/${sub.id}`, { ordering: 'none' });
    expect(patched.status).toBe(200);
    expect(patched.body.ordering).toBeUndefined();
    await publishInTurn('fifo-off', 1);
    await waitFor('the endpoint to get the event', () => fifo.requests.length === 1);
    const attempts = await call('GET', `/v1/tenants/fifo-off/subscriptions/${sub.id}/attempts`);
    expect(attempts.body.items[0].lane).toBeUndefined();
  });
});
