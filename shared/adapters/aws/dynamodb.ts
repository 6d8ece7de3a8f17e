/** DynamoDB adapters for the store ports: one single table (see shared/table.ts), used on AWS and with DynamoDB Local. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EventType, Message, Subscription } from '../../core/platform/domain.ts';
import { HookpostError, SubscriptionChangedError } from '../../core/platform/errors.ts';
import type { SecretCipher } from '../../core/platform/secret-cipher.ts';
import type {
  Clock,
  EventTypeStore,
  IdempotencyRecord,
  IdempotencyStore,
  MessageStore,
  SubscriptionRoute,
  SubscriptionRoutes,
  SubscriptionStore,
} from '../../core/platform/ports.ts';
import { type Key, queryPages } from './dynamodb-pages.ts';
import { filterText, storedFields, withJsonFields } from './subscription-items.ts';


export const keys = {
  eventType: (type: string) => ({ pk: 'EVENT_TYPE', sk: type }),
  subscription: (tenant: string, id: string) => ({ pk: `TENANT#${tenant}`, sk: `SUB#${id}` }),
  attempt: (subscriptionId: string, attemptId: string) => ({ pk: `ATTEMPTS#${subscriptionId}`, sk: attemptId }),
  message: (tenant: string, id: string) => ({ pk: `TENANT#${tenant}`, sk: `MSG#${id}` }),
  /** A recover's claim of a kept message for one subscription (in the tenant's partition, beside the message). */
  recoveryClaim: (tenant: string, subscriptionId: string, messageId: string) => ({
    pk: `TENANT#${tenant}`,
    sk: `RECOVER#${subscriptionId}#${messageId}`,
  }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: '-' }),
};

export const encodeCursor = (key: Key | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** Decodes a cursor and checks it points into the partition being listed (a cursor is never a way into another tenant). */
export function decodeCursor(cursor: string | undefined, pk: string): Key | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Key;
    if (key.pk === pk && typeof key.sk === 'string' && Object.keys(key).length === 2) return key;
  } catch {
    // fall through
  }
  throw new HookpostError('malformed_request', 'cursor is not valid for this list');
}

/** The AES-GCM context a subscription's secrets are sealed under: they open only for this tenant and id. */
const secretContext = (subscription: Pick<Subscription, 'tenant' | 'id'>) => `${subscription.tenant}/${subscription.id}`;

const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as T;
}

/**
 * JSON values (an event type's schema and example, a kept message's data) are stored as JSON text in a
 * string attribute: a DynamoDB map cannot hold numbers past 38 digits (lib-dynamodb refuses any past
 * 2^53), nor nest past 32 levels. Items written before as maps are still read.
 */
const fromText = (text: unknown): unknown => (typeof text === 'string' ? JSON.parse(text) : undefined);

function eventTypeItem(eventType: EventType): Record<string, unknown> {
  const { schema, example, ...rest } = eventType;
  return {
    ...keys.eventType(eventType.type),
    ...rest,
    ...(schema === undefined ? {} : { schemaJson: JSON.stringify(schema) }),
    ...(example === undefined ? {} : { exampleJson: JSON.stringify(example) }),
  };
}

function eventTypeOf(item: Record<string, unknown>): EventType {
  const { schemaJson, exampleJson, ...rest } = strip<EventType & { schemaJson?: string; exampleJson?: string }>(item);
  const eventType: EventType = rest;
  if (schemaJson !== undefined) eventType.schema = fromText(schemaJson) as Record<string, unknown>;
  if (exampleJson !== undefined) eventType.example = fromText(exampleJson);
  return eventType;
}

export class DynamoEventTypeStore implements EventTypeStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(type: string): Promise<EventType | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.eventType(type) }));
    return Item ? eventTypeOf(Item) : undefined;
  }

  async put(eventType: EventType): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: eventTypeItem(eventType) }));
  }

  async list(): Promise<EventType[]> {
    const { items } = await queryPages(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'EVENT_TYPE' },
    });
    return items.map(eventTypeOf);
  }

  async delete(type: string): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.table, Key: keys.eventType(type), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}

/** Subscriptions, with their signing secrets sealed at rest (opened on read, never stored in the clear). */
/** A tenant's subscriptions as ingest routes them: a projection without the sealed secrets, so no key is needed. */
export class DynamoSubscriptionRoutes implements SubscriptionRoutes {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async listByTenant(tenant: string): Promise<SubscriptionRoute[]> {
    const { items } = await queryPages(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':sub': 'SUB#' },
      // `filter` (an item written before filters were JSON text) is a reserved word in expressions.
      ProjectionExpression: 'id, tenant, enabled, eventTypes, filterJson, #filter, ordering',
      ExpressionAttributeNames: { '#filter': 'filter' },
    });
    return items.map(withJsonFields) as unknown as SubscriptionRoute[];
  }
}

