/**
 * Per-endpoint `rateLimit` in the dispatch engine (docs/reliability.md "Rate limits"), with the
 * in-memory limiter and a clock that sleeping moves: a near slot is waited for inline, a far one sends
 * the delivery back to its lane's queue with the slot and the same attempt number; waiting records no
 * attempt and spends no retry; a delivery back too late takes a new slot instead of sending late.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue, MemoryRateLimiter } from '#shared/adapters/memory.ts';
import { dispatch, RATE_LIMIT_LEAD_MS } from '#shared/core/engine/dispatch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import { DELIVERY_METRICS, type DeliveryMetric } from '#shared/core/engine/metrics.ts';
import type { HttpRequest, HttpResult } from '#shared/core/platform/ports.ts';
import { type DeliveryMessage, parseQueueMessage, serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const START = Date.parse('2026-12-01T10:00:00Z');

const message = (i: number): Message => ({
  id: `msg_${i}`,
  type: 'user.created',
  tenant: 't1',
  timestamp: new Date(START).toISOString(),
  dataJson: `{"i":${i}}`,
});

const sub = (id: string, overrides: Partial<Subscription> = {}): Subscription => testSubscription(id, new Date(START).toISOString(), overrides);

const ok: HttpResult = { kind: 'response', statusCode: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 5 };
const unavailable: HttpResult = { kind: 'response', statusCode: 503, headers: {}, bodyExcerpt: 'busy', durationMs: 5 };

/**
 * The clock only moves when every delivery in flight is asleep: `run` then wakes the earliest sleeper
 * at its time, as timers would, so concurrent deliveries see one consistent clock.
 */
