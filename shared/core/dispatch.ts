/**
 * The consumer's core: fan an event out to its tenant's matching subscriptions, and retry each
 * failed (message, subscription) pair on its own so a healthy endpoint is never sent to twice.
 *
 * The slow lane: an endpoint whose attempt timed out (or took `slowLaneAfterMs`) is marked
 * `slowUntil`; while marked, the main consumer does not attempt it inline but hands the delivery to
 * the slow queue, whose own consumer (separate concurrency) makes the attempt with the same retry
 * schedule, attempt log and dead letters. A batch on the main lane then waits for a hanging endpoint
 * at most once per endpoint (the attempt that marks it), not once per event.
 */
import type { DeliveryLane, Message, Subscription } from './domain.ts';
import { attemptDelivery, deliveryBody, type DeliveryDeps, type DeliveryOutcome } from './delivery.ts';
import { wantsMessage } from './match.ts';
import { DELIVERY_METRICS, type DeliveryMetric } from './metrics.ts';
import type { OperationalEvents } from './operational-events.ts';
import {
  type AttemptStore,
  type DeadLetter,
  type DeadLetterQueue,
  type EventQueue,
  MAX_QUEUE_DELAY_SECONDS,
  type MessageStore,
  type Notifier,
} from './ports.ts';
import type { DeliveryMessage, QueueMessage } from './queue-message.ts';
import { nextRetryDelaySeconds, throttledFloorSeconds } from './retry-policy.ts';
import { DEFAULTS } from './settings.ts';
import type { SubscriptionDirectory } from './subscription-directory.ts';

/** Cached reads of a tenant's subscriptions, plus the writes the engine makes to them. */
export type SubscriptionLookup = Pick<SubscriptionDirectory, 'forTenant' | 'get' | 'disable' | 'markFailing' | 'markHealthy'> &
  Partial<Pick<SubscriptionDirectory, 'markSlow'>>;

/** Slack for clock differences between the ingest and consumer functions when reading the attempt log. */
const CLOCK_SKEW_MS = 60_000;

export interface DispatchDeps extends DeliveryDeps {
  subscriptions: SubscriptionLookup;
  attempts: AttemptStore;
  messages: MessageStore;
  queue: EventQueue;
  deadLetters: DeadLetterQueue;
  retryScheduleSeconds: readonly number[];
  /** Floor for the wait after a 429 or a timeout (capped by the schedule in use: a short schedule keeps its scale). */
  throttledMinimumSeconds: number;
  /** A subscription failing without a success for this long is disabled. */
  disableAfterFailingMs: number;
  notifier: Notifier;
  /** Operational events to `_operations` (disabled, exhausted, recovered); absent: none. */
  operations?: OperationalEvents;
  count?: (metric: DeliveryMetric) => void;
  random?: () => number;
  /** The slow lane's queue; without it (or without `subscriptions.markSlow`) every delivery is attempted inline. */
  slowQueue?: EventQueue;
  /** An attempt that times out or lasts at least this long marks its endpoint slow. @default DEFAULTS.slowLaneAfterMs */
  slowLaneAfterMs?: number;
  /** How long that mark lasts after the last slow attempt. @default DEFAULTS.slowLaneHoldMs */
  slowLaneHoldMs?: number;
}

export interface DispatchOptions {
  /** The queue the record came from: `slow` for the slow lane's. @default 'main' */
  lane?: DeliveryLane;
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
    (subscription) => wantsMessage(subscription, message),
  );
  const body = deliveryBody(message);
  const lane = options.lane ?? 'main';
  await settleAll(
    targets.map(async (subscription) => {
      if (options.redelivered && (await alreadyDelivered(deps, message, subscription))) return;
      const first: DeliveryMessage = { kind: 'delivery', message, subscriptionId: subscription.id, attempt: 1, dueAt: 0 };
      if (await deferredToSlowLane(deps, lane, subscription, first)) return;
      await deliverOnce(deps, message, subscription, 1, lane, body);
    }),
  );
}

const slowLaneEnabled = (deps: DispatchDeps) => deps.slowQueue !== undefined && deps.subscriptions.markSlow !== undefined;

