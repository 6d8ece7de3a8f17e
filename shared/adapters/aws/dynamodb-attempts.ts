/**
 * The attempt log on DynamoDB: partition `ATTEMPTS#<subscription>`, sort key the attempt id (a ULID,
 * so by time). DynamoDB bills a write per started KB and per item, and a successful attempt is a few
 * hundred bytes, so successes are group-committed: while one write for a subscription is in flight,
 * the successes that finish meanwhile wait and go together as one *pack* item (sort key: its newest
 * attempt's id; `pack`: their JSON). A batch of ten deliveries to one endpoint then costs about three
 * write units instead of ten. `record` still resolves only once its attempt is stored, so the
 * consumer acknowledges nothing before its attempt is durable. Failed attempts, which carry an
 * excerpt and an error and are rarer, are written one item each.
 *
 * Readers expand packs back into attempts: a page of the log, the redelivery ledger, stats and recovery.
 * Within one pack's few milliseconds, an attempt written apart may list a place out of time order.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attempt } from '../../core/platform/domain.ts';
import { HookpostError } from '../../core/platform/errors.ts';
import { attemptIdFloor } from '../../core/platform/ids.ts';
import type { AttemptStore, Page } from '../../core/platform/ports.ts';
import { type Key, queryPages } from './dynamodb-pages.ts';

/** The most items one page of the attempt log reads (a filtered page may be short; its cursor goes on). */
export const ATTEMPT_PAGE_MAX_READ = 1_000;

/** How many recent attempt items a redelivery reads to find an earlier success (see hasSucceeded). */
export const LEDGER_SCAN_LIMIT = 1_000;

/** The most attempts in one pack, and its most bytes of JSON (far under DynamoDB's 400 KB item). */
export const PACK_MAX_ATTEMPTS = 25;
const PACK_MAX_BYTES = 64 * 1024;

const partition = (subscriptionId: string) => `ATTEMPTS#${subscriptionId}`;

/** What a pack keeps of each attempt: the item holds the subscription, tenant and status once. */
type Packed = Omit<Attempt, 'subscriptionId' | 'tenant' | 'status'>;

