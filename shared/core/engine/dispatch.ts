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
import type { Attempt, DeliveryLane, Message, Subscription } from '../platform/domain.ts';
import { attemptDelivery, deadlineMs, deliveryBody, type DeliveryDeps, type DeliveryOutcome } from './delivery.ts';
import { wantsMessage } from './match.ts';
import type { Patience } from './patience.ts';
import { DELIVERY_METRICS, type DeliveryMetric } from './metrics.ts';
import type { OperationalEvents } from '../platform/operational-events.ts';
import {
  type AttemptStore,
  type DeadLetter,
  type DeadLetterQueue,
  type EventQueue,
  MAX_QUEUE_DELAY_SECONDS,
  type MessageStore,
  type Notifier,
  type RateLimiter,
} from '../platform/ports.ts';
import type { DeliveryMessage, QueueMessage } from '../platform/queue-message.ts';
import { nextRetryDelaySeconds, throttledFloorSeconds } from './retry-policy.ts';
import type { SubscriptionDirectory } from '../platform/subscription-directory.ts';

/** Cached reads of a tenant's subscriptions, plus the writes the engine makes to them. */
export type SubscriptionLookup = Pick<SubscriptionDirectory, 'forTenant' | 'get' | 'disable' | 'markFailing' | 'markHealthy'> &
  Partial<Pick<SubscriptionDirectory, 'markSlow'>>;

/** Slack for clock differences between the ingest and consumer functions when reading the attempt log. */
const CLOCK_SKEW_MS = 60_000;

/** Where the attempt log of a message starts, for the ledger reads of a redelivered record (both lanes and FIFO). */
export const ledgerSinceMs = (message: Message): number => Date.parse(message.timestamp) - CLOCK_SKEW_MS;

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
  /** An attempt that times out or lasts at least this long marks its endpoint slow (settings.slowLaneAfterMs). */
  slowLaneAfterMs: number;
  /** How long that mark lasts after the last slow attempt (settings.slowLaneHoldMs). */
  slowLaneHoldMs: number;
  /** Shortens the main lane's wait for an endpoint that has answered promptly (patience.ts); absent: `slowLaneAfterMs` for all. */
  patience?: Patience;
  /** Paces endpoints that have a `rateLimit`; without it their deliveries are not limited. */
  rateLimiter?: RateLimiter;
  /** A slot at most this far off is waited for inline (settings.rateLimitInlineWaitMs). */
  rateLimitInlineWaitMs: number;
  /** Waits that long (the clock's time; tests pass one that moves their clock). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
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
export function dispatch(deps: DispatchDeps, queued: QueueMessage, options: DispatchOptions = {}): Promise<void> {
  // Not async: an async function returning a promise costs extra microtask turns, on every delivery.
  return queued.kind === 'event' ? fanOut(deps, queued.message, options, queued.fifoRouted) : deliverQueued(deps, queued, options);
}

/**
 * Every subscription that wants the message, its first attempt each. The usual delivery (no slow
 * lane, no rate limit, not redelivered) goes straight to deliverOnce: no promise per check that does
 * not apply, since this runs once per delivery (`npm run bench`).
 */
async function fanOut(deps: DispatchDeps, message: Message, options: DispatchOptions, fifoRouted: readonly string[] | undefined): Promise<void> {
  const subscriptions = await deps.subscriptions.forTenant(message.tenant);
  const skipped = fifoRouted && fifoRouted.length > 0 ? new Set(fifoRouted) : undefined;
  const body = deliveryBody(message);
  const lane = options.lane ?? 'main';
  // Every target is chosen before any delivery starts, so a filter that throws fails the record with nothing sent.
  const targets = subscriptions.filter((subscription) => !skipped?.has(subscription.id) && wantsMessage(subscription, message));
  const work = targets.map((subscription) =>
    options.redelivered || diverts(deps, lane, subscription)
      ? firstAttemptChecked(deps, message, subscription, lane, body, options)
      : deliverOnce(deps, message, subscription, 1, lane, body),
  );
  // One matching endpoint (the usual fan-out): its own promise, without allSettled's result objects.
  if (work.length === 1) await work[0];
  else await settleAll(work);
}

