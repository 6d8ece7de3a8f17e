/** FIFO endpoints' core (shared/core/engine/fifo.ts) with memory ports: routing at publish, one delivery of a group, and a batch of groups. */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue, MemoryFifoQueue, MemoryIdempotencyStore, MemoryRateLimiter } from '#shared/adapters/memory.ts';
import { dispatch, type DispatchDeps, RATE_LIMIT_LEAD_MS } from '#shared/core/engine/dispatch.ts';
import type { EventType, Message, Subscription } from '#shared/core/platform/domain.ts';
import { createFifoRouter, deliverInOrder, type FifoOutcome, MAX_HOLD_SECONDS, runFifoBatch } from '#shared/core/engine/fifo.ts';
import { createPublisher } from '#shared/core/management/ingest.ts';
import type { HttpRequest, HttpResult, SubscriptionRoute } from '#shared/core/platform/ports.ts';
import type { DeliveryMessage } from '#shared/core/platform/queue-message.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const clock = { now: () => NOW };
const messageOf = (n: number, overrides: Partial<Message> = {}): Message => ({
  id: `msg_${n}`,
  type: 'order.paid',
  tenant: 't1',
  timestamp: new Date(NOW).toISOString(),
  dataJson: JSON.stringify({ n }),
  ...overrides,
});
const route = (id: string, overrides: Partial<SubscriptionRoute> = {}): SubscriptionRoute => ({
  id,
  tenant: 't1',
  enabled: true,
  eventTypes: ['order.*'],
  ordering: 'fifo',
  ...overrides,
});

describe('routing at publish', () => {
  const routerWith = (routes: SubscriptionRoute[]) => {
    const queue = new MemoryFifoQueue();
    let reads = 0;
    const router = createFifoRouter({
      routes: {
        listByTenant: async (tenant) => {
          reads += 1;
          return routes.filter((r) => r.tenant === tenant);
        },
      },
      queue,
      clock,
      cacheMs: 5_000,
    });
    return { router, queue, reads: () => reads };
  };

  it('sends one delivery per enabled FIFO subscription that wants the event (type and filter), in publish order', async () => {
    const { router, queue, reads } = routerWith([
      route('sub_a'),
      route('sub_plain', { ordering: undefined }),
      route('sub_off', { enabled: false }),
      route('sub_other', { eventTypes: ['user.*'] }),
      route('sub_big', { filter: { data: { n: { $gte: 2 } } } }),
    ]);

    const routed = await router.route([messageOf(1), messageOf(2), messageOf(3)]);

    expect(routed).toEqual([['sub_a'], ['sub_a', 'sub_big'], ['sub_a', 'sub_big']]);
    expect(queue.sent.map((d) => `${d.message.id}>${d.subscriptionId}`)).toEqual([
      'msg_1>sub_a',
      'msg_2>sub_a',
      'msg_2>sub_big',
      'msg_3>sub_a',
      'msg_3>sub_big',
    ]);
    expect(queue.sent.every((d) => d.kind === 'delivery' && d.attempt === 1)).toBe(true);
    expect(reads()).toBe(1); // the tenant's routes are read once and cached
  });

  it('fails the event the FIFO queue refused and every later FIFO one, never an earlier one: no later event overtakes it', async () => {
    const { router, queue } = routerWith([route('sub_a'), route('sub_only_even', { filter: { data: { n: { $in: [2, 4] } } } })]);
    queue.refuse = (delivery) => delivery.message.id === 'msg_3';
    const messages = [1, 2, 3, 4].map((n) => messageOf(n));
    messages.push(messageOf(5, { tenant: 't2' })); // no FIFO subscription: unaffected

    const routed = await router.route(messages);

    expect(routed).toEqual([['sub_a'], ['sub_a', 'sub_only_even'], undefined, undefined, []]);
  });

  it('has the publisher send FIFO deliveries before the event, which names them, and fail an item whose FIFO delivery was refused', async () => {
    const { router, queue: fifo } = routerWith([route('sub_a')]);
    const events = new MemoryEventQueue();
    const eventType: EventType = { type: 'order.paid', description: '', createdAt: '', updatedAt: '' };
    const publisher = createPublisher({
      eventType: async () => eventType,
      queue: events,
      idempotency: new MemoryIdempotencyStore(),
      clock,
      maxPayloadBytes: 1024,
      fifo: router,
    });
    fifo.refuse = (delivery) => delivery.message.dataJson === '{"n":2}';

    const results = await publisher.batch([1, 2, 3].map((n) => ({ type: 'order.paid', tenant: 't1', data: { n } })), undefined);

    expect(results.map((r) => ('error' in r ? r.error.code : 'ok'))).toEqual(['ok', 'dependency_unavailable', 'dependency_unavailable']);
    expect(events.sent.map(({ message }) => message)).toEqual([{ kind: 'event', message: expect.objectContaining({ dataJson: '{"n":1}' }), fifoRouted: ['sub_a'] }]);
    // SQS may take a later entry of the same SendMessageBatch: it is answered as failed all the same
    // (nobody else got it), and a retry may bring the FIFO endpoint a duplicate (docs/reliability.md).
    expect(fifo.sent.map((d) => d.message.dataJson)).toEqual(['{"n":1}', '{"n":3}']);

    // One publish: refused by the FIFO queue → 503, and the event is not queued for anyone else.
    const input = { type: 'order.paid', tenant: 't1', data: { n: 2 } };
    await expect(publisher.one(input, JSON.stringify(input), undefined)).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(events.sent).toHaveLength(1);
  });
});

