/** Publishing: validate, give the event an id, and answer 2xx only once the queue has it. */
import { createHash } from 'node:crypto';
import type { EventType, Message, Principal } from '../platform/domain.ts';
import { HookpostError, type ErrorDetail } from '../platform/errors.ts';
import { newMessageId } from '../platform/ids.ts';
import { depthDetails, issuesToDetails, publishEventSchema, textDepthDetails } from './inputs.ts';
import { isReservedTenant } from '../platform/tenants.ts';
import { dataProblems } from './json-schema.ts';
import { elementTexts, valueText } from '../platform/json-text.ts';
import type { FifoRouter } from '../engine/index.ts';
import { operationalEventType } from '../platform/operational-events.ts';
import {
  type Clock,
  type EventQueue,
  type IdempotencyStore,
  MAX_QUEUE_BATCH_BYTES,
  MAX_QUEUE_BATCH_ENTRIES,
  MAX_QUEUE_MESSAGE_BYTES,
  QUEUE_ENVELOPE_BYTES,
} from '../platform/ports.ts';
import { type QueueMessage, queueBodyBytes } from '../platform/queue-message.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/**
 * How long a claimed key counts as "in progress": longer than an ingest invocation can run, so a
 * request that died (or could not record its answer) frees its key for the client's retry soon after.
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface IngestDeps {
  eventType(type: string): Promise<EventType | undefined>;
  queue: EventQueue;
  idempotency: IdempotencyStore;
  clock: Clock;
  maxPayloadBytes: number;
  /** Sends each event's deliveries to the FIFO subscriptions that want it (core/engine/fifo.ts); absent: no FIFO queue. */
  fifo?: FifoRouter;
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

/** The largest queue body an event may take, leaving room for what a retry or dead letter adds. */
const MAX_QUEUED_EVENT_BYTES = MAX_QUEUE_MESSAGE_BYTES - QUEUE_ENVELOPE_BYTES;

/**
 * Validates one event (422 on a bad shape, too deep a `data` or an unknown type) and builds its
 * message. `dataText` is `data`'s text in the request, delivered as is; without it (a caller that has
 * only the parsed value) `data` is serialised.
 */
async function prepare(deps: IngestDeps, input: unknown, dataText: string | undefined): Promise<{ message: Message; size: number }> {
  // Before any recursive validator (ajv) sees data nested thousands deep. The delivered text is what counts.
  const tooDeep = dataText === undefined ? depthDetails(input, ['data']) : textDepthDetails(dataText, 'data');
  if (tooDeep.length > 0) throw new HookpostError('validation_failed', 'event is invalid', tooDeep);
  const parsed = publishEventSchema.safeParse(input);
  if (!parsed.success) throw new HookpostError('validation_failed', 'event is invalid', issuesToDetails(parsed.error));
  const { type, data, tenant = 'default' } = parsed.data;
  const dataJson = dataText ?? JSON.stringify(data);
  const size = Buffer.byteLength(dataJson);
  if (size > deps.maxPayloadBytes) {
    throw new HookpostError('payload_too_large', `data is ${size} bytes; the limit is ${deps.maxPayloadBytes}`);
  }
  if (operationalEventType(type)) throw new HookpostError('forbidden', `event type "${type}" is Hookpost's own; only Hookpost publishes it`);
  const eventType = await deps.eventType(type);
  if (!eventType) {
    throw new HookpostError('validation_failed', `unknown event type "${type}"`, [
      { path: 'type', message: 'register it first with PUT /v1/event-types/{type}' },
    ]);
  }
  if (eventType.schema) {
    const problems = await dataProblems(eventType.schema, data);
    if (problems.length > 0) throw new HookpostError('validation_failed', `data does not match the schema of "${type}"`, problems);
  }
  const now = deps.clock.now();
  const message: Message = { id: newMessageId(now), type, tenant, timestamp: new Date(now).toISOString(), dataJson };
  const queued = queueBodyBytes({ kind: 'event', message });
  if (queued > MAX_QUEUED_EVENT_BYTES) {
    // Only reachable when maxPayloadBytes is set past MAX_PAYLOAD_BYTES_LIMIT (the CDK stack refuses that).
    throw new HookpostError(
      'payload_too_large',
      `data takes ${queued} bytes on the queue once escaped to ASCII; the limit is ${MAX_QUEUED_EVENT_BYTES}`,
    );
  }
  return { message, size: queued };
}

const accepted = (message: Message): Accepted => ({
  id: message.id,
  type: message.type,
  tenant: message.tenant,
  timestamp: message.timestamp,
});

/**
 * Only admin and publish keys publish (the API refuses the others before this); the core holds that
 * line too. Nobody publishes into a reserved tenant (`_…`): Hookpost publishes to `_operations` itself.
 */
function authorizeTenant(principal: Principal | undefined, tenant: string): void {
  if (isReservedTenant(tenant)) {
    throw new HookpostError('forbidden', `tenant "${tenant}" is reserved: Hookpost publishes its operational events there itself`);
  }
  if (principal !== undefined && principal.scope !== 'admin' && principal.scope !== 'publish') {
    throw new HookpostError('forbidden', `this API key may not publish to tenant "${tenant}"`);
  }
}

/** Publishing one event (`POST /v1/events`) or a batch; built once per process from its ports. */
export interface Publisher {
  /** `idempotencyKey` is scoped to the caller's key, so two callers never share one. */
  one(input: unknown, rawBody: string, principal: Principal | undefined, idempotencyKey?: string): Promise<PublishResponse>;
  /** `rawBody`, the request's text (`{"events":[…]}`), gives each event's `data` text as published. */
  batch(events: unknown[], principal: Principal | undefined, rawBody?: string): Promise<BatchItemResult[]>;
}

export const createPublisher = (deps: IngestDeps): Publisher => ({
  one: (input, rawBody, principal, key) =>
    publishOne(deps, input, rawBody, principal, key === undefined ? undefined : { scope: principal?.keyId ?? 'anonymous', key }),
  batch: (events, principal, rawBody) => publishBatch(deps, events, principal, rawBody),
});

async function publishOne(
  deps: IngestDeps,
  input: unknown,
  rawBody: string,
  principal: Principal | undefined,
  idempotency?: { scope: string; key: string },
): Promise<PublishResponse> {
  let { message } = await prepare(deps, input, valueText(rawBody, ['data']));
  authorizeTenant(principal, message.tenant);
  if (!idempotency) {
    await enqueue(deps, message);
    return { statusCode: 202, body: accepted(message), replayed: false };
  }
  const { scope, key } = idempotency;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HookpostError('malformed_request', 'Idempotency-Key must be 1-255 visible ASCII characters');
  }
  const requestHash = createHash('sha256').update(rawBody).digest('base64url');
  const claim = { requestHash, messageId: message.id, timestamp: message.timestamp, leaseUntil: deps.clock.now() + IDEMPOTENCY_LEASE_MS };
  const previous = await deps.idempotency.claim(scope, key, claim, IDEMPOTENCY_TTL_SECONDS);
  if (previous) {
    if (previous.requestHash !== requestHash) {
      throw new HookpostError('conflict', 'Idempotency-Key was already used with a different body');
    }
    if (previous.response) {
      return { statusCode: previous.response.statusCode, body: JSON.parse(previous.response.body), replayed: true };
    }
    if ((previous.leaseUntil ?? 0) > deps.clock.now()) {
      throw new HookpostError('conflict', 'a request with this Idempotency-Key is still in progress; retry in a few seconds');
    }
    // The first request failed or died before recording its answer; it may have queued the message.
    // Publish it again under the same id, so a receiver sees at most a duplicate with one webhook-id.
    message = { ...message, id: previous.messageId ?? message.id, timestamp: previous.timestamp ?? message.timestamp };
  }
  try {
    await enqueue(deps, message);
  } catch (error) {
    await deps.idempotency.unlock(scope, key).catch(() => {});
    throw error;
  }
  const body = accepted(message);
  const done = { ...claim, messageId: message.id, timestamp: message.timestamp, response: { statusCode: 202, body: JSON.stringify(body) } };
  // The message is queued, so the answer is 202 whatever happens to this write. If it fails, a retry
  // (at once if the unlock lands, else after the lease) publishes the same id again: a duplicate at worst.
  await deps.idempotency.complete(scope, key, done, IDEMPOTENCY_TTL_SECONDS).catch(() => deps.idempotency.unlock(scope, key).catch(() => {}));
  return { statusCode: 202, body, replayed: false };
}

