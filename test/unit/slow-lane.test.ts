/**
 * The slow lane in the dispatch engine (docs/reliability.md "Slow lane"): an endpoint whose attempt
 * timed out is marked slow; while marked, the main lane hands its deliveries to the slow queue instead
 * of attempting them; the slow lane attempts them with the same retry schedule, logs `lane: "slow"`,
 * and dead-letters after the last retry; a prompt success ends the mark.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue } from '#shared/adapters/memory.ts';
import { dispatch } from '#shared/core/engine/dispatch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import { DELIVERY_METRICS, type DeliveryMetric } from '#shared/core/engine/metrics.ts';
import { createPatience, PATIENCE_FACTOR, PATIENCE_FLOOR_MS, type Patience } from '#shared/core/engine/patience.ts';
import type { HttpRequest, HttpResult } from '#shared/core/platform/ports.ts';
import type { DeliveryMessage } from '#shared/core/platform/queue-message.ts';
import { readsOf, testEngine, testSubscription } from '../helpers/dispatch.ts';

const START = Date.parse('2026-12-01T10:00:00Z');
const HOLD_MS = 300_000;
const message: Message = { id: 'msg_1', type: 'user.created', tenant: 't1', timestamp: new Date(START).toISOString(), dataJson: '{"a":1}' };

const sub = (id: string, overrides: Partial<Subscription> = {}): Subscription => testSubscription(id, message.timestamp, overrides);

const ok: HttpResult = { kind: 'response', statusCode: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 5 };
const timeout: HttpResult = { kind: 'error', error: 'timeout', message: 'no complete response within 1000 ms', durationMs: 1000 };

/** Subscriptions kept in a list that markSlow/markHealthy change, as the directory does the table. */
function setup(
  subscriptions: Subscription[],
  respond: (req: HttpRequest) => HttpResult,
  options: { slowLane?: boolean; slowLaneAfterMs?: number; patience?: Patience } = {},
) {
  let now = START;
  const counted: DeliveryMetric[] = [];
  const writes: string[] = [];
  const update = (id: string, change: (s: Subscription) => Subscription) => {
    const index = subscriptions.findIndex((s) => s.id === id);
    const current = subscriptions[index];
    if (current) subscriptions[index] = change(current);
  };
  const slowQueue = new MemoryEventQueue();
  const { deps, sent, queue, attempts, deadLetters, messages } = testEngine(subscriptions, respond, { now: () => now }, {
    subscriptions: {
      ...readsOf(subscriptions),
      disable: async () => {},
      markFailing: async (_t, id, at) => update(id, (s) => ({ ...s, failingSince: s.failingSince ?? at })),
      markHealthy: async (_t, id) => {
        writes.push(`healthy ${id}`);
        update(id, ({ failingSince: _f, slowUntil: _s, ...s }) => s);
      },
      markSlow: async (_t, id, until) => {
        writes.push(`slow ${id}`);
        update(id, (s) => ({ ...s, slowUntil: until }));
      },
    },
    throttledMinimumSeconds: 0,
    count: (metric) => void counted.push(metric),
    ...(options.slowLane !== false && { slowQueue, slowLaneAfterMs: options.slowLaneAfterMs ?? 500, slowLaneHoldMs: HOLD_MS }),
    patience: options.patience,
  });
  return {
    deps,
    sent,
    counted,
    writes,
    queue,
    slowQueue,
    attempts,
    deadLetters,
    messages,
    subscriptions,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const host = (req: HttpRequest) => new URL(req.url).hostname.split('.')[0];
const delivery = (subscriptionId: string, attempt: number, dueAt = 0): DeliveryMessage => ({
  kind: 'delivery',
  message,
  subscriptionId,
  attempt,
  dueAt,
});

describe('slow lane', () => {
  it('on the main lane, an endpoint silent for slowLaneAfterMs is marked slow and the same attempt handed to the slow lane', async () => {
    // Arrange: slowLaneAfterMs 500 < the 1000 ms deadline
    const t = setup([sub('hangs'), sub('fine')], (req) =>
      host(req) === 'hangs' ? { ...timeout, message: `no complete response within ${req.timeoutMs} ms`, durationMs: req.timeoutMs } : ok,
    );

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.sent.map((req) => [host(req), req.timeoutMs])).toEqual(
      expect.arrayContaining([
        ['hangs', 500],
        ['fine', 500],
      ]),
    );
    expect(t.subscriptions.find((s) => s.id === 'hangs')?.slowUntil).toBe(new Date(START + HOLD_MS).toISOString());
    // Attempt 1 again, due now: the schedule is not spent on the short main-lane wait.
    expect(t.slowQueue.sent).toEqual([{ message: delivery('hangs', 1), delaySeconds: 0 }]);
    expect(t.queue.sent).toEqual([]);
    const logged = t.attempts.attempts.find((a) => a.subscriptionId === 'hangs');
    expect(logged).toMatchObject({ attemptNumber: 1, status: 'failed' });
    expect(logged?.error).toMatch(/within 500 ms; handed to the slow lane, which retries this attempt at once with the full 1000 ms$/);
    expect(logged).not.toHaveProperty('lane');
    expect(t.counted.filter((m) => m === DELIVERY_METRICS.deferredToSlowLane)).toHaveLength(1);
    expect(t.counted).not.toContain(DELIVERY_METRICS.failed);
    expect(await t.messages.get('t1', 'msg_1')).toEqual(message); // kept, as on any first failure
  });

  it('with slowLaneAfterMs at the deadline, a timeout spends the attempt and its retry waits on the slow lane, on the schedule', async () => {
    // Arrange
    const t = setup([sub('hangs'), sub('fine')], (req) => (host(req) === 'hangs' ? timeout : ok), { slowLaneAfterMs: 1000 });

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.subscriptions.find((s) => s.id === 'hangs')?.slowUntil).toBe(new Date(START + HOLD_MS).toISOString());
    expect(t.subscriptions.find((s) => s.id === 'fine')?.slowUntil).toBeUndefined();
    expect(t.slowQueue.sent).toEqual([{ message: delivery('hangs', 2, START + 10_000), delaySeconds: 10 }]);
    expect(t.queue.sent).toEqual([]);
    // Made on the main lane: no lane field.
    expect(t.attempts.attempts.find((a) => a.subscriptionId === 'hangs')).not.toHaveProperty('lane');
  });

  it('while marked, the main lane hands new events to the slow lane without an HTTP attempt and counts it', async () => {
    // Arrange
    const until = new Date(START + 60_000).toISOString();
    const t = setup([sub('hangs', { slowUntil: until }), sub('fine')], () => ok);

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.sent.map(host)).toEqual(['fine']);
    expect(t.slowQueue.sent).toEqual([{ message: delivery('hangs', 1), delaySeconds: 0 }]);
    expect(t.counted).toContain(DELIVERY_METRICS.deferredToSlowLane);
    expect(t.attempts.attempts.map((a) => a.subscriptionId)).toEqual(['fine']);
  });

  it('a due retry found on the main lane for a marked endpoint moves to the slow lane unchanged', async () => {
    // Arrange
    const t = setup([sub('hangs', { slowUntil: new Date(START + 60_000).toISOString() })], () => ok);
    const retry = delivery('hangs', 3, START);

    // Act
    await dispatch(t.deps, retry);

    // Assert
    expect(t.sent).toEqual([]);
    expect(t.slowQueue.sent).toEqual([{ message: retry, delaySeconds: 0 }]);
  });

  it('the slow lane attempts, logs lane "slow", retries there, and dead-letters after the last retry', async () => {
    // Arrange
    const t = setup([sub('hangs', { slowUntil: new Date(START + 60_000).toISOString() })], () => timeout);

    // Act: the first attempt and the two retries of the schedule [10, 3600], all on the slow lane
    await dispatch(t.deps, delivery('hangs', 1), { lane: 'slow' });
    t.advance(10_000);
    await dispatch(t.deps, delivery('hangs', 2, START + 10_000), { lane: 'slow' });
    t.advance(3_600_000);
    await dispatch(t.deps, delivery('hangs', 3, START + 3_610_000), { lane: 'slow' });

    // Assert
    expect(t.attempts.attempts.map((a) => [a.attemptNumber, a.status, a.lane])).toEqual([
      [1, 'failed', 'slow'],
      [2, 'failed', 'slow'],
      [3, 'failed', 'slow'],
    ]);
    expect(t.slowQueue.sent.map((s) => [s.message.kind === 'delivery' && s.message.attempt, s.delaySeconds])).toEqual([
      [2, 10],
      [3, 900], // 3600 s: SQS delays stop at 15 min, the rest hops
    ]);
    expect(t.queue.sent).toEqual([]);
    expect(t.deadLetters.deadLetters).toHaveLength(1);
    expect(t.deadLetters.deadLetters[0]?.reason).toMatch(/^failed 3 attempts; last: no complete response/);
    expect(t.deadLetters.deadLetters[0]?.lastAttempt).toMatchObject({ lane: 'slow', attemptNumber: 3 });
  });

  it('a not-yet-due retry hops on the lane it is on', async () => {
    // Arrange
    const t = setup([sub('hangs', { slowUntil: new Date(START + 60_000).toISOString() })], () => ok);
    const later = delivery('hangs', 2, START + 3600_000);

    // Act
    await dispatch(t.deps, later, { lane: 'slow' });

    // Assert
    expect(t.slowQueue.sent).toEqual([{ message: later, delaySeconds: 900 }]);
    expect(t.queue.sent).toEqual([]);
  });

  it('a prompt success on the slow lane ends the mark, so the next event is delivered inline again', async () => {
    // Arrange
    const t = setup([sub('back', { slowUntil: new Date(START + 60_000).toISOString(), failingSince: message.timestamp })], () => ok);

    // Act
    await dispatch(t.deps, delivery('back', 2), { lane: 'slow' });
    await dispatch(t.deps, { kind: 'event', message: { ...message, id: 'msg_2' } });

    // Assert
    expect(t.subscriptions[0]?.slowUntil).toBeUndefined();
    expect(t.subscriptions[0]?.failingSince).toBeUndefined();
    expect(t.sent.map(host)).toEqual(['back', 'back']);
    expect(t.slowQueue.sent).toEqual([]);
  });

  it('a slow success keeps the endpoint on the slow lane but ends its failure run', async () => {
    // Arrange: answers 200 after 800 ms, slower than slowLaneAfterMs (500)
    const t = setup([sub('sluggish', { failingSince: message.timestamp })], () => ({ ...ok, durationMs: 800 }));

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.subscriptions[0]?.failingSince).toBeUndefined();
    expect(t.subscriptions[0]?.slowUntil).toBe(new Date(START + HOLD_MS).toISOString());
    expect(t.attempts.attempts[0]?.status).toBe('succeeded');
  });

  it('an expired mark sends deliveries inline again', async () => {
    // Arrange
    const t = setup([sub('was', { slowUntil: new Date(START - 1).toISOString() })], () => ok);

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.sent.map(host)).toEqual(['was']);
    expect(t.slowQueue.sent).toEqual([]);
  });

  it('re-marks a hanging endpoint at most once per half hold, not on every attempt', async () => {
    // Arrange
    const t = setup([sub('hangs')], () => timeout);

    // Act: three timeouts on the slow lane within the first half of the hold
    for (let i = 1; i <= 3; i++) {
      await dispatch(t.deps, delivery('hangs', 1), { lane: 'slow' });
      t.advance(10_000);
    }
    t.advance(HOLD_MS / 2);
    await dispatch(t.deps, delivery('hangs', 1), { lane: 'slow' });

    // Assert
    expect(t.writes).toEqual(['slow hangs', 'slow hangs']);
  });

  it('without a slow queue every delivery stays inline, as before', async () => {
    // Arrange
    const t = setup([sub('hangs', { slowUntil: new Date(START + 60_000).toISOString() })], () => timeout, { slowLane: false });

    // Act
    await dispatch(t.deps, { kind: 'event', message });

    // Assert
    expect(t.sent.map(host)).toEqual(['hangs']);
    expect(t.queue.sent).toEqual([{ message: delivery('hangs', 2, START + 10_000), delaySeconds: 10 }]);
    expect(t.slowQueue.sent).toEqual([]);
  });
});

