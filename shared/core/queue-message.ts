/** What travels on the events queue: a new event to fan out, or one delivery to one subscription. */
import { z } from 'zod';

export const messageSchema = z.object({
  id: z.string(),
  type: z.string(),
  tenant: z.string(),
  timestamp: z.string(),
  data: z.unknown(),
});

export const queueMessageSchema = z.discriminatedUnion('kind', [
  /** A freshly published event: deliver to every matching subscription of its tenant. */
  z.object({ kind: z.literal('event'), message: messageSchema }),
  /** One (message, subscription) delivery: a retry, a redelivery, or a wait hop before one. */
  z.object({
    kind: z.literal('delivery'),
    message: messageSchema,
    subscriptionId: z.string(),
    /** Number of the attempt to make when due (1-based). */
    attempt: z.number().int().min(1),
    /** Epoch ms before which the attempt must not be made; longer waits hop through SQS delays. */
    dueAt: z.number(),
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
 * Parses a queue body; throws on anything malformed (the record then fails and, after maxReceiveCount,
 * is dead-lettered by SQS). A redriven dead letter yields its delivery with a fresh schedule.
 */
export function parseQueueMessage(body: string): QueueMessage {
  const parsed: unknown = JSON.parse(body);
  const envelope = deadLetterEnvelopeSchema.safeParse(parsed);
  if (envelope.success) {
    const { message } = envelope.data;
    return message.kind === 'delivery' ? { ...message, attempt: 1, dueAt: 0 } : message;
  }
  return queueMessageSchema.parse(parsed);
}