/** The attempts an item holds, newest first: one, or a pack's. */
export function unpack(item: Record<string, unknown>): Attempt[] {
  const { pk: _pk, sk: _sk, ttl: _ttl, pack, ...rest } = item;
  if (typeof pack !== 'string') return [rest as unknown as Attempt];
  const { subscriptionId, tenant } = rest as { subscriptionId: string; tenant: string };
  return (JSON.parse(pack) as Packed[])
    .map((attempt) => ({ ...attempt, subscriptionId, tenant, status: 'succeeded' as const }))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** A page cursor: where the read goes on, and how many attempts of the pack found there were shown already. */
interface Cursor {
  start?: Key;
  /** The pack cut by the previous page (its sort key) and how many of its attempts that page showed. */
  within?: { sk: string; shown: number };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a cursor and checks it points into the partition being listed (a cursor is never a way into another). */
function decodeCursor(text: string | undefined, pk: string): Cursor {
  if (!text) return {};
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor & Key;
    // An older cursor is the bare key.
    if (cursor.pk === pk && typeof cursor.sk === 'string' && Object.keys(cursor).length === 2) return { start: { pk, sk: cursor.sk } };
    const { start, within } = cursor;
    const startOk = start === undefined || (start.pk === pk && typeof start.sk === 'string' && Object.keys(start).length === 2);
    const withinOk = within === undefined || (typeof within.sk === 'string' && Number.isInteger(within.shown) && within.shown > 0);
    if (startOk && withinOk && (start !== undefined || within !== undefined)) return { start, within };
  } catch {
    // fall through
  }
  throw new HookpostError('malformed_request', 'cursor is not valid for this list');
}

interface Waiting {
  attempt: Attempt;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DynamoAttemptStore implements AttemptStore {
  /** Successes waiting for their subscription's write in flight, per subscription. */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  async record(attempt: Attempt): Promise<void> {
    if (attempt.status !== 'succeeded') return this.put([attempt]);
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(attempt.subscriptionId);
      if (queue) {
        queue.push({ attempt, resolve, reject });
        return;
      }
      this.waiting.set(attempt.subscriptionId, [{ attempt, resolve, reject }]);
      // The successes that finish in this same turn go in the first write too.
      setImmediate(() => void this.drain(attempt.subscriptionId));
    });
  }

  /** Writes the subscription's waiting successes, a pack at a time, until none is left. */
  private async drain(subscriptionId: string): Promise<void> {
    const queue = this.waiting.get(subscriptionId) ?? [];
    while (queue.length > 0) {
      const taken: Waiting[] = [];
      let bytes = 0;
      while (queue.length > 0 && taken.length < PACK_MAX_ATTEMPTS) {
        const next = queue[0] as Waiting;
        const size = JSON.stringify(next.attempt).length;
        if (taken.length > 0 && bytes + size > PACK_MAX_BYTES) break;
        taken.push(queue.shift() as Waiting);
        bytes += size;
      }
      try {
        await this.put(taken.map((w) => w.attempt));
        for (const w of taken) w.resolve();
      } catch (error) {
        for (const w of taken) w.reject(error);
      }
    }
    this.waiting.delete(subscriptionId);
  }

  /** One attempt as its own item, or several successes of one subscription as a pack. */
  private async put(attempts: Attempt[]): Promise<void> {
    const newest = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    const ttl = Math.floor(Date.parse(newest.timestamp) / 1000) + this.ttlSeconds;
    const key = { pk: partition(newest.subscriptionId), sk: newest.id };
    const item =
      attempts.length === 1
        ? { ...key, ...newest, ttl }
        : {
            ...key,
            subscriptionId: newest.subscriptionId,
            tenant: newest.tenant,
            status: 'succeeded',
            pack: JSON.stringify(attempts.map(({ subscriptionId: _s, tenant: _t, status: _st, ...packed }) => packed)),
            ttl,
          };
    await this.db.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  /**
   * The items holding attempts of one message since `sinceMs`, read newest first — an attempt made
   * just before a crash is near the top — and at most LEDGER_SCAN_LIMIT items, so a busy endpoint's
   * redeliveries stay cheap. Past that the answer is "none" and the endpoint may get the event again
   * (same webhook-id). A pack's JSON holds `"messageId":"msg_…"` with these quotes only as its own
   * field: inside a response excerpt they would be escaped.
   */
  private async ofMessage(subscriptionId: string, messageId: string, sinceMs: number): Promise<Attempt[]> {
    const floor = attemptIdFloor(sinceMs);
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        FilterExpression: 'messageId = :message OR contains(#pack, :packed)',
        ExpressionAttributeNames: { '#status': 'status', '#test': 'test', '#pack': 'pack' },
        ExpressionAttributeValues: {
          ':pk': partition(subscriptionId),
          ':since': floor,
          ':message': messageId,
          ':packed': `"messageId":${JSON.stringify(messageId)}`,
        },
        ProjectionExpression: 'id, messageId, #status, #test, #pack',
        ScanIndexForward: false,
        Limit: LEDGER_SCAN_LIMIT,
      }),
    );
    return (page.Items ?? []).flatMap((item) => unpack(item)).filter((attempt) => attempt.messageId === messageId && attempt.id >= floor);
  }

  async hasSucceeded(subscriptionId: string, messageId: string, sinceMs: number): Promise<boolean> {
    return (await this.ofMessage(subscriptionId, messageId, sinceMs)).some((attempt) => attempt.status === 'succeeded');
  }

  /** As hasSucceeded, and counting: a FIFO group waits at its head, whose attempts are the newest. */
  async attemptsOf(subscriptionId: string, messageId: string, sinceMs: number): Promise<{ made: number; succeeded: boolean }> {
    const attempts = (await this.ofMessage(subscriptionId, messageId, sinceMs)).filter((attempt) => !attempt.test);
    return { made: attempts.length, succeeded: attempts.some((attempt) => attempt.status === 'succeeded') };
  }

  async list(
    subscriptionId: string,
    options: { status?: Attempt['status']; limit: number; cursor?: string },
  ): Promise<Page<Attempt>> {
    const pk = partition(subscriptionId);
    const { start, within } = decodeCursor(options.cursor, pk);
    // A status filter is applied after DynamoDB's Limit: keep reading until the page is full, but
    // never past ATTEMPT_PAGE_MAX_READ items per request — a short page with a cursor carries on.
    const page = await queryPages(
      this.db,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(options.status ? { ':status': options.status } : {}) },
        ...(options.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      },
      options.limit,
      ATTEMPT_PAGE_MAX_READ,
    );
    const items: Attempt[] = [];
    // The key of the last item shown whole: where a page cut inside the next item goes on from.
    let shownKey = start;
    for (const item of page.items) {
      const attempts = unpack(item);
      const skip = within && item.sk === within.sk ? within.shown : 0;
      const shown = attempts.slice(skip, skip + options.limit - items.length);
      items.push(...shown);
      if (skip + shown.length < attempts.length) {
        return { items, nextCursor: encodeCursor({ start: shownKey, within: { sk: String(item.sk), shown: skip + shown.length } }) };
      }
      shownKey = { pk, sk: item.sk };
      if (items.length >= options.limit && item !== page.items.at(-1)) return { items, nextCursor: encodeCursor({ start: shownKey }) };
    }
    // The cursor is where the read stopped: after the last item read, which a filter may have skipped.
    return { items, nextCursor: page.lastKey ? encodeCursor({ start: { pk, sk: page.lastKey.sk } }) : undefined };
  }
}
