/**
 * What happened to deliveries and sending them again: the test event, the attempt log, 24-hour stats,
 * redelivery of one message, and recovery of every failed message since a time.
 */
import type { Catalogue } from './catalogue.ts';
import { attemptDelivery, type DeliveryDeps } from '../engine/index.ts';
import type { Attempt, AttemptStatus, Message, Subscription } from '../platform/domain.ts';
import { HookpostError } from '../platform/errors.ts';
import { newMessageId } from '../platform/ids.ts';
import { chunk } from './ingest.ts';
import { eventTypeNameSchema } from './inputs.ts';
import { wantsMessage } from '../engine/index.ts';
import type { AttemptHistory, AttemptStore, EventQueue, MessageStore, Page } from '../platform/ports.ts';
import { type DeliveryMessage, queueBodyBytes } from '../platform/queue-message.ts';
import type { SubscriptionService } from './subscriptions.ts';
import type { SubscriptionDirectory } from '../platform/subscription-directory.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Stats read at most this many attempts of the last 24 h (a projection of a few attributes each). */
export const STATS_MAX_ATTEMPTS = 10_000;
/** Recovery looks back at most 14 days (the SQS DLQ retention) … */
export const RECOVER_MAX_DAYS = 14;
/** … reads at most this many attempts, and re-queues at most this many messages per call. */
const RECOVER_MAX_ATTEMPTS = 20_000;
export const RECOVER_MAX_MESSAGES = 1_000;
/**
 * A recover claims each (message, endpoint) it queues for this long: another recover of the endpoint
 * meanwhile, concurrent or later, does not queue it again (the first one's delivery and its retries
 * are under way). After it, a message still failing can be recovered again.
 */
export const RECOVER_CLAIM_MS = 60 * 60 * 1000;

export interface Stats {
  since: string;
  attempts: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  truncated: boolean;
}

/** A kept message as the API shows it: its exact data text, and the data parsed for reading. */
export type MessageView = Message & { data: unknown };

export const messageView = (message: Message): MessageView => ({ ...message, data: JSON.parse(message.dataJson) as unknown });

export interface DeliveryService {
  /** One attempt with the type's example, whatever its outcome: never retried nor dead-lettered, works on a disabled endpoint. */
  sendTest(tenant: string, subscriptionId: string, type?: string): Promise<Attempt>;
  attempts(
    tenant: string,
    subscriptionId: string,
    options: { status?: AttemptStatus; limit: number; cursor?: string },
  ): Promise<Page<Attempt>>;
  stats(tenant: string, subscriptionId: string): Promise<Stats>;
  /** A message kept for redelivery (only those with a failed delivery are, until their TTL). */
  keptMessage(tenant: string, messageId: string): Promise<Message>;
  /** To one enabled subscription, or to every enabled one of the tenant that wants the message's type. */
  redeliver(tenant: string, messageId: string, onlySubscription?: string): Promise<{ messageId: string; targets: { subscriptionId: string }[] }>;
  recover(
    tenant: string,
    subscriptionId: string,
    since: string,
  ): Promise<{ since: string; messages: string[]; skipped: string[]; truncated: boolean }>;
}

const deliveryOf = (message: Message, subscriptionId: string, nowMs: number): DeliveryMessage => ({
  kind: 'delivery',
  message,
  subscriptionId,
  attempt: 1,
  dueAt: nowMs,
});

function mustBeEnabled(subscription: Subscription): void {
  if (!subscription.enabled) {
    throw new HookpostError('conflict', `subscription ${subscription.id} is disabled; enable it (PATCH {"enabled":true}) first`);
  }
}

