import { describe, expect, it } from 'vitest';
import { dispatch } from '#shared/core/engine/dispatch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import type { HttpRequest, HttpResult, Notice } from '#shared/core/platform/ports.ts';
import type { DeliveryMessage } from '#shared/core/platform/queue-message.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');

const message: Message = { id: 'msg_1', type: 'user.created', tenant: 't1', timestamp: new Date(NOW).toISOString(), dataJson: '{"a":1}' };

const sub = (id: string, overrides: Partial<Subscription> = {}): Subscription => testSubscription(id, message.timestamp, overrides);

/** Arrange helper: subscriptions, and a scripted response per host. */
function setup(subscriptions: Subscription[], respond: (req: HttpRequest) => HttpResult, stored: Subscription[] = subscriptions) {
  const disabled: string[] = [];
  const failing: [string, string][] = [];
  const healthy: string[] = [];
  const notices: Notice[] = [];
  const engine = testEngine(subscriptions, respond, { now: () => NOW }, {
    subscriptions: {
      // `subscriptions` is the cached view; `stored` what an uncached read finds.
      forTenant: async (tenant) => subscriptions.filter((s) => s.tenant === tenant),
      get: async (tenant, id) => stored.find((s) => s.tenant === tenant && s.id === id),
      disable: async (_tenant, id) => void disabled.push(id),
      markFailing: async (_tenant, id, at) => void failing.push([id, at]),
      markHealthy: async (_tenant, id) => void healthy.push(id),
    },
    notifier: { publish: async (notice) => void notices.push(notice) },
  });
  return { ...engine, disabled, failing, healthy, notices };
}

const status = (statusCode: number, headers: Record<string, string> = {}): HttpResult => ({
  kind: 'response',
  statusCode,
  headers,
  bodyExcerpt: 'ok',
  durationMs: 3,
});

const retryOf = (subscriptionId: string, attempt: number, dueAt = NOW): DeliveryMessage => ({
  kind: 'delivery',
  message,
  subscriptionId,
  attempt,
  dueAt,
});