/** A first attempt that one of the checks applies to: already delivered (a redelivered record), slow lane, or rate limit. */
async function firstAttemptChecked(
  deps: DispatchDeps,
  message: Message,
  subscription: Subscription,
  lane: DeliveryLane,
  body: string,
  options: DispatchOptions,
): Promise<void> {
  if (options.redelivered && (await alreadyDelivered(deps, message, subscription))) return;
  const first: DeliveryMessage = { kind: 'delivery', message, subscriptionId: subscription.id, attempt: 1, dueAt: 0 };
  if (await deferredToSlowLane(deps, lane, subscription, first)) return;
  if (await heldForRateLimit(deps, lane, subscription, first)) return;
  await deliverOnce(deps, message, subscription, 1, lane, body);
}

/** Whether a due delivery may go elsewhere than straight to its attempt: the slow lane, or a wait for its rate limit. */
const diverts = (deps: DispatchDeps, lane: DeliveryLane, subscription: Subscription): boolean =>
  (lane === 'main' && slowQueueFor(deps, subscription) !== undefined) || (subscription.rateLimit !== undefined && deps.rateLimiter !== undefined);

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

/** How far ahead a rate-limited endpoint's slots are booked at most: the longest SQS delay. */
const RATE_LIMIT_HORIZON_MS = MAX_QUEUE_DELAY_SECONDS * 1000;
/**
 * Slots are reserved from this far ahead of now, so the limiter's round trip (a DynamoDB update) is
 * over before the slot starts and does not make the send late.
 */
export const RATE_LIMIT_LEAD_MS = 20;
/** The least lateness tolerated (timers fire a millisecond or so late); below it a fast limit would never be on time. */
const TIMER_SLACK_MS = 2;
/** New reservations one dispatch makes before it hands the delivery back to the queue instead (a clock or limiter that keeps it late). */
const MAX_RESERVATIONS = 3;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Paces an endpoint with a `rateLimit` through the shared limiter, right before the attempt: waits
 * inline for a slot that is near, else hands the delivery back to its lane's queue, carrying the slot
 * and the same attempt number, to return shortly before it. True when the delivery was handed back.
 * A send happens in [slot, slot + width/2] (at least TIMER_SLACK_MS): one later than that, back from
 * the queue or woken late, takes a new slot instead of sending late, so any second holds at most
 * rateLimit + 1 sends. Waiting is not an attempt and costs no retry.
 */
async function heldForRateLimit(
  deps: DispatchDeps,
  lane: DeliveryLane,
  subscription: Subscription,
  delivery: DeliveryMessage,
): Promise<boolean> {
  const limiter = deps.rateLimiter;
  if (!subscription.rateLimit || !limiter) return false;
  const widthMs = 1000 / subscription.rateLimit;
  const lateMs = Math.max(widthMs / 2, TIMER_SLACK_MS);
  const inlineMs = deps.rateLimitInlineWaitMs;
  const queue = lane === 'slow' && deps.slowQueue ? deps.slowQueue : deps.queue;
  const { slotAt, ...unreserved } = delivery;
  const handBack = async (message: DeliveryMessage, delaySeconds: number) => {
    await queue.enqueue(message, delaySeconds);
    deps.count?.(DELIVERY_METRICS.rateLimited);
    return true;
  };
  let slot = slotAt;
  let limited = false;
  for (let reservations = 0; ; ) {
    const now = deps.clock.now();
    if (slot === undefined || now > slot + lateMs) {
      // None yet, or missed: a new slot rather than a late send.
      if (reservations === MAX_RESERVATIONS) return handBack(unreserved, 1);
      reservations += 1;
      const from = now + RATE_LIMIT_LEAD_MS;
      slot = await limiter.reserve(subscription.id, widthMs, from, RATE_LIMIT_HORIZON_MS);
      // Booked out for the next 15 minutes: come back then and reserve again.
      if (slot === undefined) return handBack(unreserved, MAX_QUEUE_DELAY_SECONDS);
      limited ||= slot > from;
      continue;
    }
    const waitMs = slot - now;
    if (waitMs <= 0) {
      if (limited) deps.count?.(DELIVERY_METRICS.rateLimited);
      return false;
    }
    if (waitMs > inlineMs) {
      // SQS delays are whole seconds: aim at half the inline wait before the slot, and wait out the rest then.
      const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.round((waitMs - inlineMs / 2) / 1000)));
      return handBack({ ...unreserved, slotAt: slot }, delaySeconds);
    }
    await (deps.sleep ?? defaultSleep)(waitMs);
  }
}