export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly cipher: SecretCipher,
  ) {}

  private async open(item: Record<string, unknown>): Promise<Subscription> {
    const subscription = withJsonFields(strip<Subscription>(item));
    const context = secretContext(subscription);
    const secrets = await Promise.all(
      subscription.secrets.map(async (s) => ({ ...s, secret: await this.cipher.open(s.secret, context) })),
    );
    return { ...subscription, secrets };
  }

  private sealed(subscription: Subscription) {
    const context = secretContext(subscription);
    return Promise.all(subscription.secrets.map(async (s) => ({ ...s, secret: await this.cipher.seal(s.secret, context) })));
  }

  async listByTenant(tenant: string): Promise<Subscription[]> {
    const { items } = await queryPages(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':sub': 'SUB#' },
    });
    return Promise.all(items.map((item) => this.open(item)));
  }

  async get(tenant: string, id: string): Promise<Subscription | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.subscription(tenant, id) }),
    );
    return Item ? this.open(Item) : undefined;
  }

  async put(subscription: Subscription, expectedUpdatedAt?: string): Promise<void> {
    const secrets = await this.sealed(subscription);
    if (expectedUpdatedAt === undefined) {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.subscription(subscription.tenant, subscription.id), ...storedFields(subscription), secrets },
        }),
      );
      return;
    }
    // Only the fields an owner changes, and only over the version that was read: a disable by the
    // consumer (which moves updatedAt) or a rotation in between makes this a conflict, not a lost
    // update; the consumer's failingSince is never written back stale.
    const { url, eventTypes, description, headers, enabled, updatedAt, disabledReason, filter, retrySchedule, timeoutMs, slowUntil, rateLimit, ordering } = subscription;
    // Optional fields are SET when present and REMOVEd when absent (a PATCH with null takes them away;
    // a new URL takes slowUntil away). slowUntil moves without a new version, so a PATCH racing the
    // consumer's mark may drop it: the next slow attempt marks the endpoint again.
    const optional = { disabledReason, filterJson: filterText(filter), retrySchedule, timeoutMs, slowUntil, rateLimit, ordering };
    const present = Object.entries(optional).filter(([, value]) => value !== undefined);
    const absent = Object.entries(optional).filter(([, value]) => value === undefined);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.subscription(subscription.tenant, subscription.id),
          UpdateExpression: [
            `SET #url = :url, eventTypes = :eventTypes, description = :description, headersJson = :headersJson, enabled = :enabled, secrets = :secrets, updatedAt = :updatedAt${present.map(([name]) => `, #${name} = :${name}`).join('')}`,
            // The maps an item written before held its headers and filter in (now JSON text) go too.
            `REMOVE ${[...absent.map(([name]) => `#${name}`), '#mapHeaders', '#mapFilter'].join(', ')}`,
          ].join(' '),
          ConditionExpression: 'attribute_exists(pk) AND updatedAt = :expected',
          // Names go through placeholders: `filter` (and `url`) are reserved words in expressions.
          ExpressionAttributeNames: {
            '#url': 'url',
            '#mapHeaders': 'headers',
            '#mapFilter': 'filter',
            ...Object.fromEntries(Object.keys(optional).map((name) => [`#${name}`, name])),
          },
          ExpressionAttributeValues: {
            ':url': url,
            ':eventTypes': eventTypes,
            ':description': description,
            ':headersJson': JSON.stringify(headers),
            ':enabled': enabled,
            ':secrets': secrets,
            ':updatedAt': updatedAt,
            ':expected': expectedUpdatedAt,
            ...Object.fromEntries(present.map(([name, value]) => [`:${name}`, value])),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new SubscriptionChangedError();
      throw error;
    }
  }

  async disable(tenant: string, id: string, reason: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.subscription(tenant, id),
          UpdateExpression: 'SET enabled = :false, disabledReason = :reason, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':false': false, ':reason': reason, ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // deleted meanwhile: nothing to disable
    }
  }

  async markFailing(tenant: string, id: string, at: string): Promise<void> {
    await this.updateIfExists(tenant, id, 'SET failingSince = if_not_exists(failingSince, :at)', { ':at': at });
  }

  async markHealthy(tenant: string, id: string): Promise<void> {
    await this.updateIfExists(tenant, id, 'REMOVE failingSince, slowUntil');
  }

  async markSlow(tenant: string, id: string, until: string): Promise<void> {
    await this.updateIfExists(tenant, id, 'SET slowUntil = :until', { ':until': until });
  }

  private async updateIfExists(tenant: string, id: string, expression: string, values?: Record<string, unknown>) {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.subscription(tenant, id),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  /** `dataJson` is a string attribute, so any accepted data fits (see MAX_PAYLOAD_BYTES_LIMIT for the 400 KB item limit). */
  async keep(message: Message): Promise<void> {
    const ttl = Math.floor(Date.parse(message.timestamp) / 1000) + this.ttlSeconds;
    const { id, type, tenant, timestamp, dataJson } = message;
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { ...keys.message(tenant, id), id, type, tenant, timestamp, dataJson, ttl } }),
    );
  }

  async get(tenant: string, id: string): Promise<Message | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.message(tenant, id) }));
    if (!Item) return undefined;
    const { data, ...rest } = strip<Message & { data?: unknown }>(Item);
    // Kept before data was stored as text: a map (its numbers were doubles already).
    return typeof rest.dataJson === 'string' ? rest : { ...rest, dataJson: JSON.stringify(data ?? {}) };
  }
  async recoveryClaims(tenant: string, subscriptionId: string, nowMs: number): Promise<Set<string>> {
    const prefix = `RECOVER#${subscriptionId}#`;
    const { items } = await queryPages(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :claim)',
      // Expired claims linger until TTL deletion runs: they no longer count.
      FilterExpression: '#until > :now',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':claim': prefix, ':now': nowMs },
      ProjectionExpression: 'sk',
    });
    return new Set(items.map((item) => String(item.sk).slice(prefix.length)));
  }

  /** One conditional PutItem per message, at most RECOVERY_CLAIM_PARALLELISM at a time. */
  async claimRecovery(tenant: string, subscriptionId: string, messageIds: string[], nowMs: number, untilMs: number): Promise<string[]> {
    const claimed: string[] = [];
    let failure: unknown;
    for (let start = 0; start < messageIds.length && failure === undefined; start += RECOVERY_CLAIM_PARALLELISM) {
      const ids = messageIds.slice(start, start + RECOVERY_CLAIM_PARALLELISM);
      const results = await Promise.allSettled(
        ids.map((id) =>
          this.db.send(
            new PutCommand({
              TableName: this.table,
              Item: { ...keys.recoveryClaim(tenant, subscriptionId, id), until: untilMs, ttl: Math.ceil(untilMs / 1000) },
              ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now',
              ExpressionAttributeNames: { '#until': 'until' },
              ExpressionAttributeValues: { ':now': nowMs },
            }),
          ),
        ),
      );
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') claimed.push(ids[index] as string);
        else if (!isConditionFailure(result.reason)) failure ??= result.reason;
      });
    }
    if (failure === undefined) return claimed;
    // Nothing is queued after a failed claim: give back what this call took, so a retry can queue it.
    await this.releaseRecovery(tenant, subscriptionId, claimed).catch(() => {});
    throw failure;
  }

  async releaseRecovery(tenant: string, subscriptionId: string, messageIds: string[]): Promise<void> {
    for (let start = 0; start < messageIds.length; start += RECOVERY_CLAIM_PARALLELISM) {
      await Promise.all(
        messageIds
          .slice(start, start + RECOVERY_CLAIM_PARALLELISM)
          .map((id) => this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.recoveryClaim(tenant, subscriptionId, id) }))),
      );
    }
  }
}

/** Recover claims written (or released) at once: 1,000 in 20 rounds, within the SDK's 50 sockets. */
const RECOVERY_CLAIM_PARALLELISM = 50;

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock,
  ) {}

  async claim(scope: string, key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<IdempotencyRecord | undefined> {
    // Two rounds: if the record that blocked the put has just expired, claim again.
    for (let round = 0; round < 2; round += 1) {
      const now = Math.floor(this.clock.now() / 1000);
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.idempotency(scope, key), ...record, ttl: now + ttlSeconds },
            // An expired record may linger until TTL deletion runs, so treat it as absent.
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return undefined;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: keys.idempotency(scope, key), ConsistentRead: true }),
      );
      if (Item) return strip<IdempotencyRecord>(Item);
    }
    throw new Error('idempotency key could not be claimed');
  }

  async complete(scope: string, key: string, record: IdempotencyRecord, ttlSeconds: number): Promise<void> {
    const ttl = Math.floor(this.clock.now() / 1000) + ttlSeconds;
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.idempotency(scope, key), ...record, ttl } }));
  }

  async unlock(scope: string, key: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.idempotency(scope, key),
          UpdateExpression: 'SET leaseUntil = :zero',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
