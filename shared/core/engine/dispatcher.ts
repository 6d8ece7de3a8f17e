/**
 * The consumers' engines, built from ports and settings: the events (and slow-lane) queues' dispatch,
 * and the FIFO queue's one-delivery-of-a-group. Kept apart from services.ts (which builds the API's
 * use cases too and imports zod and ajv through them) so the consumer functions can be built with
 * this alone and their bundles carry none of that: less to load on a cold start.
 */
import type { DeliveryDeps } from './delivery.ts';
import { dispatch, type DispatchDeps, type DispatchOptions } from './dispatch.ts';
import { deliverInOrder, type FifoOutcome, type FifoReceipt } from './fifo.ts';
import type { DeliveryMetric } from './metrics.ts';
import { createOperationalEvents } from '../platform/operational-events.ts';
import { createPatience } from './patience.ts';
import type {
  AttemptStore,
  Clock,
  DeadLetterQueue,
  EventQueue,
  Transport,
  MessageStore,
  Notifier,
  RateLimiter,
  SubscriptionRemoval,
  SubscriptionStore,
} from '../platform/ports.ts';
import type { DeliveryMessage, QueueMessage } from '../platform/queue-message.ts';
import { THROTTLED_MINIMUM_SECONDS } from './retry-policy.ts';
import type { Settings } from '../platform/settings.ts';
import { createSubscriptionDirectory, type SubscriptionDirectory } from '../platform/subscription-directory.ts';

/** The ports the delivery path uses (services.ts Ports has them all). */
export interface DispatcherPorts {
  clock: Clock;
  subscriptions: SubscriptionStore;
  subscriptionRemoval: SubscriptionRemoval;
  attempts: AttemptStore;
  messages: MessageStore;
  queue: EventQueue;
  /** The slow lane's queue (deliveries to endpoints that recently hung); absent: no slow lane. */
  slowQueue?: EventQueue;
  /** Paces endpoints with a `rateLimit` (shared by every consumer instance); absent: they are not limited. */
  rateLimiter?: RateLimiter;
  deadLetters: DeadLetterQueue;
  transport: Transport;
  notifier: Notifier;
}

export interface DispatcherOptions {
  /** Counts deliveries (CloudWatch EMF metrics in the consumer). */
  count?: (metric: DeliveryMetric) => void;
  /** The floor after a 429 or a timeout (default THROTTLED_MINIMUM_SECONDS, capped by the schedule). */
  throttledMinimumSeconds?: number;
  random?: () => number;
}

/** The consumer's engine: one queue record in, its deliveries made durable or a throw. */
export type Dispatcher = (queued: QueueMessage, options?: DispatchOptions) => Promise<void>;

/** The FIFO consumer's engine: one delivery of a group, done or held (core/engine/fifo.ts). */
export type FifoDeliverer = (queued: DeliveryMessage, receipt: FifoReceipt) => Promise<FifoOutcome>;

/** What one delivery attempt needs (the consumer's and the API's test sends alike). */
export const deliveryDeps = (ports: Pick<DispatcherPorts, 'transport' | 'clock'>, settings: Settings): DeliveryDeps => ({
  transport: ports.transport,
  clock: ports.clock,
  deliveryTimeoutMs: settings.deliveryTimeoutMs,
  userAgent: `Hookpost/${settings.version}`,
});

/** The subscriptions with this process's cache (the delivery path reads through it). */
export const subscriptionDirectory = (ports: DispatcherPorts, settings: Settings): SubscriptionDirectory =>
  createSubscriptionDirectory({
    store: ports.subscriptions,
    removal: ports.subscriptionRemoval,
    clock: ports.clock,
    cacheMs: settings.subscriptionCacheMs,
  });

/** What both engines run on: the same deps, so both lanes retry, dead-letter and pace alike. */
export function dispatchDeps(
  ports: DispatcherPorts,
  settings: Settings,
  options: DispatcherOptions = {},
  directory: SubscriptionDirectory = subscriptionDirectory(ports, settings),
): DispatchDeps {
  return {
    ...deliveryDeps(ports, settings),
    subscriptions: directory,
    attempts: ports.attempts,
    messages: ports.messages,
    queue: ports.queue,
    deadLetters: ports.deadLetters,
    notifier: ports.notifier,
    operations: createOperationalEvents({ queue: ports.queue, clock: ports.clock }),
    retryScheduleSeconds: settings.retryScheduleSeconds,
    throttledMinimumSeconds: options.throttledMinimumSeconds ?? THROTTLED_MINIMUM_SECONDS,
    disableAfterFailingMs: settings.disableAfterFailingMs,
    count: options.count,
    random: options.random,
    slowQueue: ports.slowQueue,
    slowLaneAfterMs: settings.slowLaneAfterMs,
    slowLaneHoldMs: settings.slowLaneHoldMs,
    patience: createPatience(),
    rateLimiter: ports.rateLimiter,
    rateLimitInlineWaitMs: settings.rateLimitInlineWaitMs,
  };
}

/** The events and slow-lane queues' consumer engine (functions/consumer.ts). */
export function createDispatcher(ports: DispatcherPorts, settings: Settings, options: DispatcherOptions = {}): Dispatcher {
  const deps = dispatchDeps(ports, settings, options);
  return (queued, dispatchOptions) => dispatch(deps, queued, dispatchOptions);
}

/** The FIFO queue's consumer engine (functions/fifo-consumer.ts). */
export function createFifoDeliverer(ports: DispatcherPorts, settings: Settings, options: DispatcherOptions = {}): FifoDeliverer {
  const deps = dispatchDeps(ports, settings, options);
  return (queued, receipt) => deliverInOrder(deps, queued, receipt);
}
