/** Publishing under an Idempotency-Key when something fails midway: never an error for a queued message, never a key locked for a day. */
import { describe, expect, it } from 'vitest';
import { MemoryEventQueue, MemoryIdempotencyStore } from '#shared/adapters/memory.ts';
import { createPublisher, IDEMPOTENCY_LEASE_MS } from '#shared/core/management/ingest.ts';
import type { EventType } from '#shared/core/platform/domain.ts';

const PUBLISHER = { keyId: 'key_p', scope: 'publish' as const };
const eventType: EventType = { type: 'user.created', description: '', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };

function setup() {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const queue = new MemoryEventQueue();
  const idempotency = new MemoryIdempotencyStore();
  const publisher = createPublisher({
    eventType: async (type) => (type === eventType.type ? eventType : undefined),
    queue,
    idempotency,
    clock: { now: () => now },
    maxPayloadBytes: 1024,
  });
  const input = { type: 'user.created', data: { id: 'u_1' } };
  const publish = () => publisher.one(input, JSON.stringify(input), PUBLISHER, 'order-42');
  /** The same Idempotency-Key with another body (other data, or the same data spelled otherwise). */
  const publishBody = (other: { type: string; data: unknown }, rawBody = JSON.stringify(other)) => publisher.one(other, rawBody, PUBLISHER, 'order-42');
  return { queue, idempotency, publish, publishBody, advance: (ms: number) => (now += ms) };
}

const queuedIds = (queue: MemoryEventQueue) => queue.sent.map(({ message }) => message.message.id);

describe('idempotent publish', () => {
  it('answers 202 when the message was queued but its answer could not be recorded, and a retry re-sends the same id', async () => {
    const { queue, idempotency, publish } = setup();
    idempotency.complete = async () => {
      throw new Error('table unavailable');
    };

    const first = await publish();
    const retry = await publish();

    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    const id = (first.body as { id: string }).id;
    expect((retry.body as { id: string }).id).toBe(id);
    expect(queuedIds(queue)).toEqual([id, id]);
  });

  it('says "in progress" (409) only while the first request holds its lease, then publishes the same id', async () => {
    const { queue, idempotency, publish, advance } = setup();
    const { enqueue } = queue;
    // The first request dies after claiming: the queue call never returns.
    queue.enqueue = () => new Promise(() => {});
    void publish();
    await new Promise((resolve) => setImmediate(resolve));
    queue.enqueue = enqueue;
    const claimed = [...idempotency.records.values()][0]!;

    await expect(publish()).rejects.toMatchObject({ code: 'conflict' });
    advance(IDEMPOTENCY_LEASE_MS + 1);
    const retry = await publish();

    expect(retry.statusCode).toBe(202);
    expect((retry.body as { id: string }).id).toBe(claimed.messageId);
    expect(queuedIds(queue)).toEqual([claimed.messageId]);
  });

  it('refuses the same key with another body (409), once answered, while in progress and after the lease, and queues nothing for it', async () => {
    const { queue, idempotency, publish, publishBody, advance } = setup();
    const other = { type: 'user.created', data: { id: 'u_2' } };
    const conflict = { code: 'conflict', message: expect.stringMatching(/different body/) };

    // Answered: another body is not a replay of the first answer.
    const first = await publish();
    await expect(publishBody(other)).rejects.toMatchObject(conflict);
    // The same data spelled otherwise is another body too: the key binds the bytes sent.
    await expect(publishBody({ type: 'user.created', data: { id: 'u_1' } }, '{ "type": "user.created", "data": { "id": "u_1" } }')).rejects.toMatchObject(conflict);
    expect(queuedIds(queue)).toEqual([(first.body as { id: string }).id]);
    expect(await publish()).toMatchObject({ statusCode: 202, replayed: true, body: first.body });

    // In progress, and after a first request died holding the lease: still the other body's conflict, never a publish.
    idempotency.records.clear();
    const { enqueue } = queue;
    queue.enqueue = () => new Promise(() => {});
    void publish();
    await new Promise((resolve) => setImmediate(resolve));
    queue.enqueue = enqueue;
    await expect(publishBody(other)).rejects.toMatchObject(conflict);
    advance(IDEMPOTENCY_LEASE_MS + 1);
    await expect(publishBody(other)).rejects.toMatchObject(conflict);
    expect(queuedIds(queue)).toHaveLength(1);
  });

  it('replays the recorded answer once it is recorded', async () => {
    const { queue, publish } = setup();
    const first = await publish();
    const again = await publish();
    expect(again).toMatchObject({ statusCode: 202, replayed: true, body: first.body });
    expect(queue.sent).toHaveLength(1);
  });
});
