/** What travels on the events queue: a new event to fan out, or one delivery to one subscription. */
import type { Message } from './domain.ts';
import { asciiJson } from './json-text.ts';

/**
 * What travels on the events queue. Written only by Hookpost itself, so it is checked by hand below
 * rather than with zod: the consumer's bundle then carries no zod (≈ 440 KiB minified, a large part
 * of its cold start).
 */
export type QueueMessage =
  /** A freshly published event: deliver to every matching subscription of its tenant. */
  | {
      kind: 'event';
      message: Message;
      /**
       * Subscriptions (`ordering: fifo`) the ingest already sent this event to through the FIFO queue
       * (core/engine/fifo.ts): the fan-out skips exactly these, so none gets it twice or not at all.
       */
      fifoRouted?: string[];
    }
  /** One (message, subscription) delivery: a retry, a redelivery, or a wait hop before one. */
  | {
      kind: 'delivery';
      message: Message;
      subscriptionId: string;
      /** Number of the attempt to make when due (1-based). */
      attempt: number;
      /** Epoch ms before which the attempt must not be made; longer waits hop through SQS delays. */
      dueAt: number;
      /**
       * The rate-limit slot (epoch ms) reserved for this attempt when it was handed back to wait for it;
       * the attempt is made from then on (a return too late reserves a new one).
       */
      slotAt?: number;
    };
export type DeliveryMessage = Extract<QueueMessage, { kind: 'delivery' }>;

/** Why a queue body is not one of ours; the record then fails and, after maxReceiveCount, is dead-lettered by SQS. */
export class MalformedQueueMessageError extends Error {
  override readonly name = 'MalformedQueueMessageError';
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(path: string, expected: string): never {
  throw new MalformedQueueMessageError(`queue message: ${path} must be ${expected}`);
}

function text(fields: Fields, key: string, path: string): string {
  const value = fields[key];
  return typeof value === 'string' ? value : fail(`${path}.${key}`, 'a string');
}

/**
 * `dataJson` is `data`'s JSON text exactly as published. Bodies queued before it existed carry a
 * parsed `data`; they are still read (its numbers are whatever JSON.parse made of them back then).
 * Only the known fields are kept.
 */
function readMessage(value: unknown, path: string): Message {
  if (!isObject(value)) fail(path, 'an object');
  const dataJson =
    typeof value.dataJson === 'string'
      ? value.dataJson
      : value.data !== undefined
        ? JSON.stringify(value.data)
        : fail(`${path}.dataJson`, 'a string (or data a JSON value)');
  return {
    id: text(value, 'id', path),
    type: text(value, 'type', path),
    tenant: text(value, 'tenant', path),
    timestamp: text(value, 'timestamp', path),
    dataJson,
  };
}

function readQueueMessage(value: unknown, path: string): QueueMessage {
  if (!isObject(value)) fail(path, 'an object');
  if (value.kind === 'event') {
    const { fifoRouted } = value;
    if (fifoRouted !== undefined && (!Array.isArray(fifoRouted) || fifoRouted.some((id) => typeof id !== 'string'))) {
      fail(`${path}.fifoRouted`, 'an array of strings');
    }
    const message = readMessage(value.message, `${path}.message`);
    return fifoRouted === undefined ? { kind: 'event', message } : { kind: 'event', message, fifoRouted: fifoRouted as string[] };
  }
  if (value.kind !== 'delivery') fail(`${path}.kind`, '"event" or "delivery"');
  const { attempt, dueAt, slotAt } = value;
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1) fail(`${path}.attempt`, 'an integer ≥ 1');
  if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) fail(`${path}.dueAt`, 'a number');
  if (slotAt !== undefined && (typeof slotAt !== 'number' || !Number.isFinite(slotAt))) fail(`${path}.slotAt`, 'a number');
  return {
    kind: 'delivery',
    message: readMessage(value.message, `${path}.message`),
    subscriptionId: text(value, 'subscriptionId', path),
    attempt,
    dueAt,
    ...(slotAt === undefined ? {} : { slotAt }),
  };
}

/** A dead letter written by dispatch, `{reason, message, lastAttempt?, deadLetteredAt}`, back from a DLQ redrive; undefined when it is not one. */
function readDeadLetterEnvelope(value: unknown): QueueMessage | undefined {
  if (!isObject(value) || typeof value.reason !== 'string' || typeof value.deadLetteredAt !== 'string') return undefined;
  try {
    return readQueueMessage(value.message, 'message');
  } catch {
    return undefined;
  }
}

/**
 * Every queue body (events, retries, delay hops, dead letters) as ASCII-only JSON: SQS refuses
 * U+FFFE/U+FFFF and fauxqs anything past U+FFFF, and `\uXXXX` escapes carry them all. Batches are
 * sized with `queueBodyBytes`, the length of exactly this text.
 */
export const serializeQueueBody = (body: QueueMessage | DeadLetterBody): string => asciiJson(body);

/** A dead letter (ports.ts DeadLetter) as far as the serializer cares. */
interface DeadLetterBody {
  reason: string;
  message: QueueMessage;
  deadLetteredAt: string;
}

/** Bytes of a queue body as sent (ASCII, so characters are bytes). */
export const queueBodyBytes = (body: QueueMessage): number => serializeQueueBody(body).length;

/**
 * Parses a queue body; throws on anything malformed (the record then fails and, after maxReceiveCount,
 * is dead-lettered by SQS). A redriven dead letter yields its delivery with a fresh schedule.
 */
export function parseQueueMessage(body: string): QueueMessage {
  const parsed: unknown = JSON.parse(body);
  const message = readDeadLetterEnvelope(parsed);
  if (message?.kind === 'delivery') {
    // A fresh schedule, and no old rate-limit slot: it reserves anew when due.
    const { slotAt: _slotAt, ...delivery } = message;
    return { ...delivery, attempt: 1, dueAt: 0 };
  }
  if (message) return message;
  return readQueueMessage(parsed, 'body');
}
