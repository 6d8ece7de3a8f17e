/**
 * Operational events: what Hookpost tells its operators about their tenants' endpoints, published to
 * the reserved tenant `_operations` as ordinary events (same queue, dispatch, signing, retries, attempt
 * log and dead letters). Operators subscribe with the usual API. The three types are built into the
 * catalogue (catalogue.ts), so nothing has to be registered for them to work.
 *
 * No loops: nothing that happens to a delivery to a reserved tenant produces an operational event.
 */
import type { EventType, Subscription } from './domain.ts';
import { newMessageId } from './ids.ts';
import { isReservedTenant, OPERATIONS_TENANT } from './tenants.ts';
import type { Clock, DeadLetter, EventQueue } from './ports.ts';

export const OPERATIONAL_EVENT_TYPE = {
  endpointDisabled: 'hookpost.endpoint.disabled',
  messageExhausted: 'hookpost.message.exhausted',
  endpointRecovered: 'hookpost.endpoint.recovered',
} as const;

const BUILT_IN_AT = '2026-12-01T00:00:00.000Z';
const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;

const builtIn = (type: string, description: string, schema: Record<string, unknown>, example: unknown): EventType => ({
  type,
  description,
  schema: { type: 'object', additionalProperties: false, ...schema },
  example,
  createdAt: BUILT_IN_AT,
  updatedAt: BUILT_IN_AT,
  builtIn: true,
});

/** The catalogue entries of the operational event types (read-only: PUT and DELETE refuse them). */
export const OPERATIONAL_EVENT_TYPES: readonly EventType[] = [
  builtIn(
    OPERATIONAL_EVENT_TYPE.endpointDisabled,
    'Hookpost disabled an endpoint (it answered 410 Gone, or failed for too long)',
    {
      required: ['tenant', 'subscriptionId', 'url', 'reason', 'disabledAt'],
      properties: { tenant: str, subscriptionId: str, url: str, reason: str, disabledAt: time },
    },
    { tenant: 'acme', subscriptionId: 'sub_01JD7S0000000000000000000', url: 'https://acme.example.com/hooks', reason: 'endpoint answered 410 Gone', disabledAt: BUILT_IN_AT },
  ),
  builtIn(
    OPERATIONAL_EVENT_TYPE.messageExhausted,
    'A delivery went to the dead-letter queue (its retries were used up, or its endpoint was disabled)',
    {
      required: ['tenant', 'subscriptionId', 'messageId', 'eventType', 'attempts', 'reason', 'lastAttempt', 'deadLetteredAt'],
      properties: {
        tenant: str,
        subscriptionId: str,
        messageId: str,
        eventType: str,
        attempts: { type: 'integer', minimum: 0 },
        reason: str,
        lastAttempt: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: ['attemptNumber', 'timestamp', 'durationMs'],
              properties: { attemptNumber: { type: 'integer' }, timestamp: time, durationMs: { type: 'number' }, statusCode: { type: 'integer' }, error: str },
            },
          ],
        },
        deadLetteredAt: time,
      },
    },
    {
      tenant: 'acme',
      subscriptionId: 'sub_01JD7S0000000000000000000',
      messageId: 'msg_01JD7S0000000000000000000',
      eventType: 'invoice.paid',
      attempts: 8,
      reason: 'failed 8 attempts; last: endpoint answered 503',
      lastAttempt: { attemptNumber: 8, timestamp: BUILT_IN_AT, durationMs: 41, statusCode: 503 },
      deadLetteredAt: BUILT_IN_AT,
    },
  ),
  builtIn(
    OPERATIONAL_EVENT_TYPE.endpointRecovered,
    'An endpoint that was failing accepted a delivery again (the first success after a failing streak)',
    {
      required: ['tenant', 'subscriptionId', 'url', 'failingSince', 'recoveredAt'],
      properties: { tenant: str, subscriptionId: str, url: str, failingSince: time, recoveredAt: time },
    },
    { tenant: 'acme', subscriptionId: 'sub_01JD7S0000000000000000000', url: 'https://acme.example.com/hooks', failingSince: BUILT_IN_AT, recoveredAt: BUILT_IN_AT },
  ),
];

const BUILT_IN_TYPES = new Map(OPERATIONAL_EVENT_TYPES.map((eventType) => [eventType.type, eventType]));

/** The built-in catalogue entry of an operational event type; undefined for any other name. */
export const operationalEventType = (type: string): EventType | undefined => BUILT_IN_TYPES.get(type);

/** What dispatch reports; each call is a no-op for an endpoint of a reserved tenant (no loops). */
export interface OperationalEvents {
  endpointDisabled(subscription: Subscription, reason: string, at: string): Promise<void>;
  messageExhausted(deadLetter: DeadLetter): Promise<void>;
  endpointRecovered(subscription: Subscription): Promise<void>;
}

/** Queues each operational event for fan-out to `_operations`; a queue failure throws (the record is retried). */
export function createOperationalEvents(deps: { queue: EventQueue; clock: Clock }): OperationalEvents {
  async function publish(aboutTenant: string, type: string, data: Record<string, unknown>): Promise<void> {
    if (isReservedTenant(aboutTenant)) return;
    const now = deps.clock.now();
    await deps.queue.enqueue({
      kind: 'event',
      message: { id: newMessageId(now), type, tenant: OPERATIONS_TENANT, timestamp: new Date(now).toISOString(), dataJson: JSON.stringify(data) },
    });
  }
  return {
    endpointDisabled: (subscription, reason, at) =>
      publish(subscription.tenant, OPERATIONAL_EVENT_TYPE.endpointDisabled, {
        tenant: subscription.tenant,
        subscriptionId: subscription.id,
        url: subscription.url,
        reason,
        disabledAt: at,
      }),
    async messageExhausted({ message: queued, reason, lastAttempt, deadLetteredAt }) {
      if (queued.kind !== 'delivery') return;
      const { message } = queued;
      await publish(message.tenant, OPERATIONAL_EVENT_TYPE.messageExhausted, {
        tenant: message.tenant,
        subscriptionId: queued.subscriptionId,
        messageId: message.id,
        eventType: message.type,
        // `queued` is the attempt that will not be made.
        attempts: queued.attempt - 1,
        reason,
        lastAttempt: lastAttempt
          ? {
              attemptNumber: lastAttempt.attemptNumber,
              timestamp: lastAttempt.timestamp,
              durationMs: lastAttempt.durationMs,
              ...(lastAttempt.statusCode !== undefined && { statusCode: lastAttempt.statusCode }),
              ...(lastAttempt.error !== undefined && { error: lastAttempt.error }),
            }
          : null,
        deadLetteredAt,
      });
    },
    endpointRecovered: (subscription) =>
      publish(subscription.tenant, OPERATIONAL_EVENT_TYPE.endpointRecovered, {
        tenant: subscription.tenant,
        subscriptionId: subscription.id,
        url: subscription.url,
        failingSince: subscription.failingSince,
        recoveredAt: new Date(deps.clock.now()).toISOString(),
      }),
  };
}
