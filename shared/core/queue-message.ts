/** What travels on the events queue: a new event to fan out, or one delivery to one subscription. */
import { z } from 'zod';
import { asciiJson } from './json-text.ts';

const messageFields = { id: z.string(), type: z.string(), tenant: z.string(), timestamp: z.string() };

/**
 * `dataJson` is `data`'s JSON text exactly as published. Bodies queued before it existed carry a
 * parsed `data`; they are still read (its numbers are whatever JSON.parse made of them back then).
 */
export const messageSchema = z.union([
  z.object({ ...messageFields, dataJson: z.string() }),
  z
    .object({ ...messageFields, data: z.unknown().refine((data) => data !== undefined, 'required') })
    .transform(({ data, ...rest }) => ({ ...rest, dataJson: JSON.stringify(data) })),
]);

export const queueMessageSchema = z.discriminatedUnion('kind', [
  /** A freshly published event: deliver to every matching subscription of its tenant. */
  z.object({
    kind: z.literal('event'),
    message: messageSchema,
    /**
     * Subscriptions (`ordering: fifo`) the ingest already sent this event to through the FIFO queue
     * (core/fifo.ts): the fan-out skips exactly these, so none gets it twice or not at all.
     */
    fifoRouted: z.array(z.string()).optional(),
  }),
  /** One (message, subscription) delivery: a retry, a redelivery, or a wait hop before one. */
  z.object({
    kind: z.literal('delivery'),
    message: messageSchema,
    subscriptionId: z.string(),
    /** Number of the attempt to make when due (1-based). */
    attempt: z.number().int().min(1),
    /** Epoch ms before which the attempt must not be made; longer waits hop through SQS delays. */
    dueAt: z.number(),
    /**
     * The rate-limit slot (epoch ms) reserved for this attempt when it was handed back to wait for it;
     * the attempt is made from then on (a return too late reserves a new one).
     */
    slotAt: z.number().optional(),
  }),
]);

export type QueueMessage = z.infer<typeof queueMessageSchema>;
export type DeliveryMessage = Extract<QueueMessage, { kind: 'delivery' }>;

/** A dead letter written by dispatch, `{reason, message, lastAttempt?, deadLetteredAt}`, back from a DLQ redrive. */
const deadLetterEnvelopeSchema = z.object({
  reason: z.string(),
  message: queueMessageSchema,
  deadLetteredAt: z.string(),
});

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
  const envelope = deadLetterEnvelopeSchema.safeParse(parsed);
  if (envelope.success) {
    const { message } = envelope.data;
    if (message.kind !== 'delivery') return message;
    const { slotAt: _slotAt, ...delivery } = message;
    return { ...delivery, attempt: 1, dueAt: 0 };
  }
  return queueMessageSchema.parse(parsed);
}