describe('the fan-out', () => {
  it('skips exactly the subscriptions the ingest routed to the FIFO queue', async () => {
    const { deps, sent } = consumer([sub('sub_fifo', { ordering: 'fifo' }), sub('sub_plain'), sub('sub_late_fifo', { ordering: 'fifo' })], () => ok);
    await dispatch(deps, { kind: 'event', message: messageOf(1), fifoRouted: ['sub_fifo'] });
    // sub_late_fifo became FIFO after the ingest read its routes: it goes the way the ingest chose.
    expect(sent.map((r) => new URL(r.url).hostname).sort()).toEqual(['sub_late_fifo.example.test', 'sub_plain.example.test']);
  });
});

/** An endpoint of tenant t1 for `order.*`. */
const sub = (id: string, overrides: Partial<Subscription> = {}): Subscription =>
  testSubscription(id, new Date(NOW).toISOString(), { eventTypes: ['order.*'], ...overrides });

const ok: HttpResult = { kind: 'response', statusCode: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 2 };
const failed: HttpResult = { kind: 'response', statusCode: 500, headers: {}, bodyExcerpt: 'no', durationMs: 2 };

function consumer(subscriptions: Subscription[], respond: (req: HttpRequest) => HttpResult) {
  return testEngine(subscriptions, respond, clock);
}

const deliveryOf = (n: number, subscriptionId = 'sub_f'): DeliveryMessage => ({ kind: 'delivery', message: messageOf(n), subscriptionId, attempt: 1, dueAt: 0 });

