/** In-memory adapters of the ports, for unit tests and the delivery benchmark (no AWS, no network). */
import type { Attempt, Message } from '../core/platform/domain.ts';
import type {
  AttemptStore,
  DeadLetter,
  DeadLetterQueue,
  EventQueue,
  FifoQueue,
  IdempotencyRecord,
  IdempotencyStore,
  MessageStore,
  Page,
  RateLimiter,
  SendResult,
} from '../core/platform/ports.ts';
import type { DeliveryMessage, QueueMessage } from '../core/platform/queue-message.ts';

export class MemoryAttemptStore implements AttemptStore {
  readonly attempts: Attempt[] = [];

  async record(attempt: Attempt): Promise<void> {
    this.attempts.push(attempt);
  }

  async hasSucceeded(subscriptionId: string, messageId: string, sinceMs: number): Promise<boolean> {
    return this.attempts.some(
      (a) =>
        a.subscriptionId === subscriptionId &&
        a.messageId === messageId &&
        a.status === 'succeeded' &&
        Date.parse(a.timestamp) >= sinceMs,
    );
  }

  async attemptsOf(subscriptionId: string, messageId: string, sinceMs: number): Promise<{ made: number; succeeded: boolean }> {
    const made = this.attempts.filter(
      (a) => a.subscriptionId === subscriptionId && a.messageId === messageId && !a.test && Date.parse(a.timestamp) >= sinceMs,
    );
    return { made: made.length, succeeded: made.some((a) => a.status === 'succeeded') };
  }

  async list(
    subscriptionId: string,
    options: { status?: Attempt['status']; limit: number; cursor?: string },
  ): Promise<Page<Attempt>> {
    const matching = this.attempts
      .filter((a) => a.subscriptionId === subscriptionId && (!options.status || a.status === options.status))
      .filter((a) => !options.cursor || a.id < options.cursor)
      .sort((a, b) => b.id.localeCompare(a.id));
    const items = matching.slice(0, options.limit);
    return { items, nextCursor: matching.length > options.limit ? items.at(-1)?.id : undefined };
  }
}

export class MemoryEventQueue implements EventQueue {
  readonly sent: { message: QueueMessage; delaySeconds: number }[] = [];

  async enqueue(message: QueueMessage, delaySeconds = 0): Promise<void> {
    this.sent.push({ message, delaySeconds });
  }

  async enqueueBatch(messages: QueueMessage[]): Promise<SendResult[]> {
    for (const message of messages) this.sent.push({ message, delaySeconds: 0 });
    return messages.map(() => ({ ok: true }));
  }
}

/** Records what was sent (in order) and held; `refuse` picks deliveries the queue does not take. */
export class MemoryFifoQueue implements FifoQueue {
  readonly sent: DeliveryMessage[] = [];
  readonly held: { receiptHandle: string; seconds: number }[] = [];
  refuse: (delivery: DeliveryMessage) => boolean = () => false;

  async enqueueBatch(deliveries: DeliveryMessage[]): Promise<SendResult[]> {
    return deliveries.map((delivery) => {
      if (this.refuse(delivery)) return { ok: false, error: 'refused' };
      this.sent.push(delivery);
      return { ok: true };
    });
  }

  async hold(receiptHandle: string, seconds: number): Promise<void> {
    this.held.push({ receiptHandle, seconds });
  }
}

export class MemoryDeadLetterQueue implements DeadLetterQueue {
  readonly deadLetters: DeadLetter[] = [];

  async add(deadLetter: DeadLetter): Promise<void> {
    this.deadLetters.push(deadLetter);
  }

  async peek(limit: number): Promise<{ approximateCount: number; items: unknown[] }> {
    return { approximateCount: this.deadLetters.length, items: this.deadLetters.slice(0, limit) };
  }
}

export class MemoryMessageStore implements MessageStore {
  readonly messages = new Map<string, Message>();

  async keep(message: Message): Promise<void> {
    this.messages.set(`${message.tenant}/${message.id}`, message);
  }

  async get(tenant: string, id: string): Promise<Message | undefined> {
    return this.messages.get(`${tenant}/${id}`);
  }

  /** Recover claims: `<tenant>/<subscription>/<message>` → until (epoch ms). */
  readonly claims = new Map<string, number>();

  async recoveryClaims(tenant: string, subscriptionId: string, nowMs: number): Promise<Set<string>> {
    const prefix = `${tenant}/${subscriptionId}/`;
    return new Set([...this.claims].filter(([key, until]) => key.startsWith(prefix) && until > nowMs).map(([key]) => key.slice(prefix.length)));
  }

  async claimRecovery(tenant: string, subscriptionId: string, messageIds: string[], nowMs: number, untilMs: number): Promise<string[]> {
    return messageIds.filter((id) => {
      const key = `${tenant}/${subscriptionId}/${id}`;
      if ((this.claims.get(key) ?? 0) > nowMs) return false;
      this.claims.set(key, untilMs);
      return true;
    });
  }

  async releaseRecovery(tenant: string, subscriptionId: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) this.claims.delete(`${tenant}/${subscriptionId}/${id}`);
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();

  async claim(scope: string, key: string, record: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    const existing = this.records.get(`${scope}#${key}`);
    if (existing) return existing;
    this.records.set(`${scope}#${key}`, record);
    return undefined;
  }

  async complete(scope: string, key: string, record: IdempotencyRecord): Promise<void> {
    this.records.set(`${scope}#${key}`, record);
  }

  async unlock(scope: string, key: string): Promise<void> {
    const existing = this.records.get(`${scope}#${key}`);
    if (existing) this.records.set(`${scope}#${key}`, { ...existing, leaseUntil: 0 });
  }
}

/** The pacer of one process (unit tests, the benchmark): the same slots as the shared DynamoDB one. */
export class MemoryRateLimiter implements RateLimiter {
  /** Next free slot (epoch ms) per subscription. */
  readonly nextFree = new Map<string, number>();

  async reserve(subscriptionId: string, widthMs: number, nowMs: number, horizonMs: number): Promise<number | undefined> {
    const slot = Math.max(this.nextFree.get(subscriptionId) ?? nowMs, nowMs);
    if (slot > nowMs + horizonMs) return undefined;
    this.nextFree.set(subscriptionId, slot + widthMs);
    return slot;
  }
}