/**
 * The rate limit on the FIFO lane: a group is its endpoint's one sender, so its next slot is at most
 * a slot width away (more only when the endpoint also gets test events or redeliveries). That wait is
 * slept here; a longer one holds the group instead (the slot is given up, and taken afresh when the
 * record is back), since a FIFO record cannot be handed back to the end of the queue. Returns the
 * seconds to hold, or undefined to send now.
 */
export async function paceInOrder(deps: DispatchDeps, subscription: Subscription): Promise<number | undefined> {
  const limiter = deps.rateLimiter;
  if (!subscription.rateLimit || !limiter) return undefined;
  const from = deps.clock.now() + RATE_LIMIT_LEAD_MS;
  const slot = await limiter.reserve(subscription.id, 1000 / subscription.rateLimit, from, RATE_LIMIT_HORIZON_MS);
  if (slot === undefined) return MAX_QUEUE_DELAY_SECONDS;
  const waitMs = slot - deps.clock.now();
  if (waitMs > deps.rateLimitInlineWaitMs) return Math.ceil(waitMs / 1000);
  if (slot > from) deps.count?.(DELIVERY_METRICS.rateLimited);
  if (waitMs > 0) await (deps.sleep ?? defaultSleep)(waitMs);
  return undefined;
}

const alreadyDelivered = (deps: DispatchDeps, message: Message, subscription: Subscription) =>
  deps.attempts.hasSucceeded(subscription.id, message.id, ledgerSinceMs(message));

async function deliverQueued(deps: DispatchDeps, queued: DeliveryMessage, options: DispatchOptions): Promise<void> {
  const waitMs = queued.dueAt - deps.clock.now();
  if (waitMs > 1000) {
    // Not due yet: SQS delays stop at 15 minutes, so longer waits hop through the queue (the same lane's).
    const queue = options.lane === 'slow' && deps.slowQueue ? deps.slowQueue : deps.queue;
    await queue.enqueue(queued, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(waitMs / 1000)));
    return;
  }
  const subscription = await enabledSubscription(deps, queued);
  if (!subscription) return;
  if (options.redelivered && (await alreadyDelivered(deps, queued.message, subscription))) return;
  const lane = options.lane ?? 'main';
  if (await deferredToSlowLane(deps, lane, subscription, queued)) return;
  if (await heldForRateLimit(deps, lane, subscription, queued)) return;
  await deliverOnce(deps, queued.message, subscription, queued.attempt, lane);
}

/**
 * The subscription a due delivery goes to, when it is there and enabled. Otherwise the delivery ends
 * here: dropped when its owner deleted the subscription, dead-lettered when it is disabled. The cached
 * list may be older than the subscription (created moments ago) or than its re-enabling, so it is read
 * afresh before anything is dropped or dead-lettered.
 */
export async function enabledSubscription(deps: DispatchDeps, queued: DeliveryMessage): Promise<Subscription | undefined> {
  const { tenant } = queued.message;
  let subscription = (await deps.subscriptions.forTenant(tenant)).find((candidate) => candidate.id === queued.subscriptionId);
  if (!subscription?.enabled) subscription = await deps.subscriptions.get(tenant, queued.subscriptionId);
  if (!subscription) return undefined; // deleted by its owner: its deliveries go with it
  if (!subscription.enabled) {
    await deadLetter(deps, queued, `subscription disabled${subscription.disabledReason ? ` (${subscription.disabledReason})` : ''}`);
    return undefined;
  }
  return subscription;
}