/** The FIFO deliveries first, then the event for everyone else: 2xx only once both queues have theirs. */
async function enqueue(deps: IngestDeps, message: Message): Promise<void> {
  const [fifoRouted] = await routeFifo(deps, [message]).catch((error: unknown) => {
    throw fifoUnavailable(error);
  });
  if (fifoRouted === undefined) throw fifoUnavailable();
  try {
    await deps.queue.enqueue(eventOf(message, fifoRouted));
  } catch (error) {
    throw queueUnavailable(error);
  }
}

const routeFifo = (deps: IngestDeps, messages: Message[]): Promise<(string[] | undefined)[]> =>
  deps.fifo ? deps.fifo.route(messages) : Promise.resolve(messages.map(() => []));

const eventOf = (message: Message, fifoRouted: string[]): QueueMessage =>
  fifoRouted.length > 0 ? { kind: 'event', message, fifoRouted } : { kind: 'event', message };

/** The FIFO step failed (the subscriptions could not be read, or the FIFO queue refused a delivery). */
const fifoUnavailable = (error?: unknown) =>
  new HookpostError(
    'dependency_unavailable',
    'the event could not be handed to the FIFO queue of its ordered endpoints; it was not published (an ordered endpoint may still receive it)',
    [{ message: (error as Error | undefined)?.name || 'FifoQueueError' }],
  );

