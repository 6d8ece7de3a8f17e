/**
 * What happened to deliveries and sending them again: the test event, the attempt log, 24-hour stats,
 * redelivery of one message, and recovery of every failed message since a time.
 */
import { attemptDelivery } from '../../core/delivery.ts';
import type { Message, Subscription } from '../../core/domain.ts';
import { ApiError, jsonResponse } from '../../core/errors.ts';
import { newMessageId } from '../../core/ids.ts';
import { wantsEventType } from '../../core/match.ts';
import type { DeliveryMessage } from '../../core/queue-message.ts';
import { deliveryDeps, type Runtime } from '../../wiring.ts';
import { InvalidCursorError } from '../../adapters/aws/dynamodb.ts';
import { validate, validateParam } from '../request.ts';
import type { Route } from '../router.ts';
import { attemptsQuerySchema, eventTypeNameSchema, recoverSchema, redeliverQuerySchema, testEventSchema } from '../schemas.ts';
import { findSubscription, readOptionalJsonBody, tenantParam } from './helpers.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Stats read at most this many attempts of the last 24 h (a projection of a few attributes each). */
export const STATS_MAX_ATTEMPTS = 10_000;
/** Recovery looks back at most 14 days (the SQS DLQ retention) … */
export const RECOVER_MAX_DAYS = 14;
/** … reads at most this many attempts, and re-queues at most this many messages per call. */
const RECOVER_MAX_ATTEMPTS = 20_000;
export const RECOVER_MAX_MESSAGES = 1_000;

const deliveryOf = (message: Message, subscriptionId: string, nowMs: number): DeliveryMessage => ({
  kind: 'delivery',
  message,
  subscriptionId,
  attempt: 1,
  dueAt: nowMs,
});

async function enqueueAll(runtime: Runtime, deliveries: DeliveryMessage[]): Promise<void> {
  for (let i = 0; i < deliveries.length; i += 10) {
    const results = await runtime.queue.sendBatch(deliveries.slice(i, i + 10));
    const refused = results.find((result) => !result.ok);
    if (refused) {
      throw new ApiError('dependency_unavailable', 'the events queue refused a redelivery; try again', [
        { message: refused.error ?? 'not queued' },
      ]);
    }
  }
}

function mustBeEnabled(subscription: Subscription): void {
  if (!subscription.enabled) {
    throw new ApiError('conflict', `subscription ${subscription.id} is disabled; enable it (PATCH {"enabled":true}) first`);
  }
}

