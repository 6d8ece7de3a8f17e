/**
 * The consumer's core: fan an event out to its tenant's matching subscriptions, and retry each
 * failed (message, subscription) pair on its own so a healthy endpoint is never sent to twice.
 */
import type { Message, Subscription } from './domain.ts';
import { attemptDelivery, deliveryBody, type DeliveryDeps, type DeliveryOutcome } from './delivery.ts';
import { wantsEventType } from './match.ts';
import { DELIVERY_METRICS, type DeliveryMetric } from './metrics.ts';
import {
  type AttemptStore,
  type DeadLetterQueue,
  type EventQueue,
  MAX_QUEUE_DELAY_SECONDS,
  type MessageStore,
  type Notifier,
} from './ports.ts';
import type { DeliveryMessage, QueueMessage } from './queue-message.ts';
import { nextRetryDelaySeconds } from './retry-policy.ts';
import type { SubscriptionDirectory } from './subscription-directory.ts';

/** Cached reads of a tenant's subscriptions, plus the writes the engine makes to them. */
export type SubscriptionLookup = Pick<SubscriptionDirectory, 'forTenant' | 'get' | 'disable' | 'markFailing' | 'markHealthy'>;

/** Slack for clock differences between the ingest and consumer functions when reading the attempt log. */
const CLOCK_SKEW_MS = 60_000;

export interface DispatchDeps extends DeliveryDeps {
  subscriptions: SubscriptionLookup;
  attempts: AttemptStore;
  messages: MessageStore;
  queue: EventQueue;
  deadLetters: DeadLetterQueue;
  retryScheduleSeconds: readonly number[];
  /** Floor for the wait after a 429 or a timeout. */
  throttledMinimumSeconds: number;
  /** A subscription failing without a success for this long is disabled. */
  disableAfterFailingMs: number;
  notifier: Notifier;
  count?: (metric: DeliveryMetric) => void;
  random?: () => number;
}

export interface DispatchOptions {
  /**
   * The queue delivered this record before (a crash, a timeout, a failed batch item). Endpoints that
   * already accepted the message are then skipped: the attempt log is the ledger, read only here.
   */
  redelivered?: boolean;
}

/** Throws when anything could not be made durable; the queue record then fails and comes back. */
export async function dispatch(deps: DispatchDeps, queued: QueueMessage, options: DispatchOptions = {}): Promise<void> {
  if (queued.kind === 'event') return fanOut(deps, queued.message, options);
  return deliverQueued(deps, queued, options);
}

async function fanOut(deps: DispatchDeps, message: Message, options: DispatchOptions): Promise<void> {
  const targets = (await deps.subscriptions.forTenant(message.tenant)).filter(
    (subscription) => subscription.enabled && wantsEventType(subscription.eventTypes, message.type),
  );
  const body = deliveryBody(message);
  await settleAll(
    targets.map(async (subscription) => {
      if (options.redelivered && (await alreadyDelivered(deps, message, subscription))) return;
      await deliverOnce(deps, message, subscription, 1, body);
    }),
  );
}

const alreadyDelivered = (deps: DispatchDeps, message: Message, subscription: Subscription) =>
  deps.attempts.hasSucceeded(subscription.id, message.id, Date.parse(message.timestamp) - CLOCK_SKEW_MS);

async function deliverQueued(deps: DispatchDeps, queued: DeliveryMessage, options: DispatchOptions): Promise<void> {
  const waitMs = queued.dueAt - deps.clock.now();
  if (waitMs > 1000) {
    // Not due yet: SQS delays stop at 15 minutes, so longer waits hop through the queue.
    await deps.queue.enqueue(queued, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(waitMs / 1000)));
    return;
  }
  const { tenant } = queued.message;
  let subscription = (await deps.subscriptions.forTenant(tenant)).find((candidate) => candidate.id === queued.subscriptionId);
  // The cached list may be older than the subscription (created moments ago) or than its re-enabling:
  // read it afresh before dropping or dead-lettering anything.
  if (!subscription?.enabled) subscription = await deps.subscriptions.get(tenant, queued.subscriptionId);
  if (!subscription) return; // deleted by its owner: its deliveries go with it
  if (!subscription.enabled) {
    await deadLetter(deps, queued, `subscription disabled${subscription.disabledReason ? ` (${subscription.disabledReason})` : ''}`);
    return;
  }
  if (options.redelivered && (await alreadyDelivered(deps, queued.message, subscription))) return;
  await deliverOnce(deps, queued.message, subscription, queued.attempt);
}