/** The slow lane's queue when the endpoint is marked slow now; undefined without a slow lane. */
function slowQueueFor(deps: DispatchDeps, subscription: Subscription): EventQueue | undefined {
  if (!slowLaneEnabled(deps) || !subscription.slowUntil) return undefined;
  return Date.parse(subscription.slowUntil) > deps.clock.now() ? deps.slowQueue : undefined;
}

/** On the main lane, hands a due delivery to a slow endpoint over to the slow lane instead of attempting it. */
async function deferredToSlowLane(
  deps: DispatchDeps,
  lane: DeliveryLane,
  subscription: Subscription,
  delivery: DeliveryMessage,
): Promise<boolean> {
  const slowQueue = lane === 'main' ? slowQueueFor(deps, subscription) : undefined;
  if (!slowQueue) return false;
  await slowQueue.enqueue(delivery);
  deps.count?.(DELIVERY_METRICS.deferredToSlowLane);
  return true;
}

const alreadyDelivered = (deps: DispatchDeps, message: Message, subscription: Subscription) =>
  deps.attempts.hasSucceeded(subscription.id, message.id, Date.parse(message.timestamp) - CLOCK_SKEW_MS);

async function deliverQueued(deps: DispatchDeps, queued: DeliveryMessage, options: DispatchOptions): Promise<void> {
  const waitMs = queued.dueAt - deps.clock.now();
  if (waitMs > 1000) {
    // Not due yet: SQS delays stop at 15 minutes, so longer waits hop through the queue (the same lane's).
    const queue = options.lane === 'slow' && deps.slowQueue ? deps.slowQueue : deps.queue;
    await queue.enqueue(queued, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(waitMs / 1000)));
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
  const lane = options.lane ?? 'main';
  if (await deferredToSlowLane(deps, lane, subscription, queued)) return;
  await deliverOnce(deps, queued.message, subscription, queued.attempt, lane);
}

async function deliverOnce(
  deps: DispatchDeps,
  message: Message,
  subscription: Subscription,
  attemptNumber: number,
  lane: DeliveryLane,
  body?: string,
): Promise<void> {
  const slowLaneAfterMs = deps.slowLaneAfterMs ?? DEFAULTS.slowLaneAfterMs;
  // The endpoint's own deadline when it has one, else the global one.
  const deadlineMs = subscription.timeoutMs ?? deps.deliveryTimeoutMs;
  // On the main lane an endpoint gets slowLaneAfterMs to answer, not the whole deadline: one that does
  // not is handed to the slow lane, so a batch waits for a newly hanging endpoint only that long.
  const cutShort = lane === 'main' && slowLaneEnabled(deps) && slowLaneAfterMs < deadlineMs;
  const attemptMs = cutShort ? slowLaneAfterMs : deadlineMs;
  // deps as they are in the common case: this runs once per delivery.
  const attemptDeps = attemptMs === deps.deliveryTimeoutMs ? deps : { ...deps, deliveryTimeoutMs: attemptMs };
  const { attempt, outcome } = await attemptDelivery(attemptDeps, message, subscription, attemptNumber, { body });
  if (lane === 'slow') attempt.lane = 'slow';
  if (cutShort && timedOut(attempt, outcome)) {
    // Not a spent attempt: the slow lane makes this same attempt now, with the full deadline (the
    // receiver may get the message twice, as at-least-once allows; webhook-id is the same).
    attempt.error = `${attempt.error}; handed to the slow lane, which retries this attempt at once with the full ${deadlineMs} ms`;
    await deps.attempts.record(attempt);
    if (attemptNumber === 1) await deps.messages.keep(message);
    await markSlow(deps, subscription);
    await (deps.slowQueue as EventQueue).enqueue({ kind: 'delivery', message, subscriptionId: subscription.id, attempt: attemptNumber, dueAt: 0 });
    deps.count?.(DELIVERY_METRICS.deferredToSlowLane);
    return;
  }
  await deps.attempts.record(attempt);
  const slow = attempt.durationMs >= slowLaneAfterMs || timedOut(attempt, outcome);
  if (outcome.kind === 'delivered') {
    deps.count?.(DELIVERY_METRICS.succeeded);
    if (!slow) {
      // A prompt success ends both a failure run and the endpoint's time in the slow lane.
      if (subscription.failingSince || subscription.slowUntil) await deps.subscriptions.markHealthy(subscription.tenant, subscription.id);
      if (subscription.failingSince) await deps.operations?.endpointRecovered(subscription);
      return;
    }
    // Delivered, but slowly: the failure run ends (which also ends the mark), the endpoint stays slow.
    if (subscription.failingSince) {
      await deps.subscriptions.markHealthy(subscription.tenant, subscription.id);
      await deps.operations?.endpointRecovered(subscription);
    }
    await markSlow(deps, subscription.failingSince ? { ...subscription, slowUntil: undefined } : subscription);
    return;
  }
  // Marked before the retry is queued, so the retry (and, within the cache time, every new event) takes the slow lane.
  const slowUntil = slow ? await markSlow(deps, subscription) : subscription.slowUntil;
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
  const delaySeconds = retryDelay(deps, subscription, outcome, attemptNumber);
  if (delaySeconds === undefined) {
    await deadLetter(deps, retry, `failed ${attemptNumber} attempts; last: ${outcome.reason}`, attempt);
    return;
  }
  const dueAt = deps.clock.now() + delaySeconds * 1000;
  // The retry waits in the lane the endpoint is in now (the slow one while it is marked).
  const queue = slowQueueFor(deps, { ...subscription, slowUntil }) ?? deps.queue;
  await queue.enqueue({ ...retry, dueAt }, Math.min(MAX_QUEUE_DELAY_SECONDS, delaySeconds));
}

