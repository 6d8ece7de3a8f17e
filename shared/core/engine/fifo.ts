/**
 * FIFO endpoints (`ordering: "fifo"`): each receives its events one at a time in publish order, and a
 * failing event holds the ones behind it until it succeeds or is dead-lettered.
 *
 * Order is fixed at publish. The events queue is a standard queue, so its fan-out cannot restore the
 * order; instead the ingest sends one delivery per FIFO subscription that wants the event to the FIFO
 * queue (message group = subscription id), in publish order, before it answers 2xx, and names those
 * subscriptions on the event (`fifoRouted`) so the main fan-out skips exactly them. The FIFO consumer
 * (deliverInOrder) then attempts each delivery with the endpoint's full deadline and answers `done`
 * (acknowledge it: delivered, dead-lettered or dropped) or `hold` (leave it in the queue, hidden for
 * the retry delay, and its group waits at it).
 */
import { attemptDelivery, deadlineMs } from './delivery.ts';
import type { Message, Subscription } from '../platform/domain.ts';
import { type DispatchDeps, enabledSubscription, ledgerSinceMs, paceInOrder, settleFailure } from './dispatch.ts';
import { wantsMessage } from './match.ts';
import { DELIVERY_METRICS } from './metrics.ts';
import {
  type Clock,
  type FifoQueue,
  queueBatches,
  type SubscriptionRoute,
  type SubscriptionRoutes,
} from '../platform/ports.ts';
import { type DeliveryMessage, queueBodyBytes } from '../platform/queue-message.ts';
import { TtlCache } from '../platform/ttl-cache.ts';

/**
 * SQS keeps a received message hidden for at most 12 hours from its receive (the time already passed
 * counts: a change past that is refused): a longer retry wait holds the group this long, leaving the
 * longest a batch can have run before the hold (Lambda's 900 s maximum timeout), and the retry comes sooner.
 */
export const MAX_HOLD_SECONDS = 12 * 60 * 60 - 900;

/**
 * Receives before SQS moves a FIFO record to the FIFO DLQ (locally and in the CDK stack). Well above
 * the longest schedule (21 attempts): a record handed back unattempted behind a held one counts a
 * receive too, which is why attempts are numbered from the attempt log, not from this count.
 */
export const FIFO_MAX_RECEIVE_COUNT = 100;

/**
 * What a FIFO record needs of its invocation beyond its attempt's deadline (and the rate limit's inline
 * wait, when it has one): reading the attempt log and subscription before, recording the attempt and
 * settling a failure after, and the batch's visibility changes and answer at the end.
 */
export const FIFO_FINISH_MARGIN_MS = 5_000;

/**
 * What one FIFO record comes to: acknowledge it, keep it (and its group) waiting this long, or hand it
 * back unattempted (too little of the invocation left for its deadline): it and its group's later
 * records are made visible again at once, for the next invocation.
 */
export type FifoOutcome = { kind: 'done' } | { kind: 'hold'; seconds: number } | { kind: 'handBack' };

const done: FifoOutcome = { kind: 'done' };
const handBack: FifoOutcome = { kind: 'handBack' };

// ---- Publish side: routing an event to the FIFO subscriptions that want it ----

/** The FIFO subscriptions that want each event, and the one delivery per (event, subscription) to send. */
export interface FifoRouter {
  /**
   * Sends the deliveries of `messages` (in this order) to the FIFO queue, one SendMessageBatch after
   * the other so the order holds across batches. Returns, per message, the subscriptions it was sent
   * to; a message from the first one that could not be sent on (and every later one that has FIFO
   * subscriptions) is `undefined`, so the caller fails it: a later event never overtakes an earlier one.
   */
  route(messages: Message[]): Promise<(string[] | undefined)[]>;
}

export function createFifoRouter(deps: {
  routes: SubscriptionRoutes;
  queue: FifoQueue;
  clock: Clock;
  /** How long a tenant's routes are cached (the same as the consumer's subscription cache). */
  cacheMs: number;
}): FifoRouter {
  const tenants = new TtlCache<SubscriptionRoute[]>(deps.cacheMs, deps.clock);
  const fifoTargets = async (message: Message): Promise<string[]> => {
    const routes = await tenants.get(message.tenant, () => deps.routes.listByTenant(message.tenant));
    return routes.filter((route) => route.ordering === 'fifo' && wantsMessage(route, message)).map((route) => route.id);
  };
  return {
    async route(messages) {
      const targets = await Promise.all(messages.map(fifoTargets));
      const deliveries = messages.flatMap((message, index) =>
        (targets[index] ?? []).map((subscriptionId) => ({ index, delivery: firstDelivery(message, subscriptionId) })),
      );
      const routed: (string[] | undefined)[] = targets.slice();
      // A delivery is never split from its order; one large event to four FIFO endpoints is four copies of it.
      for (const group of queueBatches(deliveries, (item) => queueBodyBytes(item.delivery))) {
        const failedAt = await sendInOrder(deps.queue, group.map(({ delivery }) => delivery));
        if (failedAt === undefined) continue;
        // This message and every later one with FIFO subscriptions are not published.
        const firstFailed = (group[failedAt] as (typeof group)[number]).index;
        for (let index = firstFailed; index < messages.length; index += 1) if ((targets[index] ?? []).length > 0) routed[index] = undefined;
        break;
      }
      return routed;
    },
  };
}

const firstDelivery = (message: Message, subscriptionId: string): DeliveryMessage => ({
  kind: 'delivery',
  message,
  subscriptionId,
  attempt: 1,
  dueAt: 0,
});