const queueUnavailable = (error: unknown) =>
  new HookpostError('dependency_unavailable', 'the events queue did not accept the message; nothing was published', [
    { message: (error as Error).name || 'QueueError' },
  ]);

export type BatchItemResult = Accepted | { error: { code: string; message: string; details: ErrorDetail[] } };

/** `POST /v1/events/batch`: each event stands alone; one bad item never fails the others. */
async function publishBatch(
  deps: IngestDeps,
  events: unknown[],
  principal: Principal | undefined,
  rawBody?: string,
): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = new Array(events.length);
  const ready: { index: number; message: Message; size: number }[] = [];
  const dataTexts = rawBody === undefined ? [] : elementTexts(rawBody, ['events'], 'data');
  await Promise.all(
    events.map(async (event, index) => {
      try {
        const { message, size } = await prepare(deps, event, dataTexts[index]);
        authorizeTenant(principal, message.tenant);
        ready.push({ index, message, size });
      } catch (error) {
        results[index] = itemError(error);
      }
    }),
  );
  ready.sort((a, b) => a.index - b.index);
  // FIFO deliveries in array order first; an item they could not all be sent for (and the FIFO ones after it) is not published.
  const routed = await routeFifo(deps, ready.map(({ message }) => message)).catch((error: unknown) => {
    for (const { index } of ready) results[index] = itemError(fifoUnavailable(error));
    return [];
  });
  const publishable = ready.flatMap((item, i) => {
    const fifoRouted = routed[i];
    if (fifoRouted === undefined) {
      results[item.index] ??= itemError(fifoUnavailable());
      return [];
    }
    return [{ ...item, fifoRouted }];
  });
  await Promise.all(
    chunk(publishable).map(async (group) => {
      try {
        const sent = await deps.queue.enqueueBatch(group.map(({ message, fifoRouted }) => eventOf(message, fifoRouted)));
        group.forEach(({ index, message }, i) => {
          const outcome = sent[i];
          results[index] = outcome?.ok
            ? accepted(message)
            : itemError(new HookpostError('dependency_unavailable', outcome?.error ?? 'not queued'));
        });
      } catch (error) {
        for (const { index } of group) results[index] = itemError(queueUnavailable(error));
      }
    }),
  );
  return results;
}

/** Groups within the limits of one enqueueBatch (entries and bytes); `size` is the serialised body's, queueBodyBytes. */
export function chunk<T extends { size: number }>(items: T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === MAX_QUEUE_BATCH_ENTRIES || (current.length > 0 && bytes + item.size > MAX_QUEUE_BATCH_BYTES)) {
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
  if (error instanceof HookpostError) return { error: { code: error.code, message: error.message, details: error.details } };
  return { error: { code: 'internal_error', message: 'Internal error', details: [] } };
}
