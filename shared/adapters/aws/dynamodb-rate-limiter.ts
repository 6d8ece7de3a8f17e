/**
 * The shared pacer behind `rateLimit` (core/platform/ports.ts RateLimiter): one item per rate-limited endpoint,
 * `RATE#<subscriptionId>`, holding `tat`, the endpoint's next free slot (epoch ms). Every consumer
 * instance reserves through the same item, so the limit holds across all of them. A reservation is one
 * conditional UpdateItem in the common case: the busy path moves `tat` on by a slot width, the idle
 * path restarts it at now; a failed condition (the other case, or a race) says which to try next.
 * `ttl` lets DynamoDB delete the items of endpoints that stopped receiving.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../core/platform/ports.ts';

export const rateLimitKey = (subscriptionId: string) => ({ pk: `RATE#${subscriptionId}`, sk: '-' });

/** An idle limiter item outlives its last slot by this long, then expires. */
const IDLE_TTL_SECONDS = 3_600;
/** Each lost race means another instance reserved a slot meanwhile; this many in a row is not contention but a fault. */
const MAX_TRIES = 20;

/** `tat` of the item a failed condition saw (ReturnValuesOnConditionCheckFailure: ALL_OLD), or undefined if there was none. */
function oldNextFree(error: unknown): number | undefined {
  if ((error as { name?: string } | undefined)?.name !== 'ConditionalCheckFailedException') throw error;
  const tat = (error as { Item?: Record<string, unknown> }).Item?.tat;
  if (tat === undefined) return undefined;
  // The document client leaves the error's item marshalled ({N: "…"}).
  return typeof tat === 'number' ? tat : Number((tat as { N?: string }).N);
}

export class DynamoRateLimiter implements RateLimiter {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async reserve(subscriptionId: string, widthMs: number, nowMs: number, horizonMs: number): Promise<number | undefined> {
    const horizon = nowMs + horizonMs;
    const ttl = Math.ceil(horizon / 1000) + IDLE_TTL_SECONDS;
    // Busy first: a limited endpoint under load is the case that costs, an idle one costs one more call.
    let busy = true;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      try {
        if (busy) {
          const { Attributes } = await this.db.send(
            new UpdateCommand({
              TableName: this.table,
              Key: rateLimitKey(subscriptionId),
              UpdateExpression: 'SET tat = tat + :w, #ttl = :ttl',
              ConditionExpression: 'tat >= :now AND tat <= :horizon',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':w': widthMs, ':now': nowMs, ':horizon': horizon, ':ttl': ttl },
              ReturnValues: 'UPDATED_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return (Attributes?.tat as number) - widthMs;
        }
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: rateLimitKey(subscriptionId),
            UpdateExpression: 'SET tat = :next, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':next': nowMs + widthMs, ':now': nowMs, ':ttl': ttl },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return nowMs;
      } catch (error) {
        const tat = oldNextFree(error);
        if (tat !== undefined && tat > horizon) return undefined;
        busy = tat !== undefined && tat >= nowMs;
      }
    }
    throw new Error(`rate limiter for ${subscriptionId}: no slot after ${MAX_TRIES} tries`);
  }
}