function setup(subscriptions: Subscription[], respond: () => HttpResult = () => ok) {
  let now = START;
  const sentAt: { host: string; at: number }[] = [];
  const counted: DeliveryMetric[] = [];
  const slept: number[] = [];
  const timers: { at: number; wake: () => void }[] = [];
  const slowQueue = new MemoryEventQueue();
  const limiter = new MemoryRateLimiter();
  const record = (req: HttpRequest) => {
    sentAt.push({ host: new URL(req.url).hostname, at: now });
    return respond();
  };
  const { deps, queue, attempts } = testEngine(subscriptions, record, { now: () => now }, {
    slowQueue,
    throttledMinimumSeconds: 0,
    count: (metric) => void counted.push(metric),
    rateLimiter: limiter,
    rateLimitInlineWaitMs: 1000,
    sleep: (ms) => {
      slept.push(ms);
      return new Promise<void>((wake) => timers.push({ at: now + ms, wake }));
    },
  });
  /** Runs deliveries concurrently, moving the clock from one sleeper's wake-up to the next (`oversleepMs` late each). */
  async function run(work: Promise<void>[], oversleepMs = 0): Promise<void> {
    let done = false;
    const all = Promise.all(work).finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (!next) continue;
      now = Math.max(now, next.at + oversleepMs);
      next.wake();
    }
    await all;
  }
  return {
    deps,
    sentAt,
    counted,
    slept,
    queue,
    slowQueue,
    attempts,
    limiter,
    run,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const handedBack = (queue: MemoryEventQueue) => queue.sent.map((s) => ({ ...(s.message as DeliveryMessage), delaySeconds: s.delaySeconds }));

describe('rateLimit in dispatch', () => {
  it('sends a burst at the limit: near slots are waited for inline and sent on them, far ones handed back with their slot and attempt 1, and no attempt is recorded for waiting', async () => {
    // Arrange: 5/s, so slots 200 ms apart from now + the lead; 1 s of inline wait
    const t = setup([sub('limited', { rateLimit: 5 })]);
    const first = START + RATE_LIMIT_LEAD_MS;

    // Act: 12 events at once, dispatched concurrently as a consumer batch is
    await t.run(Array.from({ length: 12 }, (_, i) => dispatch(t.deps, { kind: 'event', message: message(i) })));

    // Assert: the slots within the inline wait were sent exactly on their slots, each logged once as attempt 1
    expect(t.sentAt.map((s) => s.at)).toEqual([0, 200, 400, 600, 800].map((ms) => first + ms));
    expect(t.attempts.attempts).toHaveLength(5);
    expect(t.attempts.attempts.every((a) => a.attemptNumber === 1 && a.status === 'succeeded')).toBe(true);
    // The other seven were reserved the next slots and handed back as attempt 1, carrying them
    const back = handedBack(t.queue);
    expect(back.map((b) => b.attempt)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(back.map((b) => (b.slotAt as number) - first)).toEqual([1000, 1200, 1400, 1600, 1800, 2000, 2200]);
    expect(back.map((b) => b.message.id)).toEqual(['msg_5', 'msg_6', 'msg_7', 'msg_8', 'msg_9', 'msg_10', 'msg_11']);
    // Each comes back about half the inline wait before its slot (SQS delays are whole seconds, at least 1)
    expect(back.map((b) => b.delaySeconds)).toEqual([1, 1, 1, 1, 1, 2, 2]);
    // Every delivery that waited counted once; the first had its slot at once
    expect(t.counted.filter((m) => m === DELIVERY_METRICS.rateLimited)).toHaveLength(4 + 7);
  });

  it('a handed-back delivery that returns before its slot sleeps to it and sends then, as the same attempt', async () => {
    // Arrange
    const t = setup([sub('limited', { rateLimit: 5 })]);
    t.limiter.nextFree.set('limited', START + 1_400);
    const queued: DeliveryMessage = { kind: 'delivery', message: message(7), subscriptionId: 'limited', attempt: 1, dueAt: 0, slotAt: START + 1_200 };
    t.advance(900);

    // Act
    await t.run([dispatch(t.deps, queued)]);

    // Assert: sent exactly at its slot, no new reservation (the limiter's next free slot did not move)
    expect(t.sentAt.map((s) => s.at)).toEqual([START + 1_200]);
    expect(t.slept).toEqual([300]);
    expect(t.limiter.nextFree.get('limited')).toBe(START + 1_400);
    expect(t.queue.sent).toHaveLength(0);
    expect(t.attempts.attempts).toMatchObject([{ attemptNumber: 1, status: 'succeeded', messageId: 'msg_7' }]);
  });

  it('a delivery back more than half a slot after its slot takes a new one instead of sending late', async () => {
    // Arrange: a delivery whose slot passed 150 ms ago (width 200 ms), with the limiter booked 3 s ahead
    const t = setup([sub('limited', { rateLimit: 5 })]);
    t.limiter.nextFree.set('limited', START + 3_000);
    const late: DeliveryMessage = { kind: 'delivery', message: message(1), subscriptionId: 'limited', attempt: 2, dueAt: 0, slotAt: START - 150 };

    // Act
    await t.run([dispatch(t.deps, late)]);

    // Assert: not sent; handed back with the new slot (3000 ms) and still attempt 2
    expect(t.sentAt).toHaveLength(0);
    expect(t.attempts.attempts).toHaveLength(0);
    expect(handedBack(t.queue)).toMatchObject([{ attempt: 2, slotAt: START + 3_000, delaySeconds: 3 }]);
    expect(t.limiter.nextFree.get('limited')).toBe(START + 3_200);
  });

  it('a delivery back within half a slot after its slot is sent at once, on its old slot', async () => {
    // Arrange
    const t = setup([sub('limited', { rateLimit: 5 })]);
    t.limiter.nextFree.set('limited', START + 3_000);
    const onTime: DeliveryMessage = { kind: 'delivery', message: message(1), subscriptionId: 'limited', attempt: 1, dueAt: 0, slotAt: START - 90 };

    // Act
    await t.run([dispatch(t.deps, onTime)]);

    // Assert
    expect(t.sentAt.map((s) => s.at)).toEqual([START]);
    expect(t.slept).toEqual([]);
    expect(t.limiter.nextFree.get('limited')).toBe(START + 3_000);
  });

  it('woken too late for its slot, a delivery takes the next one rather than send late; after three misses it goes back to the queue', async () => {
    // Arrange: 10/s (100 ms slots, 50 ms tolerated); every sleep overshoots by 60 ms
    const t = setup([sub('limited', { rateLimit: 10 })]);

    // Act
    await t.run([dispatch(t.deps, { kind: 'event', message: message(1) })], 60);

    // Assert: three reservations (from now + lead each time), never sent late, then handed back unreserved as attempt 1
    expect(t.sentAt).toHaveLength(0);
    expect(t.slept).toHaveLength(3);
    expect(handedBack(t.queue)).toMatchObject([{ attempt: 1, delaySeconds: 1 }]);
    expect(handedBack(t.queue)[0]?.slotAt).toBeUndefined();
    expect(t.attempts.attempts).toHaveLength(0);
  });

  it('on the slow lane a delivery is handed back to the slow queue, not the main one', async () => {
    // Arrange
    const t = setup([sub('limited', { rateLimit: 5 })]);
    t.limiter.nextFree.set('limited', START + 5_000);
    const slow: DeliveryMessage = { kind: 'delivery', message: message(1), subscriptionId: 'limited', attempt: 2, dueAt: 0 };

    // Act
    await t.run([dispatch(t.deps, slow, { lane: 'slow' })]);

    // Assert
    expect(t.queue.sent).toHaveLength(0);
    expect(handedBack(t.slowQueue)).toMatchObject([{ attempt: 2, slotAt: START + 5_000 }]);
  });

  it('a retry is paced too, and a failed attempt still takes its retry from the schedule (waiting spent none)', async () => {
    // Arrange: the endpoint answers 503; its retry is due and the limiter is booked 500 ms ahead
    const t = setup([sub('limited', { rateLimit: 2 })], () => unavailable);
    t.limiter.nextFree.set('limited', START + 500);
    const retry: DeliveryMessage = { kind: 'delivery', message: message(1), subscriptionId: 'limited', attempt: 2, dueAt: START };

    // Act
    await t.run([dispatch(t.deps, retry)]);

    // Assert: waited 500 ms inline, made attempt 2 at the slot, queued attempt 3 after the schedule's 3600 s (capped at 900)
    expect(t.slept).toEqual([500]);
    expect(t.sentAt.map((s) => s.at)).toEqual([START + 500]);
    expect(t.attempts.attempts).toMatchObject([{ attemptNumber: 2, status: 'failed' }]);
    expect(handedBack(t.queue)).toMatchObject([{ attempt: 3, delaySeconds: 900 }]);
    expect(handedBack(t.queue)[0]?.slotAt).toBeUndefined();
  });

  it('an endpoint booked out past 15 minutes reserves nothing and comes back in 15 minutes', async () => {
    // Arrange
    const t = setup([sub('limited', { rateLimit: 1 })]);
    t.limiter.nextFree.set('limited', START + 901_000);

    // Act
    await t.run([dispatch(t.deps, { kind: 'event', message: message(1) })]);

    // Assert
    expect(t.sentAt).toHaveLength(0);
    expect(handedBack(t.queue)).toMatchObject([{ attempt: 1, delaySeconds: 900 }]);
    expect(handedBack(t.queue)[0]?.slotAt).toBeUndefined();
    expect(t.limiter.nextFree.get('limited')).toBe(START + 901_000);
  });

  it('an unlimited endpoint of the same tenant is sent to at once, never waiting for the limited one', async () => {
    // Arrange
    const t = setup([sub('limited', { rateLimit: 1 }), sub('free')]);

    // Act
    await t.run(Array.from({ length: 5 }, (_, i) => dispatch(t.deps, { kind: 'event', message: message(i) })));

    // Assert: the free endpoint's five went out at START, no reservation was made for it
    expect(t.sentAt.filter((s) => s.host === 'free.example.test').map((s) => s.at)).toEqual(Array(5).fill(START));
    expect(t.limiter.nextFree.has('free')).toBe(false);
    // The limited one: its first slot after the lead; the next (1 s later) is past the inline wait, so four handed back
    expect(t.sentAt.filter((s) => s.host === 'limited.example.test').map((s) => s.at)).toEqual([START + RATE_LIMIT_LEAD_MS]);
    expect(handedBack(t.queue)).toHaveLength(4);
  });
});

describe('slotAt on the queue', () => {
  const waiting: DeliveryMessage = { kind: 'delivery', message: message(1), subscriptionId: 'limited', attempt: 3, dueAt: 0, slotAt: START + 1_234.5 };

  it('a handed-back delivery keeps its slot and attempt through the queue body', () => {
    expect(parseQueueMessage(serializeQueueBody(waiting))).toEqual(waiting);
  });

  it('a redriven dead letter starts over without the slot it once held', () => {
    const body = JSON.stringify({ reason: 'subscription disabled', message: waiting, deadLetteredAt: new Date(START).toISOString() });
    const redriven = parseQueueMessage(body);
    expect(redriven).toMatchObject({ kind: 'delivery', attempt: 1, dueAt: 0 });
    expect(redriven).not.toHaveProperty('slotAt');
  });
});