export function createDeliveryService(deps: {
  delivery: DeliveryDeps;
  subscriptions: SubscriptionService;
  directory: SubscriptionDirectory;
  catalogue: Catalogue;
  attempts: AttemptStore;
  attemptHistory: AttemptHistory;
  messages: MessageStore;
  queue: EventQueue;
}): DeliveryService {
  const { subscriptions, attempts, attemptHistory, messages, queue } = deps;
  const { clock } = deps.delivery;

  /**
   * Queues every delivery, in batches split by entries and by serialised bytes. If any is not queued
   * the answer is 503 whose `details` name each delivery that was (`path: "queued"`) and each that was
   * not (`path: "notQueued"`), as `<messageId> <subscriptionId>`, so a client retries only the rest.
   */
  async function enqueueAll(deliveries: DeliveryMessage[]): Promise<void> {
    const sized = deliveries.map((delivery) => ({ delivery, size: queueBodyBytes(delivery) }));
    const outcomes = await Promise.all(
      chunk(sized).map(async (group) => {
        const batch = group.map(({ delivery }) => delivery);
        try {
          const results = await queue.enqueueBatch(batch);
          return batch.map((delivery, i) => ({ delivery, ok: results[i]?.ok === true, error: results[i]?.error }));
        } catch (error) {
          return batch.map((delivery) => ({ delivery, ok: false, error: (error as Error).name || 'QueueError' }));
        }
      }),
    );
    const all = outcomes.flat();
    const refused = all.filter((outcome) => !outcome.ok);
    if (refused.length === 0) return;
    const name = ({ delivery }: (typeof all)[number]) => `${delivery.message.id} ${delivery.subscriptionId}`;
    throw new HookpostError(
      'dependency_unavailable',
      `the events queue took ${all.length - refused.length} of ${all.length} deliveries (${refused[0]?.error ?? 'not queued'}); retry the ones not queued`,
      [
        ...all.filter((outcome) => outcome.ok).map((outcome) => ({ path: 'queued', message: name(outcome) })),
        ...refused.map((outcome) => ({ path: 'notQueued', message: name(outcome) })),
      ],
    );
  }

  async function keptMessage(tenant: string, messageId: string): Promise<Message> {
    const message = messageId.startsWith('msg_') ? await messages.get(tenant, messageId) : undefined;
    if (!message) {
      throw new HookpostError(
        'not_found',
        `message ${messageId} is not kept for tenant ${tenant} (only messages with a failed delivery are, until their TTL)`,
      );
    }
    return message;
  }

  return {
    async sendTest(tenant, subscriptionId, requested) {
      const subscription = await subscriptions.get(tenant, subscriptionId);
      // Default: the first exact type the endpoint wants (a pattern names no single type).
      const type =
        requested ??
        subscription.eventTypes.find((pattern) => eventTypeNameSchema.safeParse(pattern).success && !pattern.endsWith('.*'));
      if (!type) {
        throw new HookpostError('validation_failed', 'the subscription wants only patterns; say which type to send', [
          { path: 'type', message: 'required when the subscription has no exact event type' },
        ]);
      }
      const eventType = await deps.catalogue.get(type).catch((error: unknown) => {
        if (error instanceof HookpostError && error.code === 'not_found') {
          throw new HookpostError('validation_failed', `unknown event type "${type}"`, [{ path: 'type', message: 'not in the catalogue' }]);
        }
        throw error;
      });
      const nowMs = clock.now();
      const message: Message = {
        id: newMessageId(nowMs),
        type,
        tenant: subscription.tenant,
        timestamp: new Date(nowMs).toISOString(),
        dataJson: JSON.stringify(eventType.example ?? {}),
      };
      // A test event keeps the global deadline, not the endpoint's own (up to 30 s): the API answers
      // it within API Gateway's 30 s, and the global deadline is what the management function is sized for.
      const { attempt } = await attemptDelivery(deps.delivery, message, subscription, 1, { test: true, timeoutMs: deps.delivery.deliveryTimeoutMs });
      await attempts.record(attempt);
      return attempt;
    },

    async attempts(tenant, subscriptionId, options) {
      const subscription = await subscriptions.get(tenant, subscriptionId);
      return attempts.list(subscription.id, options);
    },

    async stats(tenant, subscriptionId) {
      const subscription = await subscriptions.get(tenant, subscriptionId);
      const sinceMs = clock.now() - DAY_MS;
      const { items, truncated } = await attemptHistory.since(subscription.id, sinceMs, STATS_MAX_ATTEMPTS);
      // Test events are excluded: pressing "Send Test Event" should not move the endpoint's delivery rate.
      const counted = items.filter((attempt) => !attempt.test);
      const succeeded = counted.filter((attempt) => attempt.status === 'succeeded').length;
      const total = counted.length;
      return {
        since: new Date(sinceMs).toISOString(),
        attempts: total,
        succeeded,
        failed: total - succeeded,
        successRate: total === 0 ? null : succeeded / total,
        truncated,
      };
    },

    keptMessage,

    async redeliver(tenant, messageId, only) {
      const message = await keptMessage(tenant, messageId);
      let targets: Subscription[];
      if (only !== undefined) {
        const subscription = await subscriptions.get(tenant, only);
        mustBeEnabled(subscription);
        targets = [subscription];
      } else {
        targets = (await deps.directory.listByTenant(tenant)).filter((subscription) => wantsMessage(subscription, message));
      }
      const nowMs = clock.now();
      await enqueueAll(targets.map((subscription) => deliveryOf(message, subscription.id, nowMs)));
      return { messageId: message.id, targets: targets.map((subscription) => ({ subscriptionId: subscription.id })) };
    },

    async recover(tenant, subscriptionId, since) {
      const nowMs = clock.now();
      const sinceMs = Date.parse(since);
      if (sinceMs < nowMs - RECOVER_MAX_DAYS * DAY_MS || sinceMs > nowMs) {
        throw new HookpostError('validation_failed', `since must be within the last ${RECOVER_MAX_DAYS} days`, [
          { path: 'since', message: 'out of range' },
        ]);
      }
      const subscription = await subscriptions.get(tenant, subscriptionId);
      mustBeEnabled(subscription);
      const { items, truncated: readTruncated } = await attemptHistory.since(subscription.id, sinceMs, RECOVER_MAX_ATTEMPTS);
      // A message counts as failed if it has a failed (non-test) attempt and no success since `since`.
      const delivered = new Set(items.filter((a) => a.status === 'succeeded').map((a) => a.messageId));
      const failed = [
        ...new Set(items.filter((a) => a.status === 'failed' && !a.test && !delivered.has(a.messageId)).map((a) => a.messageId)),
      ];
      // Messages another recover of this endpoint queued within RECOVER_CLAIM_MS are not chosen again …
      const claimedBefore = await messages.recoveryClaims(subscription.tenant, subscription.id, nowMs);
      const candidates = failed.filter((id) => !claimedBefore.has(id));
      const chosen = candidates.slice(0, RECOVER_MAX_MESSAGES);
      const found = await Promise.all(chosen.map((id) => messages.get(subscription.tenant, id)));
      const kept = found.filter((message): message is Message => message !== undefined);
      // … and of concurrent recovers, each (message, endpoint) is queued by the one whose claim wins.
      const claimed = new Set(
        await messages.claimRecovery(subscription.tenant, subscription.id, kept.map((message) => message.id), nowMs, nowMs + RECOVER_CLAIM_MS),
      );
      const queued = kept.filter((message) => claimed.has(message.id));
      try {
        await enqueueAll(queued.map((message) => deliveryOf(message, subscription.id, nowMs)));
      } catch (error) {
        // What was not queued is released, so a retry of the recover queues it (best effort: redeliver always can).
        const notQueued =
          error instanceof HookpostError
            ? (error.details ?? []).filter((detail) => detail.path === 'notQueued').map((detail) => detail.message.split(' ')[0] as string)
            : queued.map((message) => message.id);
        await messages.releaseRecovery(subscription.tenant, subscription.id, notQueued).catch(() => {});
        throw error;
      }
      return {
        since: new Date(sinceMs).toISOString(),
        messages: queued.map((message) => message.id),
        skipped: chosen.filter((_, i) => found[i] === undefined),
        truncated: readTruncated || candidates.length > chosen.length,
      };
    },
  };
}