describe('dispatch', () => {
  it('sends one POST to each enabled, matching subscription of the tenant', async () => {
    const { deps, sent, attempts, queue } = setup(
      [sub('a'), sub('b', { eventTypes: ['*'] }), sub('c', { eventTypes: ['order.*'] }), sub('d', { enabled: false }), sub('e', { tenant: 't2' })],
      () => status(200),
    );
    await dispatch(deps, { kind: 'event', message });
    expect(sent.map((r) => new URL(r.url).hostname).sort()).toEqual(['a.example.test', 'b.example.test']);
    expect(attempts.attempts.map((a) => [a.subscriptionId, a.status, a.attemptNumber])).toEqual(
      expect.arrayContaining([['a', 'succeeded', 1], ['b', 'succeeded', 1]]),
    );
    expect(queue.sent).toEqual([]);
  });

  it('keeps no copy of a message that every endpoint accepted', async () => {
    const { deps, messages } = setup([sub('a')], () => status(200));
    await dispatch(deps, { kind: 'event', message });
    expect(messages.messages.size).toBe(0);
  });

  it('re-queues only the subscription that failed, with its next attempt number and delay', async () => {
    const { deps, queue, deadLetters, messages } = setup([sub('ok'), sub('bad')], (req) =>
      req.url.includes('bad') ? status(500) : status(204),
    );
    await dispatch(deps, { kind: 'event', message });
    expect(queue.sent).toEqual([{ message: retryOf('bad', 2, NOW + 10_000), delaySeconds: 10 }]);
    expect(deadLetters.deadLetters).toEqual([]);
    // The failed message is kept for redelivery.
    expect(await messages.get('t1', 'msg_1')).toEqual(message);
  });

  it('hops through the queue while a retry is not yet due (SQS delays stop at 15 minutes)', async () => {
    const { deps, sent, queue } = setup([sub('a')], () => status(200));
    const later = retryOf('a', 3, NOW + 3600_000);
    await dispatch(deps, later);
    expect(sent).toEqual([]);
    expect(queue.sent).toEqual([{ message: later, delaySeconds: 900 }]);
  });

  it('dead-letters with its context once the schedule is exhausted', async () => {
    const { deps, queue, deadLetters } = setup([sub('a')], () => status(503));
    await dispatch(deps, retryOf('a', 3));
    expect(queue.sent).toEqual([]);
    expect(deadLetters.deadLetters).toHaveLength(1);
    const [dead] = deadLetters.deadLetters;
    expect(dead?.reason).toMatch(/failed 3 attempts; last: endpoint answered 503/);
    expect(dead?.message).toMatchObject({ subscriptionId: 'a', message: { id: 'msg_1' } });
    expect(dead?.lastAttempt).toMatchObject({ statusCode: 503, attemptNumber: 3, status: 'failed' });
  });

  it('disables the subscription on 410 Gone and dead-letters instead of retrying', async () => {
    const { deps, queue, deadLetters, disabled } = setup([sub('gone')], () => status(410));
    await dispatch(deps, { kind: 'event', message });
    expect(disabled).toEqual(['gone']);
    expect(queue.sent).toEqual([]);
    expect(deadLetters.deadLetters[0]?.reason).toMatch(/410/);
  });

  it('does not retry a blocked destination', async () => {
    const { deps, queue, deadLetters } = setup([sub('a')], () => ({
      kind: 'error',
      error: 'blocked',
      message: 'destination 10.0.0.1 is private',
      durationMs: 1,
    }));
    await dispatch(deps, { kind: 'event', message });
    expect(queue.sent).toEqual([]);
    expect(deadLetters.deadLetters[0]?.reason).toMatch(/private/);
  });

  it('treats a redirect as a failure, retried on the schedule', async () => {
    const { deps, queue } = setup([sub('a')], () => status(301, { location: 'https://elsewhere.test/' }));
    await dispatch(deps, { kind: 'event', message });
    expect(queue.sent[0]?.delaySeconds).toBe(10);
  });

  // Scheduled wait 10 s; with random() = 0 the jitter alone would give 8 s, so each case below is
  // told apart from "Retry-After ignored" (8) and from the other bound.
  it.each([
    ['below the scheduled wait: raised to it', '3', 10],
    ['inside [scheduled, 2 × scheduled]: honoured', '15', 15],
    ['above 2 × scheduled: capped', '100', 20],
    ['as an HTTP date 15 s ahead: honoured', new Date(NOW + 15_000).toUTCString(), 15],
  ])('honours a 503 Retry-After %s', async (_name, retryAfter, expected) => {
    const { deps, queue } = setup([sub('a')], () => status(503, { 'retry-after': retryAfter }));
    deps.random = () => 0;
    await dispatch(deps, { kind: 'event', message });
    expect(queue.sent).toEqual([{ message: retryOf('a', 2, NOW + expected * 1000), delaySeconds: expected }]);
  });

  it('without Retry-After, a 503 waits the jittered schedule', async () => {
    const { deps, queue } = setup([sub('a')], () => status(503));
    deps.random = () => 0;
    await dispatch(deps, { kind: 'event', message });
    expect(queue.sent[0]?.delaySeconds).toBe(8);
  });

  it('waits at least 60 s after a 429 or a timeout, whatever the schedule or Retry-After says', async () => {
    const throttled = setup([sub('a')], () => status(429, { 'retry-after': '15' }));
    await dispatch(throttled.deps, { kind: 'event', message });
    expect(throttled.queue.sent[0]?.delaySeconds).toBe(60);

    const timedOut = setup([sub('a')], () => ({ kind: 'error', error: 'timeout', message: 'no complete response within 1000 ms', durationMs: 1000 }));
    timedOut.deps.random = () => 0;
    await dispatch(timedOut.deps, { kind: 'event', message });
    expect(timedOut.queue.sent).toEqual([{ message: retryOf('a', 2, NOW + 60_000), delaySeconds: 60 }]);

    // A connection error is not throttling: it keeps the schedule.
    const refused = setup([sub('a')], () => ({ kind: 'error', error: 'connection', message: 'ECONNREFUSED', durationMs: 1 }));
    await dispatch(refused.deps, { kind: 'event', message });
    expect(refused.queue.sent[0]?.delaySeconds).toBe(10);
  });

  it('dead-letters a retry for a subscription that was disabled meanwhile', async () => {
    const { deps, sent, deadLetters } = setup([sub('a', { enabled: false, disabledReason: 'endpoint answered 410 Gone' })], () => status(200));
    await dispatch(deps, retryOf('a', 2));
    expect(sent).toEqual([]);
    expect(deadLetters.deadLetters[0]?.reason).toMatch(/disabled/);
  });

  it('reads a subscription afresh before dropping a retry that the cached list does not know yet', async () => {
    const created = sub('new');
    const { deps, sent, deadLetters } = setup([], () => status(200), [created]);
    await dispatch(deps, retryOf('new', 2));
    expect(sent.map((r) => new URL(r.url).hostname)).toEqual(['new.example.test']);
    expect(deadLetters.deadLetters).toEqual([]);
  });

  it('reads a subscription afresh before dead-lettering on a cached "disabled"', async () => {
    const cached = sub('a', { enabled: false, disabledReason: 'endpoint answered 410 Gone' });
    const { deps, sent, deadLetters } = setup([cached], () => status(200), [sub('a')]);
    await dispatch(deps, retryOf('a', 2));
    expect(sent).toHaveLength(1);
    expect(deadLetters.deadLetters).toEqual([]);
  });

  it('fails the record when an outcome cannot be recorded, so the queue brings it back', async () => {
    const { deps } = setup([sub('a'), sub('b')], () => status(200));
    let calls = 0;
    deps.attempts.record = async () => {
      calls += 1;
      if (calls === 1) throw new Error('DynamoDB unavailable');
    };
    await expect(dispatch(deps, { kind: 'event', message })).rejects.toThrow(/DynamoDB unavailable/);
    expect(calls).toBe(2);
  });

  it('starts a failure run on the first failure and ends it on the next success', async () => {
    const failingNow = setup([sub('a')], () => status(500));
    await dispatch(failingNow.deps, { kind: 'event', message });
    expect(failingNow.failing).toEqual([['a', new Date(NOW).toISOString()]]);

    const recovered = setup([sub('a', { failingSince: new Date(NOW - 3_600_000).toISOString() })], () => status(200));
    await dispatch(recovered.deps, { kind: 'event', message });
    expect(recovered.healthy).toEqual(['a']);
    expect(recovered.failing).toEqual([]);
  });

  it('disables a subscription failing for 5 days, tells the alarm topic, and dead-letters the delivery', async () => {
    const fiveDaysAgo = new Date(NOW - 5 * 86_400_000).toISOString();
    const { deps, disabled, notices, queue, deadLetters } = setup([sub('a', { failingSince: fiveDaysAgo })], () => status(502));
    await dispatch(deps, retryOf('a', 2));
    expect(disabled).toEqual(['a']);
    expect(notices).toEqual([
      expect.objectContaining({ type: 'endpoint.disabled', tenant: 't1', subscriptionId: 'a', reason: expect.stringMatching(/no successful delivery for 5 days/) }),
    ]);
    expect(queue.sent).toEqual([]);
    expect(deadLetters.deadLetters[0]?.reason).toMatch(/subscription disabled/);
  });

  it('keeps retrying a subscription failing for less than 5 days', async () => {
    const fourDaysAgo = new Date(NOW - 4 * 86_400_000).toISOString();
    const { deps, disabled, queue } = setup([sub('a', { failingSince: fourDaysAgo })], () => status(502));
    await dispatch(deps, retryOf('a', 2));
    expect(disabled).toEqual([]);
    expect(queue.sent).toHaveLength(1);
  });

  it.each([
    ['the default 5 days', 5 * 86_400_000, '5 days'],
    ['a configured 2 hours', 2 * 3_600_000, '2 hours'],
  ])('pins the disable boundary at disableAfterFailingMs (%s): 1 ms short still retries, at it the endpoint is disabled', async (_name, limitMs, said) => {
    const failingFor = (ms: number) => {
      const engine = setup([sub('a', { failingSince: new Date(NOW - ms).toISOString() })], () => status(502));
      engine.deps.disableAfterFailingMs = limitMs;
      return engine;
    };

    const before = failingFor(limitMs - 1);
    await dispatch(before.deps, retryOf('a', 2));
    expect(before.disabled).toEqual([]);
    expect(before.notices).toEqual([]);
    expect(before.queue.sent).toHaveLength(1);
    expect(before.deadLetters.deadLetters).toEqual([]);

    const at = failingFor(limitMs);
    await dispatch(at.deps, retryOf('a', 2));
    expect(at.disabled).toEqual(['a']);
    expect(at.notices.map((n) => n.type)).toEqual(['endpoint.disabled']);
    // The reason says how long in a unit that fits the setting (it once said "0 days" for 2 hours).
    expect(at.notices[0]).toMatchObject({ reason: expect.stringMatching(new RegExp(`^no successful delivery for ${said}; last: `)) });
    expect(at.queue.sent).toEqual([]);
    expect(at.deadLetters.deadLetters[0]?.reason).toMatch(/subscription disabled/);
  });

  it('on a redelivered record, skips endpoints that already accepted the message', async () => {
    const { deps, sent, attempts } = setup([sub('a'), sub('b')], () => status(200));
    await dispatch(deps, { kind: 'event', message });
    expect(sent).toHaveLength(2);
    // Only b's success made it into the log before the crash.
    attempts.attempts.splice(attempts.attempts.findIndex((a) => a.subscriptionId === 'a'), 1);
    await dispatch(deps, { kind: 'event', message }, { redelivered: true });
    expect(sent.map((r) => new URL(r.url).hostname)).toEqual(['a.example.test', 'b.example.test', 'a.example.test']);
  });

  it('notifies when a 410 disables the subscription', async () => {
    const { deps, notices } = setup([sub('gone')], () => status(410));
    await dispatch(deps, { kind: 'event', message });
    expect(notices[0]).toMatchObject({ type: 'endpoint.disabled', subscriptionId: 'gone', url: 'https://gone.example.test/hook' });
  });
});