/** No response before the deadline (delivery.ts classifies a timeout as retryable and throttled, without a status). */
const timedOut = (attempt: { statusCode?: number }, outcome: DeliveryOutcome) =>
  outcome.kind === 'retryable' && outcome.throttled && attempt.statusCode === undefined;

/**
 * Marks the endpoint slow for `slowLaneHoldMs` from now, unless it already is for at least half of
 * that (so a hanging endpoint costs one write per half hold, not one per attempt). Returns the mark.
 */
async function markSlow(deps: DispatchDeps, subscription: Subscription): Promise<string | undefined> {
  if (!deps.slowQueue || !deps.subscriptions.markSlow) return undefined;
  const holdMs = deps.slowLaneHoldMs ?? DEFAULTS.slowLaneHoldMs;
  const now = deps.clock.now();
  if (subscription.slowUntil && Date.parse(subscription.slowUntil) - now >= holdMs / 2) return subscription.slowUntil;
  const until = new Date(now + holdMs).toISOString();
  await deps.subscriptions.markSlow(subscription.tenant, subscription.id, until);
  return until;
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
  await deps.operations?.endpointDisabled(subscription, reason, at);
}

function retryDelay(
  deps: DispatchDeps,
  subscription: Subscription,
  outcome: Extract<DeliveryOutcome, { kind: 'retryable' }>,
  failedAttempt: number,
): number | undefined {
  // The endpoint's own schedule when it has one, else the global one.
  const schedule = subscription.retrySchedule ?? deps.retryScheduleSeconds;
  return nextRetryDelaySeconds({
    schedule,
    failedAttempt,
    retryAfterSeconds: outcome.retryAfterSeconds,
    minimumSeconds: outcome.throttled ? throttledFloorSeconds(schedule, deps.throttledMinimumSeconds) : undefined,
    random: deps.random,
  });
}

async function deadLetter(
  deps: DispatchDeps,
  message: DeliveryMessage,
  reason: string,
  lastAttempt?: Parameters<DeadLetterQueue['add']>[0]['lastAttempt'],
): Promise<void> {
  const deadLettered: DeadLetter = { reason, message, lastAttempt, deadLetteredAt: new Date(deps.clock.now()).toISOString() };
  await deps.deadLetters.add(deadLettered);
  deps.count?.(DELIVERY_METRICS.deadLettered);
  await deps.operations?.messageExhausted(deadLettered);
}

/** Waits for every delivery, then rethrows the first failure so none is cut short by another's error. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  // One matching endpoint (the usual fan-out): its own promise, without allSettled's result objects.
  if (work.length === 1) {
    await work[0];
    return;
  }
  const results = await Promise.allSettled(work);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