describe('patience: the main lane waits less for an endpoint that has been prompt', () => {
  it('remembers the slowest recent answer: no history → the ceiling; prompt answers → the floor; slower ones → 8× them, capped', () => {
    // Arrange
    const patience = createPatience();

    // Act
    const unknown = patience.cutOffMs('a', 5_000);
    patience.answered('a', 3);
    const prompt = patience.cutOffMs('a', 5_000);
    patience.answered('b', 100);
    const hundred = patience.cutOffMs('b', 5_000);
    patience.answered('c', 2_000);
    const slow = patience.cutOffMs('c', 5_000);

    // Assert
    expect(unknown).toBe(5_000);
    expect(prompt).toBe(PATIENCE_FLOOR_MS);
    expect(hundred).toBe(100 * PATIENCE_FACTOR);
    expect(slow).toBe(5_000);
  });

  it('one slow answer lengthens the patience at once, and fades after a run of prompt ones', () => {
    // Arrange
    const patience = createPatience();
    for (let i = 0; i < 5; i++) patience.answered('a', 5);

    // Act
    patience.answered('a', 400);
    const afterSlow = patience.cutOffMs('a', 5_000);
    for (let i = 0; i < 60; i++) patience.answered('a', 5);
    const afterPrompt = patience.cutOffMs('a', 5_000);

    // Assert
    expect(afterSlow).toBe(400 * PATIENCE_FACTOR);
    expect(afterPrompt).toBe(PATIENCE_FLOOR_MS);
  });

  it('an endpoint that answered in milliseconds and starts to hang is cut at the floor and handed to the slow lane; unknown and slow endpoints keep slowLaneAfterMs', async () => {
    // Arrange: slowLaneAfterMs 500 < the 1000 ms deadline; "turns" answers its first message, then hangs
    let turnsHangs = false;
    const hang = (req: HttpRequest): HttpResult => ({ ...timeout, message: `no complete response within ${req.timeoutMs} ms`, durationMs: req.timeoutMs });
    const t = setup(
      [sub('turns'), sub('unknown'), sub('sluggish')],
      (req) => {
        const name = host(req);
        if (name === 'turns') return turnsHangs ? hang(req) : ok;
        if (name === 'sluggish') return { ...ok, durationMs: 200 };
        return hang(req);
      },
      { patience: createPatience() },
    );
    await dispatch(t.deps, { kind: 'event', message });
    const firstTimeouts = t.sent.map((req) => [host(req), req.timeoutMs]);
    t.sent.length = 0;
    t.slowQueue.sent.length = 0;
    for (const s of t.subscriptions) delete s.slowUntil;
    turnsHangs = true;

    // Act
    await dispatch(t.deps, { kind: 'event', message: { ...message, id: 'msg_2' } });

    // Assert: first round, nobody has a history: each gets slowLaneAfterMs
    expect(firstTimeouts).toEqual(
      expect.arrayContaining([
        ['turns', 500],
        ['unknown', 500],
        ['sluggish', 500],
      ]),
    );
    // second round: "turns" answered in 5 ms, so it gets the floor; "sluggish" (200 ms) gets 8× that, capped at 500
    expect(t.sent.map((req) => [host(req), req.timeoutMs])).toEqual(
      expect.arrayContaining([
        ['turns', PATIENCE_FLOOR_MS],
        ['unknown', 500],
        ['sluggish', 500],
      ]),
    );
    // the cut-short attempt is handed over, not spent: attempt 1 again, at once, and the endpoint is marked slow
    expect(t.slowQueue.sent).toEqual(
      expect.arrayContaining([{ message: { ...delivery('turns', 1), message: { ...message, id: 'msg_2' } }, delaySeconds: 0 }]),
    );
    expect(t.subscriptions.find((s) => s.id === 'turns')?.slowUntil).toBe(new Date(START + HOLD_MS).toISOString());
    const cut = t.attempts.attempts.find((a) => a.subscriptionId === 'turns' && a.messageId === 'msg_2');
    expect(cut?.error).toMatch(new RegExp(`within ${PATIENCE_FLOOR_MS} ms; handed to the slow lane, which retries this attempt at once with the full 1000 ms$`));
  });

  it('the slow lane ignores patience: it waits the whole deadline', async () => {
    // Arrange
    const patience = createPatience();
    patience.answered('turns', 5);
    const t = setup([sub('turns')], () => ok, { patience });

    // Act
    await dispatch(t.deps, delivery('turns', 1), { lane: 'slow' });

    // Assert
    expect(t.sent.map((req) => req.timeoutMs)).toEqual([1000]);
  });
});
