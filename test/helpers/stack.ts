/**
 * The helpers every suite on a local stack shares: receivers that close together, a subscription
 * through the API, the events queue's depth, "the system is idle", and a spy on what was enqueued.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import type { EventQueue } from '#shared/core/platform/ports.ts';
import type { QueueMessage } from '#shared/core/platform/queue-message.ts';
import type { apiClient } from './api.ts';
import { waitFor } from './api.ts';
import { type Receiver, type ReceiverOptions, type Responder, type ScriptedResponse, startReceiver } from './receiver.ts';

/** Starts receivers (on 127.0.0.1, with `defaults`) and closes them all at once, e.g. in afterAll. */
export function receiverPool(defaults: ReceiverOptions = { lifetimeMs: 90_000 }) {
  const started: Receiver[] = [];
  return {
    /** A new receiver; `script` answers its first requests, the default the rest. */
    async start(options: ReceiverOptions & { script?: Array<ScriptedResponse | Responder> } = {}): Promise<Receiver> {
      const { script = [], ...rest } = options;
      const receiver = await startReceiver({ ...defaults, ...rest });
      receiver.enqueue(...script);
      started.push(receiver);
      return receiver;
    },
    closeAll: () => Promise.all(started.splice(0).map((r) => r.close())),
  };
}

/** Creates a subscription through the API (201 asserted) and returns its view with the secret. */
export async function subscribe(
  call: ReturnType<typeof apiClient>,
  tenant: string,
  url: string,
  eventTypes: string[] = ['*'],
  extra: Record<string, unknown> = {},
): Promise<{ id: string; secret: string; url: string }> {
  const created = await call('POST', `/v1/tenants/${tenant}/subscriptions`, { url, eventTypes, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  /** Received by a consumer and not yet deleted: work in flight. */
  inFlight: number;
  /** Sent with a delay (a scheduled retry) and not yet visible. */
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * Waits until the events queue holds nothing — none waiting, none in a consumer's hands, no retry
 * scheduled — so "nothing more arrives" is checked once the system has nothing left to do, not
 * after a guessed pause.
 */
export async function waitForIdle(stack: { sqs: SQSClient; eventsQueueUrl: string }, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    'the events queue to be idle',
    async () => {
      const depth = await queueDepth(stack.sqs, stack.eventsQueueUrl);
      return depth.visible + depth.inFlight + depth.delayed === 0;
    },
    timeoutMs,
  );
}

export interface QueueSpy {
  /** Every message handed to the queue port since the spy started (or was cleared), in order. */
  readonly sent: QueueMessage[];
  /** The published events among them (`kind: 'event'`; retries are `kind: 'delivery'`). */
  events(): Extract<QueueMessage, { kind: 'event' }>[];
  clear(): void;
  restore(): void;
}

/**
 * Records what goes through a queue port's enqueue/enqueueBatch and calls through. Observing the
 * port, not the queue's depth: a wrongly queued event would be consumed within milliseconds.
 */
export function spyOnQueue(queue: EventQueue): QueueSpy {
  const sent: QueueMessage[] = [];
  const original = { enqueue: queue.enqueue, enqueueBatch: queue.enqueueBatch };
  queue.enqueue = async (message, delaySeconds) => {
    sent.push(message);
    return original.enqueue.call(queue, message, delaySeconds);
  };
  queue.enqueueBatch = async (messages) => {
    sent.push(...messages);
    return original.enqueueBatch.call(queue, messages);
  };
  return {
    sent,
    events: () => sent.filter((m): m is Extract<QueueMessage, { kind: 'event' }> => m.kind === 'event'),
    clear: () => void sent.splice(0),
    restore: () => {
      queue.enqueue = original.enqueue;
      queue.enqueueBatch = original.enqueueBatch;
    },
  };
}
