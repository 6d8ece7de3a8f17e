/**
 * Recover's claims with memory ports and a fake clock (shared/core/management/deliveries.ts): a (message,
 * endpoint) queued by a recover is not queued again by another until RECOVER_CLAIM_MS has passed,
 * and what the queue did not take is released for the next recover.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue, MemoryMessageStore } from '#shared/adapters/memory.ts';
import { createDeliveryService, RECOVER_CLAIM_MS } from '#shared/core/management/deliveries.ts';
import type { Attempt, Message } from '#shared/core/platform/domain.ts';
import type { QueueMessage } from '#shared/core/platform/queue-message.ts';
import { testSubscription } from '../helpers/dispatch.ts';

const START = Date.parse('2026-12-01T10:00:00Z');
const SINCE = new Date(START - 3_600_000).toISOString();

function recoverWith(options: { refuse?: (message: QueueMessage) => boolean } = {}) {
  let now = START;
  const sub = testSubscription('sub_r', new Date(START - 7_200_000).toISOString());
  const messages = new MemoryMessageStore();
  const failed: Attempt[] = [];
  for (const n of [1, 2, 3]) {
    const message: Message = { id: `msg_${n}`, type: 'user.created', tenant: 't1', timestamp: new Date(START - 60_000).toISOString(), dataJson: '{}' };
    void messages.keep(message);
    failed.push({ id: `att_${n}`, messageId: message.id, subscriptionId: sub.id, tenant: 't1', eventType: message.type, attemptNumber: 1, status: 'failed', durationMs: 1, timestamp: message.timestamp });
  }
  const queue = new MemoryEventQueue();
  const refuse = options.refuse ?? (() => false);
  queue.enqueueBatch = async (batch) =>
    batch.map((message) => {
      if (refuse(message)) return { ok: false, error: 'refused' };
      queue.sent.push({ message, delaySeconds: 0 });
      return { ok: true };
    });
  const service = createDeliveryService({
    delivery: { clock: { now: () => now } } as never,
    subscriptions: { get: async () => sub } as never,
    directory: {} as never,
    catalogue: {} as never,
    attempts: {} as never,
    attemptHistory: { since: async () => ({ items: failed, truncated: false }) },
    messages,
    queue,
  });
  const queuedIds = () => queue.sent.map(({ message }) => (message.kind === 'delivery' ? message.message.id : message.kind));
  return {
    recover: () => service.recover('t1', sub.id, SINCE),
    queuedIds,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('recover claims', () => {
  it('queue each message once until the window has passed, then again', async () => {
    const { recover, queuedIds, advance } = recoverWith();
    const concurrent = await Promise.all([recover(), recover(), recover()]);
    expect(concurrent.flatMap((answer) => answer.messages).sort()).toEqual(['msg_1', 'msg_2', 'msg_3']);
    expect(queuedIds().sort()).toEqual(['msg_1', 'msg_2', 'msg_3']);

    advance(RECOVER_CLAIM_MS - 1);
    expect((await recover()).messages).toEqual([]);
    expect(queuedIds()).toHaveLength(3);

    advance(1);
    expect((await recover()).messages).toEqual(['msg_1', 'msg_2', 'msg_3']);
    expect(queuedIds()).toHaveLength(6);
  });

  it('release what the queue did not take, so the next recover queues only that', async () => {
    let refusing = true;
    const { recover, queuedIds } = recoverWith({ refuse: (message) => refusing && message.kind === 'delivery' && message.message.id === 'msg_2' });
    await expect(recover()).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(queuedIds().sort()).toEqual(['msg_1', 'msg_3']);

    refusing = false;
    expect((await recover()).messages).toEqual(['msg_2']);
    expect(queuedIds().sort()).toEqual(['msg_1', 'msg_2', 'msg_3']);
  });
});