describe('one delivery of a FIFO group', () => {
  it('is done once delivered, with the endpoint’s full deadline, recorded on the fifo lane', async () => {
    const { deps, sent, attempts, queue } = consumer([sub('sub_f', { ordering: 'fifo', timeoutMs: 7000 })], () => ok);
    expect(await deliverInOrder(deps, deliveryOf(1), { receiveCount: 1 })).toEqual({ kind: 'done' });
    expect(sent.map((r) => r.timeoutMs)).toEqual([7000]);
    expect(attempts.attempts.map((a) => [a.attemptNumber, a.status, a.lane])).toEqual([[1, 'succeeded', 'fifo']]);
    expect(queue.sent).toEqual([]); // nothing re-queued: the group waits in the FIFO queue itself
  });

  it('holds for the schedule’s wait after a failure, numbering attempts from the log rather than the receive count', async () => {
    const { deps, attempts, deadLetters } = consumer([sub('sub_f', { ordering: 'fifo' })], () => failed);
    expect(await deliverInOrder(deps, deliveryOf(1), { receiveCount: 1 })).toEqual({ kind: 'hold', seconds: 10 });
    // Handed back unattempted behind a held record twice: received 4 times, attempted once.
    expect(await deliverInOrder(deps, deliveryOf(1), { receiveCount: 4 })).toEqual({ kind: 'hold', seconds: 3600 });
    expect(attempts.attempts.map((a) => a.attemptNumber)).toEqual([1, 2]);
    expect(deadLetters.deadLetters).toEqual([]);
  });

  it('dead-letters once the schedule is used up, and is done so the next event goes', async () => {
    const { deps, attempts, deadLetters } = consumer([sub('sub_f', { ordering: 'fifo', retrySchedule: [1] })], () => failed);
    await deliverInOrder(deps, deliveryOf(1), { receiveCount: 1 });
    expect(await deliverInOrder(deps, deliveryOf(1), { receiveCount: 2 })).toEqual({ kind: 'done' });
    expect(attempts.attempts).toHaveLength(2);
    expect(deadLetters.deadLetters.map((d) => [d.reason, d.lastAttempt?.lane])).toEqual([[expect.stringMatching(/^failed 2 attempts/), 'fifo']]);
  });

  it('does not POST again a record delivered before a crash kept it from being acknowledged', async () => {
    const { deps, sent } = consumer([sub('sub_f', { ordering: 'fifo' })], () => ok);
    await deliverInOrder(deps, deliveryOf(1), { receiveCount: 1 });
    expect(await deliverInOrder(deps, deliveryOf(1), { receiveCount: 2 })).toEqual({ kind: 'done' });
    expect(sent).toHaveLength(1);
  });

  it('keeps to the endpoint’s rate limit: each send waits for its slot, and a slot too far off holds the group instead', async () => {
    const limiter = new MemoryRateLimiter();
    const { deps, sent } = consumer([sub('sub_f', { ordering: 'fifo', rateLimit: 4 })], () => ok);
    let now = NOW;
    const slept: number[] = [];
    const paced: DispatchDeps = { ...deps, rateLimiter: limiter, clock: { now: () => now }, sleep: async (ms) => { slept.push(ms); now += ms; } };
    for (const n of [1, 2, 3]) expect(await deliverInOrder(paced, deliveryOf(n), { receiveCount: 1 })).toEqual({ kind: 'done' });
    expect(sent).toHaveLength(3);
    // 250 ms apart at 4 per second (the first waits only the limiter's small lead).
    expect(slept.map((ms) => Math.round(ms))).toEqual([RATE_LIMIT_LEAD_MS, 250, 250]);
    // Booked ahead (another sender took the next 3 s): the group holds rather than sleeping it out.
    limiter.nextFree.set('sub_f', now + 3_000);
    expect(await deliverInOrder(paced, deliveryOf(4), { receiveCount: 1 })).toEqual({ kind: 'hold', seconds: 3 });
    expect(sent).toHaveLength(3);
  });

  it('caps a hold at what SQS allows (12 h), dead-letters for a disabled endpoint and drops a deleted one’s', async () => {
    const long = consumer([sub('sub_f', { ordering: 'fifo', retrySchedule: [86_400] })], () => failed);
    expect(await deliverInOrder(long.deps, deliveryOf(1), { receiveCount: 1 })).toEqual({ kind: 'hold', seconds: MAX_HOLD_SECONDS });
    expect(MAX_HOLD_SECONDS).toBeLessThan(12 * 3600);

    const off = consumer([sub('sub_f', { ordering: 'fifo', enabled: false, disabledReason: '410' })], () => ok);
    expect(await deliverInOrder(off.deps, deliveryOf(1), { receiveCount: 1 })).toEqual({ kind: 'done' });
    expect(off.sent).toEqual([]);
    expect(off.deadLetters.deadLetters.map((d) => d.reason)).toEqual(['subscription disabled (410)']);

    const gone = consumer([], () => ok);
    expect(await deliverInOrder(gone.deps, deliveryOf(1), { receiveCount: 1 })).toEqual({ kind: 'done' });
    expect(gone.deadLetters.deadLetters).toEqual([]);
  });
});

describe('a batch of FIFO records', () => {
  it('runs each group in order, one at a time, and stops a group at a held record while other groups go on', async () => {
    const log: string[] = [];
    let running = 0;
    const record = (group: string, n: number, outcome: FifoOutcome | 'throw') => ({
      record: `${group}${n}`,
      group,
      run: async () => {
        running += 1;
        expect(running).toBeLessThanOrEqual(2); // one per group at a time, two groups
        log.push(`${group}${n}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        if (outcome === 'throw') throw new Error('boom');
        return outcome;
      },
    });
    const done: FifoOutcome = { kind: 'done' };
    const errors: unknown[] = [];

    const result = await runFifoBatch(
      [record('a', 1, done), record('b', 1, done), record('a', 2, { kind: 'hold', seconds: 5 }), record('b', 2, 'throw'), record('a', 3, done), record('b', 3, done)],
      (error) => errors.push(error),
    );

    expect(log.filter((entry) => entry.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(log.filter((entry) => entry.startsWith('b'))).toEqual(['b1', 'b2']);
    // a2 hidden for its wait, a3 behind it visible again at once (it waits behind a2 in the group).
    expect(result.held).toEqual([
      { record: 'a2', seconds: 5 },
      { record: 'a3', seconds: 0 },
    ]);
    expect(result.failed.sort()).toEqual(['a2', 'a3', 'b2', 'b3']);
    expect(errors).toHaveLength(1);
  });
});