/** The position of the first delivery the queue did not take (a throw: the first), or undefined. */
async function sendInOrder(queue: FifoQueue, deliveries: DeliveryMessage[]): Promise<number | undefined> {
  try {
    const results = await queue.enqueueBatch(deliveries);
    const failed = results.findIndex((result) => !result.ok);
    return failed === -1 ? undefined : failed;
  } catch {
    return 0;
  }
}

// ---- Consumer side: one delivery of a FIFO group ----

export interface FifoReceipt {
  /** How often the queue has handed this record out (1 the first time). */
  receiveCount: number;
  /**
   * The invocation's time left (Lambda's `getRemainingTimeInMillis`); none: no limit (the local poller,
   * or a group's first record of an invocation, which starts with the invocation's whole budget).
   */
  remainingMs?: () => number;
}

/** The time a record must have left to be attempted in this invocation: its deadline, pacing wait and the margin. */
export function fifoTimeNeededMs(deps: Pick<DispatchDeps, 'deliveryTimeoutMs' | 'rateLimitInlineWaitMs' | 'rateLimiter'>, subscription: Subscription): number {
  const pacing = subscription.rateLimit && deps.rateLimiter ? deps.rateLimitInlineWaitMs : 0;
  return deadlineMs(deps, subscription) + pacing + FIFO_FINISH_MARGIN_MS;
}

/**
 * One FIFO delivery, attempted with the endpoint's full deadline (there is no slow lane: the group
 * waits anyway), and paced by the endpoint's rate limit (paceInOrder). The attempt number comes from the attempt log, not from the receive count: a
 * record handed back unattempted behind a held one was received without an attempt. A record
 * received before may already have been delivered (a crash before its acknowledgement): the log
 * then says so and it is acknowledged without a second POST.
 */
export async function deliverInOrder(deps: DispatchDeps, queued: DeliveryMessage, receipt: FifoReceipt): Promise<FifoOutcome> {
  const { message } = queued;
  const subscription = await enabledSubscription(deps, queued);
  if (!subscription) return done; // dropped (deleted) or dead-lettered (disabled)
  // Not enough of the invocation left for a whole attempt: hand it back rather than be killed mid-POST
  // (the POST would be sent again). Unattempted, so the attempt log numbers its next attempt the same.
  if (receipt.remainingMs && receipt.remainingMs() < fifoTimeNeededMs(deps, subscription)) return handBack;
  const ledger =
    receipt.receiveCount > 1
      ? await deps.attempts.attemptsOf(subscription.id, message.id, ledgerSinceMs(message))
      : { made: 0, succeeded: false };
  if (ledger.succeeded) return done;
  const attemptNumber = ledger.made + 1;
  const paced = await paceInOrder(deps, subscription);
  if (paced !== undefined) return { kind: 'hold', seconds: paced };
  const { attempt, outcome } = await attemptDelivery(deps, message, subscription, attemptNumber);
  attempt.lane = 'fifo';
  await deps.attempts.record(attempt);
  if (outcome.kind === 'delivered') {
    deps.count?.(DELIVERY_METRICS.succeeded);
    await endFailureRun(deps, subscription);
    return done;
  }
  deps.count?.(DELIVERY_METRICS.failed);
  const seconds = await settleFailure(deps, { ...queued, attempt: attemptNumber + 1, dueAt: 0 }, subscription, attempt, outcome);
  return seconds === undefined ? done : { kind: 'hold', seconds: Math.min(MAX_HOLD_SECONDS, seconds) };
}

async function endFailureRun(deps: DispatchDeps, subscription: Subscription): Promise<void> {
  if (!subscription.failingSince) return;
  await deps.subscriptions.markHealthy(subscription.tenant, subscription.id);
  await deps.operations?.endpointRecovered(subscription);
}

// ---- The batch: groups in parallel, each group's records strictly in order ----

export interface FifoRecord<R> {
  /** The queue's record, handed back in `held` and `failed`. */
  record: R;
  /** The message group (the subscription id). */
  group: string;
  run(): Promise<FifoOutcome>;
}

/**
 * What Lambda's FIFO event source asks of a batch handler: records of one group one at a time and in
 * order, different groups in parallel. When a record holds (or throws), it and every later record of
 * its group are answered as failed, so they stay in the queue in order. `held` are the visibilities
 * to set: the holding record hidden for its wait, the records behind it visible again at once (0 s),
 * else SQS would keep the group locked until their own visibility timeout ran out, not the wait;
 * they are not handed out while the held one is hidden, and come after it.
 */
export async function runFifoBatch<R>(
  records: FifoRecord<R>[],
  onError: (error: unknown) => void = () => {},
): Promise<{ failed: R[]; held: { record: R; seconds: number }[] }> {
  const groups = new Map<string, FifoRecord<R>[]>();
  for (const record of records) groups.set(record.group, [...(groups.get(record.group) ?? []), record]);
  const failed: R[] = [];
  const held: { record: R; seconds: number }[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [position, item] of group.entries()) {
        let outcome: FifoOutcome | undefined;
        try {
          outcome = await item.run();
        } catch (error) {
          // Comes back after the visibility timeout; the attempt log keeps it from being sent twice.
          onError(error);
        }
        if (outcome?.kind === 'done') continue;
        const rest = group.slice(position + 1).map((later) => later.record);
        if (outcome?.kind === 'hold') held.push({ record: item.record, seconds: outcome.seconds }, ...rest.map((record) => ({ record, seconds: 0 })));
        if (outcome?.kind === 'handBack') held.push(...[item.record, ...rest].map((record) => ({ record, seconds: 0 })));
        failed.push(item.record, ...rest);
        return;
      }
    }),
  );
  return { failed, held };
}