async function deliverOnce(
  deps: DispatchDeps,
  message: Message,
  subscription: Subscription,
  attemptNumber: number,
  body?: string,
): Promise<void> {
  const { attempt, outcome } = await attemptDelivery(deps, message, subscription, attemptNumber, { body });
  await deps.attempts.record(attempt);
  if (outcome.kind === 'delivered') {
    deps.count?.(DELIVERY_METRICS.succeeded);
    if (subscription.failingSince) await deps.subscriptions.markHealthy(subscription.tenant, subscription.id);
    return;
  }
  deps.count?.(DELIVERY_METRICS.failed);
  // Kept on the first failure so it can be redelivered or recovered later (idempotent put).
  if (attemptNumber === 1) await deps.messages.keep(message);
  const retry: DeliveryMessage = {
    kind: 'delivery',
    message,
    subscriptionId: subscription.id,
    attempt: attemptNumber + 1,
    dueAt: 0,
  };
  if (outcome.kind === 'permanent') {
    if (outcome.disableSubscription) await disable(deps, subscription, outcome.reason, attempt.timestamp);
    await deadLetter(deps, retry, outcome.reason, attempt);
    return;
  }
  const failingSince = subscription.failingSince ? Date.parse(subscription.failingSince) : undefined;
  if (failingSince === undefined) {
    await deps.subscriptions.markFailing(subscription.tenant, subscription.id, attempt.timestamp);
  } else if (deps.clock.now() - failingSince >= deps.disableAfterFailingMs) {
    const days = Math.round((deps.clock.now() - failingSince) / 86_400_000);
    const reason = `no successful delivery for ${days} days; last: ${outcome.reason}`;
    await disable(deps, subscription, reason, attempt.timestamp);
    await deadLetter(deps, retry, `subscription disabled (${reason})`, attempt);
    return;
  }
  const delaySeconds = retryDelay(deps, outcome, attemptNumber);
  if (delaySeconds === undefined) {
    await deadLetter(deps, retry, `failed ${attemptNumber} attempts; last: ${outcome.reason}`, attempt);
    return;
  }
  const dueAt = deps.clock.now() + delaySeconds * 1000;
  await deps.queue.enqueue({ ...retry, dueAt }, Math.min(MAX_QUEUE_DELAY_SECONDS, delaySeconds));
}

async function disable(deps: DispatchDeps, subscription: Subscription, reason: string, at: string): Promise<void> {
  await deps.subscriptions.disable(subscription.tenant, subscription.id, reason, at);
  await deps.notifier.publish({
    type: 'endpoint.disabled',
    tenant: subscription.tenant,
    subscriptionId: subscription.id,
    url: subscription.url,
    reason,
    at,
  });
}

function retryDelay(
  deps: DispatchDeps,
  outcome: Extract<DeliveryOutcome, { kind: 'retryable' }>,
  failedAttempt: number,
): number | undefined {
  return nextRetryDelaySeconds({
    schedule: deps.retryScheduleSeconds,
    failedAttempt,
    retryAfterSeconds: outcome.retryAfterSeconds,
    minimumSeconds: outcome.throttled ? deps.throttledMinimumSeconds : undefined,
    random: deps.random,
  });
}

async function deadLetter(
  deps: DispatchDeps,
  message: DeliveryMessage,
  reason: string,
  lastAttempt?: Parameters<DeadLetterQueue['add']>[0]['lastAttempt'],
): Promise<void> {
  await deps.deadLetters.add({ reason, message, lastAttempt, deadLetteredAt: new Date(deps.clock.now()).toISOString() });
  deps.count?.(DELIVERY_METRICS.deadLettered);
}

/** Waits for every delivery, then rethrows the first failure so none is cut short by another's error. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
