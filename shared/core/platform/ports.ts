/**
 * The small interfaces core logic depends on. The real adapters (DynamoDB, SQS, SNS, KMS, undici) and
 * the in-memory ones used by unit tests and benchmarks implement them; wiring.ts plugs them in.
 */
import type { ApiKeyRecord, Attempt, AttemptStatus, EventType, Message, Subscription } from './domain.ts';
import type { DeliveryMessage, QueueMessage } from './queue-message.ts';

export interface Clock {
  now(): number; // epoch milliseconds
}

/** Structured logging (Powertools on AWS, one JSON line on stderr locally). */
export interface Log {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface EventTypeStore {
  get(type: string): Promise<EventType | undefined>;
  put(eventType: EventType): Promise<void>;
  list(): Promise<EventType[]>;
  delete(type: string): Promise<boolean>;
}

export interface SubscriptionStore {
  /** All subscriptions of a tenant (enabled or not). */
  listByTenant(tenant: string): Promise<Subscription[]>;
  get(tenant: string, id: string): Promise<Subscription | undefined>;
  /**
   * Writes a subscription. With `expectedUpdatedAt`, only over that version (the one read), else
   * SubscriptionChangedError; without it, unconditionally (a new subscription).
   */
  put(subscription: Subscription, expectedUpdatedAt?: string): Promise<void>;
  /** Turns a subscription off with a reason (410 Gone, failing too long). */
  disable(tenant: string, id: string, reason: string, at: string): Promise<void>;
  /** Starts a failure run at `at` unless one is already running. */
  markFailing(tenant: string, id: string, at: string): Promise<void>;
  /** Ends a failure run, and the endpoint's time in the slow lane. */
  markHealthy(tenant: string, id: string): Promise<void>;
  /** Sends the endpoint's deliveries through the slow lane until `until` (ISO time). */
  markSlow(tenant: string, id: string, until: string): Promise<void>;
}

export interface AttemptStore {
  record(attempt: Attempt): Promise<void>;
  /** Whether (message, subscription) already has a succeeded attempt made at or after `sinceMs`. */
  hasSucceeded(subscriptionId: string, messageId: string, sinceMs: number): Promise<boolean>;
  /**
   * The (non-test) attempts of (message, subscription) made at or after `sinceMs`, and whether one
   * succeeded: the FIFO consumer's ledger, read newest first like hasSucceeded.
   */
  attemptsOf(subscriptionId: string, messageId: string, sinceMs: number): Promise<{ made: number; succeeded: boolean }>;
  /** Newest first. */
  list(
    subscriptionId: string,
    options: { status?: AttemptStatus; limit: number; cursor?: string },
  ): Promise<Page<Attempt>>;
}

/**
 * Messages kept for redelivery. The consumer keeps a message when a delivery of it first fails, so
 * the common all-succeeded path costs no extra write; kept messages expire with the attempt TTL.
 */
export interface MessageStore {
  keep(message: Message): Promise<void>;
  get(tenant: string, id: string): Promise<Message | undefined>;
  /** The ids of this tenant's messages with a recover claim for the subscription that still holds at `nowMs`. */
  recoveryClaims(tenant: string, subscriptionId: string, nowMs: number): Promise<Set<string>>;
  /**
   * Claims each (message, subscription) for a recover until `untilMs`, each on its own and only where
   * no claim holds at `nowMs` (a conditional write: of concurrent claims of one pair, one wins).
   * Returns the ids this call claimed; on a failure other than a lost race, releases them and throws.
   */
  claimRecovery(tenant: string, subscriptionId: string, messageIds: string[], nowMs: number, untilMs: number): Promise<string[]>;
  /** Drops claims (of deliveries a recover could not queue), so the next recover queues them. */
  releaseRecovery(tenant: string, subscriptionId: string, messageIds: string[]): Promise<void>;
}

/** A publish under an Idempotency-Key: claimed first, completed with the response once queued. */
export interface IdempotencyRecord {
  requestHash: string;
  /** The message this key publishes: a retry after a failure re-sends the same id (receivers dedupe by webhook-id). */
  messageId: string;
  timestamp: string;
  /** Epoch ms until which the claiming request is taken to be still at work (409 "in progress" meanwhile). */
  leaseUntil: number;
  /** The answer once the message is queued; absent while in flight or after a failure. */
  response?: { statusCode: number; body: string };
}

export interface IdempotencyStore {
  /** Claims the key; returns the record already there (and claims nothing) if the key was used. */
  claim(scope: string, key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<IdempotencyRecord | undefined>;
  complete(scope: string, key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<void>;
  /** Ends the lease at once after a failed publish, so the client's retry is not told "in progress". */
  unlock(scope: string, key: string): Promise<void>;
}

export interface SendResult {
  ok: boolean;
  error?: string;
}

/** The longest delay the events queue can hold a message for (SQS: 15 minutes); longer waits hop. */
export const MAX_QUEUE_DELAY_SECONDS = 900;
/** The most messages one enqueueBatch takes (SQS SendMessageBatch: 10) … */
export const MAX_QUEUE_BATCH_ENTRIES = 10;
/** … and the most bytes, kept well under SQS's 1 MiB request limit. */
export const MAX_QUEUE_BATCH_BYTES = 900 * 1024;
/**
 * Consecutive runs of `items` that each fit one SendMessageBatch: at most MAX_QUEUE_BATCH_ENTRIES
 * items and MAX_QUEUE_BATCH_BYTES of bodies together (SQS refuses a batch past 1 MiB). Order is kept.
 */
export function queueBatches<T>(items: T[], bytesOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    const current = batches.at(-1);
    if (current && current.length < MAX_QUEUE_BATCH_ENTRIES && bytes + size <= MAX_QUEUE_BATCH_BYTES) {
      current.push(item);
      bytes += size;
    } else {
      batches.push([item]);
      bytes = size;
    }
  }
  return batches;
}
/** SQS's largest message (the queues are created with it). */
export const MAX_QUEUE_MESSAGE_BYTES = 1_048_576;
/**
 * Room a queued event leaves for what a retry or a dead letter adds: the delivery fields, a reason and
 * the last attempt, whose response excerpt (4 KiB of UTF-8) takes at most 12 KiB escaped.
 */
export const QUEUE_ENVELOPE_BYTES = 32 * 1024;
/** DynamoDB's largest item: a kept message (data as text) must fit one. */
export const MAX_STORED_ITEM_BYTES = 400 * 1024;
/**
 * The largest `maxPayloadBytes` for which every accepted event fits both the queue and the table.
 * Escaped to ASCII for the queue a byte of data takes at most 3 (see asciiJson), so the largest event
 * takes 3 × 320 KiB = 960 KiB plus under 1 KiB of ids, type and tenant, which leaves the 32 KiB
 * envelope under SQS's 1 MiB; kept as text it takes 320 KiB plus its keys, under DynamoDB's 400 KB.
 * (Gzip would not raise this: incompressible data is as large compressed.) test/data-limits.test.ts checks the sums.
 */
export const MAX_PAYLOAD_BYTES_LIMIT = 320 * 1024;

/** The events queue (first attempts, retries, delay hops). */
export interface EventQueue {
  enqueue(message: QueueMessage, delaySeconds?: number): Promise<void>;
  /** Up to MAX_QUEUE_BATCH_ENTRIES messages; one result per input, in order. */
  enqueueBatch(messages: QueueMessage[]): Promise<SendResult[]>;
}

/**
 * The shared per-endpoint pacer behind `rateLimit` (DynamoDB on AWS, so every consumer instance sees
 * the same schedule): slots `widthMs` apart, handed out in order, one per attempt.
 */
export interface RateLimiter {
  /**
   * Reserves the endpoint's next free slot, max(next free, now), and moves the next free slot
   * `widthMs` after it, atomically. Returns the slot (epoch ms), or undefined, reserving nothing,
   * when the next free slot is more than `horizonMs` after `nowMs` (booked out: come back later).
   */
  reserve(subscriptionId: string, widthMs: number, nowMs: number, horizonMs: number): Promise<number | undefined>;
}

/**
 * The FIFO queue: deliveries to `ordering: fifo` endpoints, the subscription id as message group, so
 * each endpoint's deliveries are received one group at a time in the order they were sent.
 */
export interface FifoQueue {
  /** Up to MAX_QUEUE_BATCH_ENTRIES, kept in this order within each group; one result per input. */
  enqueueBatch(deliveries: DeliveryMessage[]): Promise<SendResult[]>;
  /** Keeps a received message hidden `seconds` more; its group waits at it meanwhile. */
  hold(receiptHandle: string, seconds: number): Promise<void>;
}

/** What ingest reads of a tenant's subscriptions to route the FIFO ones: no secrets, so no key is needed. */
export type SubscriptionRoute = Pick<Subscription, 'id' | 'tenant' | 'enabled' | 'eventTypes' | 'filter' | 'ordering'>;

export interface SubscriptionRoutes {
  listByTenant(tenant: string): Promise<SubscriptionRoute[]>;
}

/** A delivery that will not be retried any more, with what is needed to redeliver it. */
export interface DeadLetter {
  reason: string;
  message: QueueMessage;
  lastAttempt?: Attempt;
  deadLetteredAt: string;
}

export interface DeadLetterQueue {
  add(deadLetter: DeadLetter): Promise<void>;
  /** A look at up to `limit` (≤ 10) messages without consuming them, and the approximate total. */
  peek(limit: number): Promise<{ approximateCount: number; items: unknown[] }>;
  /** Moves the dead letters back to the events queue (an SQS message move task on AWS). */
  redrive?(): Promise<RedriveResult>;
}

export type RedriveResult = { mode: 'move_task'; taskHandle: string } | { mode: 'local'; moved: number };

/** An operational notice for the people running Hookpost (SNS alarm topic on AWS). */
export interface Notice {
  type: 'endpoint.disabled';
  tenant: string;
  subscriptionId: string;
  url: string;
  reason: string;
  at: string;
}

export interface Notifier {
  publish(notice: Notice): Promise<void>;
}

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type HttpResult =
  | {
      kind: 'response';
      statusCode: number;
      /** Response header names in lower case. */
      headers: Record<string, string>;
      /** First `maxExcerptBytes` of the body as UTF-8; the rest is discarded unread-into-memory. */
      bodyExcerpt: string;
      durationMs: number;
    }
  | {
      kind: 'error';
      /** timeout: deadline passed; connection: refused/reset/DNS; blocked: SSRF guard; invalid_url */
      error: 'timeout' | 'connection' | 'blocked' | 'invalid_url';
      message: string;
      durationMs: number;
    };

/**
 * How a delivery leaves Hookpost: one request to a destination, one result (an answer or an error).
 * HTTP is the only transport today (adapters/http/sender.ts); destinations beyond HTTP bring theirs.
 */
export interface Transport {
  post(request: HttpRequest): Promise<HttpResult>;
}

export interface ClosableTransport extends Transport {
  /** Lets in-flight requests finish, then closes every socket. */
  close(): Promise<void>;
}

export interface ApiKeyStore {
  create(record: ApiKeyRecord): Promise<void>;
  /** Oldest first (ids are ULIDs); `cursor` is the one the previous page returned. */
  list(options: { limit: number; cursor?: string }): Promise<Page<ApiKeyRecord>>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Returns the deleted key, or undefined if there was none. */
  delete(id: string): Promise<ApiKeyRecord | undefined>;
}

/** A secret kept outside the table (the bootstrap admin key: Secrets Manager on AWS). */
export type SecretSource = () => Promise<string>;

/** Reads of a subscription's recent attempts, oldest first, bounded (stats and recovery). */
export interface AttemptHistory {
  since(subscriptionId: string, sinceMs: number, max: number): Promise<{ items: Attempt[]; truncated: boolean }>;
}

export interface TenantRecord {
  tenant: string;
  createdAt: string;
}

/** One small item per tenant that has (or had) an endpoint, so operators list tenants without a scan. */
export interface TenantRegistry {
  /** Records the tenant (kept as first seen if already there). */
  add(tenant: string, at: string): Promise<void>;
  /** Forgets the tenant if it has no endpoint left. */
  removeIfEmpty(tenant: string): Promise<void>;
  /** Tenants in id order, with how many endpoints each has. */
  list(options: { limit: number; cursor?: string }): Promise<Page<TenantRecord & { endpoints: number }>>;
}

/** Deleting subscriptions (management only; the delivery path never deletes). */
export interface SubscriptionRemoval {
  delete(tenant: string, id: string): Promise<boolean>;
}