async function deliverOnce(
  deps: DispatchDeps,
  message: Message,
  subscription: Subscription,
  attemptNumber: number,
  lane: DeliveryLane,
  body?: string,
): Promise<void> {
  const { slowLaneAfterMs } = deps;
  const deadline = deadlineMs(deps, subscription);
  // On the main lane an endpoint gets at most slowLaneAfterMs to answer (less when it has been prompt:
  // patience.ts), not the whole deadline: one that does not is handed to the slow lane, so a batch
  // waits for a newly hanging endpoint only that long.
  const mainLaneMs = lane === 'main' && slowLaneEnabled(deps) ? (deps.patience?.cutOffMs(subscription.id, slowLaneAfterMs) ?? slowLaneAfterMs) : deadline;
  const cutShort = mainLaneMs < deadline;
  const attemptMs = Math.min(mainLaneMs, deadline);
  const { attempt, outcome } = await attemptDelivery(deps, message, subscription, attemptNumber, { body, timeoutMs: attemptMs });
  if (lane === 'slow') attempt.lane = 'slow';
  if (attempt.statusCode !== undefined) deps.patience?.answered(subscription.id, attempt.durationMs);
  if (cutShort && timedOut(attempt, outcome)) {
    // Not a spent attempt: the slow lane makes this same attempt now, with the full deadline (the
    // receiver may get the message twice, as at-least-once allows; webhook-id is the same).
    attempt.error = `${attempt.error}; handed to the slow lane, which retries this attempt at once with the full ${deadline} ms`;
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
  const retry: DeliveryMessage = { kind: 'delivery', message, subscriptionId: subscription.id, attempt: attemptNumber + 1, dueAt: 0 };
  const delaySeconds = await settleFailure(deps, retry, subscription, attempt, outcome);
  if (delaySeconds === undefined) return;
  const dueAt = deps.clock.now() + delaySeconds * 1000;
  // The retry waits in the lane the endpoint is in now (the slow one while it is marked).
  const queue = slowQueueFor(deps, { ...subscription, slowUntil }) ?? deps.queue;
  await queue.enqueue({ ...retry, dueAt }, Math.min(MAX_QUEUE_DELAY_SECONDS, delaySeconds));
}

/**
 * After a failed attempt (`retry` is the delivery of the next one): keeps the message on the first
 * failure, starts or checks the failure run, and either dead-letters (permanent, failing too long,
 * schedule used up: undefined) or answers the seconds to wait before `retry`. Every lane's consumer
 * ends a failure this way; each waits in its own way (the main lanes re-queue, FIFO holds the group).
 */
export async function settleFailure(
  deps: DispatchDeps,
  retry: DeliveryMessage,
  subscription: Subscription,
  attempt: Attempt,
  outcome: Exclude<DeliveryOutcome, { kind: 'delivered' }>,
): Promise<number | undefined> {
  const failedAttempt = retry.attempt - 1;
  // Kept on the first failure so it can be redelivered or recovered later (idempotent put).
  if (failedAttempt === 1) await deps.messages.keep(retry.message);
  if (outcome.kind === 'permanent') {
    if (outcome.disableSubscription) await disable(deps, subscription, outcome.reason, attempt.timestamp);
    await deadLetter(deps, retry, outcome.reason, attempt);
    return undefined;
  }
  const failingSince = subscription.failingSince ? Date.parse(subscription.failingSince) : undefined;
  if (failingSince === undefined) {
    await deps.subscriptions.markFailing(subscription.tenant, subscription.id, attempt.timestamp);
  } else if (deps.clock.now() - failingSince >= deps.disableAfterFailingMs) {
    const reason = `no successful delivery for ${elapsed(deps.clock.now() - failingSince)}; last: ${outcome.reason}`;
    await disable(deps, subscription, reason, attempt.timestamp);
    await deadLetter(deps, retry, `subscription disabled (${reason})`, attempt);
    return undefined;
  }
  const delaySeconds = retryDelay(deps, subscription, outcome, failedAttempt);
  if (delaySeconds === undefined) await deadLetter(deps, retry, `failed ${failedAttempt} attempts; last: ${outcome.reason}`, attempt);
  return delaySeconds;
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
  const holdMs = deps.slowLaneHoldMs;
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

export async function deadLetter(
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
  const results = await Promise.allSettled(work);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

const UNITS: Array<[ms: number, name: string]> = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1_000, 'second'],
];

/** A failing streak's length in its largest whole unit (`5 days`, `2 hours`): the setting is in hours. */
function elapsed(ms: number): string {
  for (const [size, name] of UNITS) {
    if (ms < size) continue;
    const count = Math.floor(ms / size);
    return `${count} ${name}${count === 1 ? '' : 's'}`;
  }
  return `${Math.max(0, Math.floor(ms))} ms`;
}