export const deliveryRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/test',
    access: 'tenant',
    async handle(ctx) {
      const { runtime } = ctx;
      const input = validate(testEventSchema, readOptionalJsonBody(ctx));
      const subscription = await findSubscription(ctx);
      // Default: the first exact type the endpoint wants (a pattern names no single type).
      const type = input.type ?? subscription.eventTypes.find((pattern) => eventTypeNameSchema.safeParse(pattern).success && !pattern.endsWith('.*'));
      if (!type) {
        throw new ApiError('validation_failed', 'the subscription wants only patterns; say which type to send', [
          { path: 'type', message: 'required when the subscription has no exact event type' },
        ]);
      }
      const eventType = await runtime.eventTypes.get(type);
      if (!eventType) throw new ApiError('validation_failed', `unknown event type "${type}"`, [{ path: 'type', message: 'not in the catalogue' }]);
      const nowMs = runtime.clock.now();
      const message: Message = {
        id: newMessageId(nowMs),
        type,
        tenant: subscription.tenant,
        timestamp: new Date(nowMs).toISOString(),
        data: eventType.example ?? {},
      };
      // One attempt, whatever its outcome: a test is never retried nor dead-lettered, and works on a disabled endpoint.
      const { attempt } = await attemptDelivery(deliveryDeps(runtime), message, subscription, 1, { test: true });
      await runtime.attempts.record(attempt);
      return jsonResponse(200, attempt);
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/attempts',
    access: 'tenant',
    async handle(ctx) {
      const { limit, cursor, status } = validateParam(attemptsQuerySchema, ctx.req.query, 'query');
      const subscription = await findSubscription(ctx);
      try {
        return jsonResponse(200, await ctx.runtime.attempts.list(subscription.id, { limit, cursor, status }));
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError('malformed_request', error.message);
        throw error;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/stats',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      const sinceMs = ctx.runtime.clock.now() - DAY_MS;
      const { items, truncated } = await ctx.runtime.attemptHistory.since(subscription.id, sinceMs, STATS_MAX_ATTEMPTS);
      // Test events are excluded: pressing "Send Test Event" should not move the endpoint's delivery rate.
      const counted = items.filter((attempt) => !attempt.test);
      const succeeded = counted.filter((attempt) => attempt.status === 'succeeded').length;
      const attempts = counted.length;
      return jsonResponse(200, {
        since: new Date(sinceMs).toISOString(),
        attempts,
        succeeded,
        failed: attempts - succeeded,
        successRate: attempts === 0 ? null : succeeded / attempts,
        truncated,
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/messages/{msgId}/redeliver',
    access: 'tenant',
    async handle(ctx) {
      const { runtime } = ctx;
      const tenant = tenantParam(ctx);
      const { subscription: only } = validateParam(redeliverQuerySchema, ctx.req.query, 'query');
      const msgId = ctx.params.msgId ?? '';
      const message = msgId.startsWith('msg_') ? await runtime.messages.get(tenant, msgId) : undefined;
      if (!message) {
        throw new ApiError('not_found', `message ${msgId} is not kept for tenant ${tenant} (only messages with a failed delivery are, until their TTL)`);
      }
      let targets: Subscription[];
      if (only !== undefined) {
        const subscription = await findSubscription({ params: { tenant, id: only }, runtime });
        mustBeEnabled(subscription);
        targets = [subscription];
      } else {
        targets = (await runtime.subscriptions.listByTenant(tenant)).filter(
          (subscription) => subscription.enabled && wantsEventType(subscription.eventTypes, message.type),
        );
      }
      const nowMs = runtime.clock.now();
      await enqueueAll(runtime, targets.map((subscription) => deliveryOf(message, subscription.id, nowMs)));
      return jsonResponse(202, { messageId: message.id, targets: targets.map((subscription) => ({ subscriptionId: subscription.id })) });
    },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/recover',
    access: 'tenant',
    async handle(ctx) {
      const { runtime } = ctx;
      const { since } = validate(recoverSchema, readOptionalJsonBody(ctx));
      const nowMs = runtime.clock.now();
      const sinceMs = Date.parse(since);
      if (sinceMs < nowMs - RECOVER_MAX_DAYS * DAY_MS || sinceMs > nowMs) {
        throw new ApiError('validation_failed', `since must be within the last ${RECOVER_MAX_DAYS} days`, [{ path: 'since', message: 'out of range' }]);
      }
      const subscription = await findSubscription(ctx);
      mustBeEnabled(subscription);
      const { items, truncated: readTruncated } = await runtime.attemptHistory.since(subscription.id, sinceMs, RECOVER_MAX_ATTEMPTS);
      // A message counts as failed if it has a failed (non-test) attempt and no success since `since`.
      const delivered = new Set(items.filter((a) => a.status === 'succeeded').map((a) => a.messageId));
      const failed = [...new Set(items.filter((a) => a.status === 'failed' && !a.test && !delivered.has(a.messageId)).map((a) => a.messageId))];
      const chosen = failed.slice(0, RECOVER_MAX_MESSAGES);
      const found = await Promise.all(chosen.map((id) => runtime.messages.get(subscription.tenant, id)));
      const kept = found.filter((message): message is Message => message !== undefined);
      await enqueueAll(runtime, kept.map((message) => deliveryOf(message, subscription.id, nowMs)));
      return jsonResponse(202, {
        since: new Date(sinceMs).toISOString(),
        messages: kept.map((message) => message.id),
        skipped: chosen.filter((_, i) => found[i] === undefined),
        truncated: readTruncated || failed.length > chosen.length,
      });
    },
  },
];
