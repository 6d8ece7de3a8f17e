/**
 * The shared rate limiter on DynamoDB Local (shared/adapters/aws/dynamodb-rate-limiter.ts): concurrent
 * reservations, as many consumer instances make them, never get two slots closer than the slot width,
 * an idle endpoint starts at now, and a schedule booked past the horizon reserves nothing.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, dynamoDbClient, LOCAL_REGION } from '#shared/adapters/aws/clients.ts';
import { DynamoRateLimiter, rateLimitKey } from '#shared/adapters/aws/dynamodb-rate-limiter.ts';
import { createTable } from '#shared/local/resources.ts';

const table = `hookpost-rate-${randomUUID()}`;
const dynamo = dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint'));
const db = documentClient(dynamo);
const HORIZON_MS = 900_000;

beforeAll(async () => {
  await createTable(dynamo, table);
});

afterAll(() => dynamo.destroy());

describe('DynamoRateLimiter', () => {
  it('many concurrent reservations from several "instances" get distinct slots at least one width apart, in one unbroken run', async () => {
    // Arrange: 5 limiter instances (separate clients), each reserving 20 slots at once, 1000/7 ms wide
    const widthMs = 1000 / 7;
    const now = Date.now();
    const clients = Array.from({ length: 5 }, () => dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint')));
    const limiters = clients.map((client) => new DynamoRateLimiter(documentClient(client), table));

    // Act
    const slots = await Promise.all(limiters.flatMap((limiter) => Array.from({ length: 20 }, () => limiter.reserve('sub_race', widthMs, now, HORIZON_MS))));
    for (const client of clients) client.destroy();

    // Assert: 100 slots; sorted, they start at now and step by one width (none shared, none skipped; to
    // a microsecond, what a double holds of fractional epoch milliseconds)
    const sorted = (slots as number[]).sort((a, b) => a - b);
    expect(sorted).toHaveLength(100);
    for (const [i, slot] of sorted.entries()) expect(slot).toBeCloseTo(now + i * widthMs, 3);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(widthMs - 0.001);
  });

  it('an endpoint idle past its next free slot starts again at now, and the item carries a ttl after its last slot', async () => {
    // Arrange
    const limiter = new DynamoRateLimiter(db, table);
    const start = Date.now();
    await limiter.reserve('sub_idle', 100, start, HORIZON_MS);
    await limiter.reserve('sub_idle', 100, start, HORIZON_MS);

    // Act: a second later the schedule (next free start + 200) lies in the past
    const later = await limiter.reserve('sub_idle', 100, start + 1_000, HORIZON_MS);

    // Assert
    expect(later).toBe(start + 1_000);
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: rateLimitKey('sub_idle') }));
    expect(Item?.tat).toBe(start + 1_100);
    expect(Item?.ttl).toBeGreaterThan((start + 1_100) / 1000);
  });

  it('reserves nothing when the next free slot lies past the horizon', async () => {
    // Arrange: 1/s with a 3 s horizon: slots now, +1 s, +2 s, +3 s fit, the fifth does not
    const limiter = new DynamoRateLimiter(db, table);
    const now = Date.now();

    // Act
    const slots = [];
    for (let i = 0; i < 5; i++) slots.push(await limiter.reserve('sub_full', 1_000, now, 3_000));

    // Assert: and the refused reservation moved nothing
    expect(slots).toEqual([now, now + 1_000, now + 2_000, now + 3_000, undefined]);
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: rateLimitKey('sub_full') }));
    expect(Item?.tat).toBe(now + 4_000);
  });
});
