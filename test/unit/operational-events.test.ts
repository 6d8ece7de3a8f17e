/** Operational events from dispatch on in-memory ports: what is published to `_operations`, and the no-loop rule. */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue } from '#shared/adapters/memory.ts';
import { dispatch } from '#shared/core/engine/dispatch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import { createOperationalEvents } from '#shared/core/platform/operational-events.ts';
import type { HttpResult, Notice } from '#shared/core/platform/ports.ts';
import type { QueueMessage } from '#shared/core/platform/queue-message.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const at = new Date(NOW).toISOString();

function setup(tenant: string, respond: () => HttpResult, overrides: Partial<Subscription> = {}) {
  const subscription = testSubscription('a', at, { id: 'sub_a', tenant, eventTypes: ['*'], ...overrides });
  const message: Message = { id: 'msg_1', type: 'user.created', tenant, timestamp: at, dataJson: '{"a":1}' };
  const queue = new MemoryEventQueue();
  const notices: Notice[] = [];
  const clock = { now: () => NOW };
  const { deps } = testEngine([subscription], respond, clock, {
    notifier: { publish: async (notice) => void notices.push(notice) },
    operations: createOperationalEvents({ queue, clock }),
    queue,
    retryScheduleSeconds: [10],
  });
  const lastRetry: QueueMessage = { kind: 'delivery', message, subscriptionId: subscription.id, attempt: 2, dueAt: NOW };
  /** The operational events queued, as {type, tenant, data}. */
  const operational = () =>
    queue.sent
      .map(({ message: queued }) => queued)
      .filter((queued) => queued.kind === 'event')
      .map(({ message: m }) => ({ type: m.type, tenant: m.tenant, data: JSON.parse(m.dataJson) }));
  return { deps, message, lastRetry, notices, operational };
}

const status = (statusCode: number): HttpResult => ({ kind: 'response', statusCode, headers: {}, bodyExcerpt: 'x', durationMs: 3 });

describe('operational events from dispatch', () => {
  it('publishes endpoint.disabled and message.exhausted to _operations on a 410, next to the SNS notice', async () => {
    const { deps, message, notices, operational } = setup('acme', () => status(410));
    await dispatch(deps, { kind: 'event', message });
    expect(notices).toHaveLength(1);
    expect(operational()).toEqual([
      {
        type: 'hookpost.endpoint.disabled',
        tenant: '_operations',
        data: { tenant: 'acme', subscriptionId: 'sub_a', url: 'https://a.example.test/hook', reason: 'endpoint answered 410 Gone', disabledAt: at },
      },
      {
        type: 'hookpost.message.exhausted',
        tenant: '_operations',
        data: expect.objectContaining({
          tenant: 'acme',
          subscriptionId: 'sub_a',
          messageId: 'msg_1',
          eventType: 'user.created',
          attempts: 1,
          lastAttempt: expect.objectContaining({ attemptNumber: 1, statusCode: 410 }),
        }),
      },
    ]);
  });

  it('publishes endpoint.recovered on the first success after a failing streak, not on an ordinary success', async () => {
    const failing = setup('acme', () => status(200), { failingSince: '2026-12-01T09:00:00.000Z' });
    await dispatch(failing.deps, { kind: 'event', message: failing.message });
    expect(failing.operational()).toEqual([
      {
        type: 'hookpost.endpoint.recovered',
        tenant: '_operations',
        data: { tenant: 'acme', subscriptionId: 'sub_a', url: 'https://a.example.test/hook', failingSince: '2026-12-01T09:00:00.000Z', recoveredAt: at },
      },
    ]);
    const healthy = setup('acme', () => status(200));
    await dispatch(healthy.deps, { kind: 'event', message: healthy.message });
    expect(healthy.operational()).toEqual([]);
  });

  it('never publishes one about a delivery to _operations itself (no loops)', async () => {
    // 410: disabled and dead-lettered; the SNS notice still goes out.
    const gone = setup('_operations', () => status(410));
    await dispatch(gone.deps, { kind: 'event', message: gone.message });
    expect(gone.notices).toHaveLength(1);
    expect(gone.operational()).toEqual([]);
    // The schedule used up.
    const exhausted = setup('_operations', () => status(500));
    await dispatch(exhausted.deps, exhausted.lastRetry);
    expect(await exhausted.deps.deadLetters.peek(10)).toMatchObject({ approximateCount: 1 });
    expect(exhausted.operational()).toEqual([]);
    // Recovered.
    const recovered = setup('_operations', () => status(200), { failingSince: '2026-12-01T09:00:00.000Z' });
    await dispatch(recovered.deps, recovered.lastRetry);
    expect(recovered.operational()).toEqual([]);
  });
});
