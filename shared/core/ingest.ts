/** Publishing: validate, give the event an id, and answer 2xx only once the queue has it. */
import { createHash } from 'node:crypto';
import { ApiError, type ErrorDetail } from './errors.ts';
import type { EventType, Message } from './domain.ts';
import { newMessageId } from './ids.ts';
import type { Clock, EventQueue, IdempotencyStore } from './ports.ts';
import { MAX_SQS_BATCH_ENTRIES } from '../adapters/aws/sqs.ts';
import { publishEventSchema, issuesToDetails } from '../api/schemas.ts';
import { dataProblems } from './json-schema.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** Keep a batch send well under SQS's 1 MiB request limit. */
const MAX_BATCH_SEND_BYTES = 900 * 1024;

export interface IngestDeps {
  eventType(type: string): Promise<EventType | undefined>;
  queue: EventQueue;
  idempotency: IdempotencyStore;
  clock: Clock;
  maxPayloadBytes: number;
}

export interface Accepted {
  id: string;
  type: string;
  tenant: string;
  timestamp: string;
}

export interface PublishResponse {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

/** Validates one event (422 on a bad shape or an unknown type) and builds its message. */
async function prepare(deps: IngestDeps, input: unknown): Promise<Message> {
  const parsed = publishEventSchema.safeParse(input);
  if (!parsed.success) throw new ApiError('validation_failed', 'event is invalid', issuesToDetails(parsed.error));
  const { type, data, tenant = 'default' } = parsed.data;
  const size = Buffer.byteLength(JSON.stringify(data));
  if (size > deps.maxPayloadBytes) {
    throw new ApiError('payload_too_large', `data is ${size} bytes; the limit is ${deps.maxPayloadBytes}`);
  }
  const eventType = await deps.eventType(type);
  if (!eventType) {
    throw new ApiError('validation_failed', `unknown event type "${type}"`, [
      { path: 'type', message: 'register it first with PUT /v1/event-types/{type}' },
    ]);
  }
  if (eventType.schema) {
    const problems = dataProblems(eventType.schema, data);
    if (problems.length > 0) throw new ApiError('validation_failed', `data does not match the schema of "${type}"`, problems);
  }
  const now = deps.clock.now();
  return { id: newMessageId(now), type, tenant, timestamp: new Date(now).toISOString(), data };
}

const accepted = (message: Message): Accepted => ({
  id: message.id,
  type: message.type,
  tenant: message.tenant,
  timestamp: message.timestamp,
});

/** `POST /v1/events`. `scope` keeps one caller's idempotency keys apart from another's. */
export async function publishOne(
  deps: IngestDeps,
  input: unknown,
  rawBody: string,
  idempotency?: { scope: string; key: string },
  authorizeTenant: (tenant: string) => void = () => {},
): Promise<PublishResponse> {
  const message = await prepare(deps, input);
  authorizeTenant(message.tenant);
  if (idempotency) {
    if (!IDEMPOTENCY_KEY.test(idempotency.key)) {
      throw new ApiError('malformed_request', 'Idempotency-Key must be 1-255 visible ASCII characters');
    }
    const requestHash = createHash('sha256').update(rawBody).digest('base64url');
    const previous = await deps.idempotency.claim(idempotency.scope, idempotency.key, requestHash, IDEMPOTENCY_TTL_SECONDS);
    if (previous) {
      if (previous.requestHash !== requestHash) {
        throw new ApiError('conflict', 'Idempotency-Key was already used with a different body');
      }
      if (!previous.response) throw new ApiError('conflict', 'a request with this Idempotency-Key is still in progress');
      return { statusCode: previous.response.statusCode, body: JSON.parse(previous.response.body), replayed: true };
    }
    try {
      await enqueue(deps, message);
    } catch (error) {
      await deps.idempotency.release(idempotency.scope, idempotency.key).catch(() => {});
      throw error;
    }
    const body = accepted(message);
    await deps.idempotency.complete(
      idempotency.scope,
      idempotency.key,
      { requestHash, response: { statusCode: 202, body: JSON.stringify(body) } },
      IDEMPOTENCY_TTL_SECONDS,
    );
    return { statusCode: 202, body, replayed: false };
  }
  await enqueue(deps, message);
  return { statusCode: 202, body: accepted(message), replayed: false };
}

async function enqueue(deps: IngestDeps, message: Message): Promise<void> {
  try {
    await deps.queue.send({ kind: 'event', message });
  } catch (error) {
    throw queueUnavailable(error);
  }
}

const queueUnavailable = (error: unknown) =>
  new ApiError('dependency_unavailable', 'the events queue did not accept the message; nothing was published', [
    { message: (error as Error).name || 'QueueError' },
  ]);

type BatchItemResult = Accepted | { error: { code: string; message: string; details: ErrorDetail[] } };

/** `POST /v1/events/batch`: each event stands alone; one bad item never fails the others. */
export async function publishBatch(
  deps: IngestDeps,
  events: unknown[],
  authorizeTenant: (tenant: string) => void = () => {},
): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = new Array(events.length);
  const ready: { index: number; message: Message; size: number }[] = [];
  await Promise.all(
    events.map(async (event, index) => {
      try {
        const message = await prepare(deps, event);
        authorizeTenant(message.tenant);
        ready.push({ index, message, size: Buffer.byteLength(JSON.stringify(message)) + 64 });
      } catch (error) {
        results[index] = itemError(error);
      }
    }),
  );
  ready.sort((a, b) => a.index - b.index);
  await Promise.all(
    chunk(ready).map(async (group) => {
      try {
        const sent = await deps.queue.sendBatch(group.map(({ message }) => ({ kind: 'event', message })));
        group.forEach(({ index, message }, i) => {
          const outcome = sent[i];
          results[index] = outcome?.ok
            ? accepted(message)
            : itemError(new ApiError('dependency_unavailable', outcome?.error ?? 'not queued'));
        });
      } catch (error) {
        for (const { index } of group) results[index] = itemError(queueUnavailable(error));
      }
    }),
  );
  return results;
}

/** Groups of at most 10 entries and ~900 KiB, the limits of one SendMessageBatch. */
function chunk<T extends { size: number }>(items: T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === MAX_SQS_BATCH_ENTRIES || (current.length > 0 && bytes + item.size > MAX_BATCH_SEND_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function itemError(error: unknown): BatchItemResult {
  if (error instanceof ApiError) return { error: { code: error.code, message: error.message, details: error.details } };
  return { error: { code: 'internal_error', message: 'Internal error', details: [] } };
}
