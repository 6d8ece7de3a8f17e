/**
 * Every key of every object stored from a client's JSON — a subscription's custom headers and filter,
 * an event type's schema and example — is stored and read back exactly, or refused with 422 in the
 * error shape; never a 500 (lib-dynamodb's marshaller takes an object with its own `constructor` for a
 * class instance) and never a silent rewrite (`__proto__`, which zod and the marshaller drop, is
 * refused). Property-based over arbitrary keys, through the API of a local stack (DynamoDB Local), and
 * filters with such keys match on the event's own members only, as read back from the table.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient, documentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoSubscriptionRoutes, keys } from '#shared/adapters/aws/dynamodb.ts';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '#shared/core/platform/domain.ts';
import { wantsMessage } from '#shared/core/engine/match.ts';
import type { ApiCall } from '../helpers/api.ts';
import { waitFor } from '../helpers/api.ts';
import { type ApiTestContext, errorShape, startApiTest } from './setup.ts';

const NUM_RUNS = 25;
const TENANT = 'keys';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest({ maxSubscriptionsPerTenant: 1_000 });
  expect((await t.admin('PUT', '/v1/event-types/keys.event', { description: 'x' })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

/** Keys a JavaScript object has already, or that storage and copies treat apart, and a few others. */
const SPECIAL_KEYS = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'toJSON',
  'name',
  'length',
  '',
  ' ',
  '0',
  'Zoë',
  '😀',
  '键',
  '\u0000',
  'a.b',
];
const anyKey = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ unit: 'binary', maxLength: 6 }));

// biome-ignore lint: arbitrary JSON
type Json = any;

/** An object with these entries as own members (Object.fromEntries defines them: `__proto__` stays a member). */
const objectOf = (entries: [string, Json][]): Json => Object.fromEntries(entries);

const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ unit: 'binary', maxLength: 6 }));
const { json: anyJson, object: anyObject } = fc.letrec<{ json: Json; object: Json }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, fc.array(tie('json'), { maxLength: 3 }), tie('object')),
  object: fc.array(fc.tuple(anyKey, tie('json')), { maxLength: 4 }).map(objectOf),
}));

/** Whether `value` holds an own `__proto__` key anywhere. */
function hasProtoKey(value: Json): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => key === '__proto__' || hasProtoKey(child));
}

/** The same value with every object's keys in one order: equal JSON values give equal texts. */
function canonical(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
    .join(',')}}`;
}

/** The body as sent: JSON.stringify writes an own `__proto__` member like any other. */
async function send(method: string, path: string, body: Json): Promise<ApiCall> {
  return t.admin(method, path, JSON.stringify(body));
}

/** 422 in the documented shape, or the given 2xx. Never anything else (a 5xx above all). */
function expectStoredOrRefused(answer: ApiCall, ok: number[], what: string): boolean {
  expect([...ok, 422], `${what}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
  if (answer.status !== 422) return true;
  expect(answer.body).toMatchObject(errorShape);
  expect(answer.body.error.code).toBe('validation_failed');
  return false;
}

const sameJson = (actual: Json, expected: Json, what: string) => {
  expect(canonical(actual), what).toBe(canonical(expected));
  expect(isDeepStrictEqual(actual, JSON.parse(JSON.stringify(expected))), what).toBe(true);
};

/** Reads the subscription back every way the API shows it: GET, and in the tenant's list. */
async function readSubscription(id: string): Promise<Json> {
  const one = await t.admin('GET', `/v1/tenants/${TENANT}/subscriptions/${id}`);
  expect(one.status).toBe(200);
  return one.body;
}

let subscriptionCount = 0;
async function createSubscription(fields: Json): Promise<ApiCall> {
  subscriptionCount += 1;
  return send('POST', `/v1/tenants/${TENANT}/subscriptions`, { url: `http://127.0.0.1:9/s${subscriptionCount}`, eventTypes: ['keys.event'], ...fields });
}

/** One stored object of a subscription (headers or filter): created, read back, patched, read back. */
async function subscriptionRoundTrip(member: 'headers' | 'filter', value: Json): Promise<void> {
  const created = await createSubscription({ [member]: value });
  const stored = expectStoredOrRefused(created, [201], `create ${member}`);
  if (hasProtoKey(value)) expect(stored, `a ${member} with __proto__ is refused, not stored without it`).toBe(false);
  if (stored) {
    sameJson(created.body[member], value, `create answer ${member}`);
    sameJson((await readSubscription(created.body.id))[member], value, `read back ${member}`);
  }
  // PATCH an endpoint that exists with the same value.
  const base = await createSubscription({});
  expect(base.status).toBe(201);
  const patched = await send('PATCH', `/v1/tenants/${TENANT}/subscriptions/${base.body.id}`, { [member]: value });
  const patchStored = expectStoredOrRefused(patched, [200], `patch ${member}`);
  expect(patchStored).toBe(stored);
  if (patchStored) {
    sameJson(patched.body[member], value, `patch answer ${member}`);
    sameJson((await readSubscription(base.body.id))[member], value, `read back patched ${member}`);
  }
}

const headerName = fc.oneof(
  fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toJSON', 'x-id'),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}$/),
  anyKey,
);
const headerValue = fc.oneof(fc.constantFrom('', 'x', 'é', '[object Object]'), fc.string({ maxLength: 8 }));

describe('subscription headers', () => {
  it('keys a JavaScript object already has are stored and read back exactly', async () => {
    const headers = { constructor: 'a', prototype: 'b', toString: 'c', hasOwnProperty: 'd', valueOf: 'e', isPrototypeOf: 'f', toJSON: 'g' };
    await subscriptionRoundTrip('headers', headers);
    const created = await createSubscription({ headers });
    expect(created.status).toBe(201);
    expect(created.body.headers).toEqual(headers);
  });

  it('__proto__ is refused with 422 at its path, on create and PATCH', async () => {
    const created = await send('POST', `/v1/tenants/${TENANT}/subscriptions`, JSON.parse('{"url":"http://127.0.0.1:9/p","eventTypes":["keys.event"],"headers":{"__proto__":"x"}}'));
    expect(created.status).toBe(422);
    expect(created.body).toMatchObject(errorShape);
    expect(created.body.error.details).toEqual([expect.objectContaining({ path: 'headers.__proto__' })]);
  });

  it('any header map: stored exactly or 422, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }).map(objectOf), (headers) => subscriptionRoundTrip('headers', headers)),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('subscription filters', () => {
  it.each([
    ['{"constructor":1}'],
    ['{"data":{"constructor":{"$exists":true}}}'],
    ['{"data":{"toString":{"$exists":false},"prototype":{"$in":[1,2]}}}'],
    // What the marshaller would read as another kind of value: a Set, a string, a binary, a number.
    ['{"data":{"constructor":{"name":"Set"}}}'],
    ['{"data":{"x":{"constructor":{"name":"String"}}}}'],
    ['{"data":{"constructor":{"name":"Buffer"}}}'],
    ['{"data":{"constructor":{"name":"Number"},"valueOf":2}}'],
    ['{"":{"😀":"键"},"hasOwnProperty":true}'],
  ])('%s is stored and read back exactly', async (text) => {
    await subscriptionRoundTrip('filter', JSON.parse(text));
    const created = await createSubscription({ filter: JSON.parse(text) });
    expect(created.status).toBe(201);
  });

  it.each([['{"__proto__":{"x":1}}', 'filter.__proto__'], ['{"data":{"a":{"__proto__":{"$exists":true}}}}', 'filter.data.a.__proto__']])(
    '%s is refused with 422 at %s (never stored as a filter that matches everything)',
    async (text, path) => {
      const created = await send('POST', `/v1/tenants/${TENANT}/subscriptions`, { url: 'http://127.0.0.1:9/p', eventTypes: ['keys.event'], filter: JSON.parse(text) });
      expect(created.status).toBe(422);
      expect(created.body).toMatchObject(errorShape);
      expect(created.body.error.details).toEqual([expect.objectContaining({ path })]);
      const base = await createSubscription({});
      const patched = await send('PATCH', `/v1/tenants/${TENANT}/subscriptions/${base.body.id}`, { filter: JSON.parse(text) });
      expect(patched.status).toBe(422);
      expect((await readSubscription(base.body.id)).filter).toBeUndefined();
    },
  );

  it('any filter: stored exactly or 422, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyObject, fc.boolean(), async (filter, underData) => subscriptionRoundTrip('filter', underData ? { data: filter } : filter)),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('event types', () => {
  let n = 0;
  async function eventTypeRoundTrip(body: Json): Promise<void> {
    n += 1;
    const path = `/v1/event-types/keys.type${n}`;
    const put = await send('PUT', path, body);
    const stored = expectStoredOrRefused(put, [200, 201], 'PUT event type');
    if (hasProtoKey(body)) expect(stored, 'an event type with __proto__ is refused, not stored without it').toBe(false);
    if (!stored) return;
    const read = await t.admin('GET', path);
    expect(read.status).toBe(200);
    const listed = (await t.admin('GET', '/v1/event-types')).body.items.find((item: Json) => item.type === `keys.type${n}`);
    for (const member of ['schema', 'example'] as const) {
      if (!(member in body)) continue;
      sameJson(put.body[member], body[member], `PUT answer ${member}`);
      sameJson(read.body[member], body[member], `read back ${member}`);
      sameJson(listed[member], body[member], `listed ${member}`);
    }
    const created = await send('POST', '/v1/event-types', { ...body, type: `keys.created${n}` });
    expect(created.status).toBe(201);
    for (const member of ['schema', 'example'] as const) if (member in body) sameJson(created.body[member], body[member], `POST answer ${member}`);
  }

  it('any example: stored exactly or 422, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, (example) => eventTypeRoundTrip({ description: 'x', example })),
      { numRuns: NUM_RUNS },
    );
  });

  it('any property names, and any schema keywords: stored exactly or 422, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(anyKey, { maxLength: 4 }), fc.array(fc.tuple(anyKey, scalar), { maxLength: 2 }), fc.boolean(), async (names, extra, withExample) => {
        const schema = objectOf([['type', 'object'], ['properties', objectOf(names.map((name) => [name, { type: 'integer' }]))], ['required', names], ...extra]);
        const example = objectOf(names.map((name, i) => [name, i]));
        await eventTypeRoundTrip(withExample ? { description: 'x', schema, example } : { description: 'x', schema });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('__proto__ in a schema or an example is refused with 422 at its path', async () => {
    for (const [text, path] of [
      ['{"description":"x","example":{"a":[{"__proto__":1}]}}', 'example.a.0.__proto__'],
      ['{"description":"x","schema":{"type":"object","properties":{"__proto__":{"type":"string"}}}}', 'schema.properties.__proto__'],
    ] as const) {
      const put = await send('PUT', '/v1/event-types/keys.proto', JSON.parse(text));
      expect(put.status, text).toBe(422);
      expect(put.body).toMatchObject(errorShape);
      expect(put.body.error.details).toEqual([expect.objectContaining({ path })]);
    }
    expect((await t.admin('GET', '/v1/event-types/keys.proto')).status).toBe(404);
  });

  it("a schema's required and property names see the data's own members, not its prototype's", async () => {
    const schema = { type: 'object', properties: { constructor: { type: 'integer' }, toString: {} }, required: ['toString'] };
    expect((await t.admin('PUT', '/v1/event-types/keys.schema', { description: 'x', schema })).status).toBe(201);
    const publish = (data: Json) => send('POST', '/v1/events', { type: 'keys.schema', tenant: TENANT, data });
    const missing = await publish({});
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([{ path: 'data', message: "must have required property 'toString'" }]);
    expect((await publish({ toString: 'x' })).status).toBe(202);
    expect((await publish({ toString: 'x', constructor: 'no' })).status).toBe(422);
    expect((await publish({ toString: 'x', constructor: 1 })).status).toBe(202);
  });
});

describe('items written before headers and filters were JSON text', () => {
  it('are read as they are, and a PATCH rewrites them as JSON text', async () => {
    const { settings } = t.stack;
    const db = documentClient(dynamoDbClient(settings.region, settings.dynamoDbEndpoint));
    const created = await createSubscription({ headers: { 'x-old': '1' }, filter: { data: { n: 1 } } });
    expect(created.status).toBe(201);
    const Key = keys.subscription(TENANT, created.body.id);
    // As an item written before: maps, no text.
    await db.send(
      new UpdateCommand({
        TableName: settings.tableName,
        Key,
        UpdateExpression: 'SET headers = :h, #f = :f REMOVE headersJson, filterJson',
        ExpressionAttributeNames: { '#f': 'filter' },
        ExpressionAttributeValues: { ':h': { 'x-old': '1' }, ':f': { data: { n: 1 } } },
      }),
    );
    const legacy = await readSubscription(created.body.id);
    expect([legacy.headers, legacy.filter]).toEqual([{ 'x-old': '1' }, { data: { n: 1 } }]);
    const patched = await send('PATCH', `/v1/tenants/${TENANT}/subscriptions/${created.body.id}`, { description: 'now text' });
    expect(patched.status).toBe(200);
    const { Item } = await db.send(new GetCommand({ TableName: settings.tableName, Key }));
    expect(Item).toMatchObject({ headersJson: '{"x-old":"1"}', filterJson: '{"data":{"n":1}}' });
    expect(Item).not.toHaveProperty('headers');
    expect(Item).not.toHaveProperty('filter');
    const after = await readSubscription(created.body.id);
    expect([after.headers, after.filter, after.description]).toEqual([{ 'x-old': '1' }, { data: { n: 1 } }, 'now text']);
  });
});

describe('filters with such keys match on the event’s own members', () => {
  const message = (data: Json): Message => ({ id: `msg_${canonical(data)}`, type: 'keys.event', tenant: 'match', timestamp: new Date().toISOString(), dataJson: JSON.stringify(data) });

  it('as read back from the table (the ingest routes and the consumer store), with and without the key', async () => {
    const tenant = 'match';
    const cases: [filter: string, data: string, matches: boolean][] = [
      ['{"data":{"constructor":{"$exists":true}}}', '{"constructor":1}', true],
      ['{"data":{"constructor":{"$exists":true}}}', '{"x":1}', false],
      ['{"data":{"toString":{"$exists":true}}}', '{}', false],
      ['{"data":{"toString":{"$exists":false}}}', '{}', true],
      ['{"data":{"hasOwnProperty":{"$exists":false}}}', '{"hasOwnProperty":null}', false],
      ['{"data":{"constructor":1}}', '{"constructor":1}', true],
      ['{"data":{"constructor":1}}', '{}', false],
      ['{"data":{"constructor":{"name":"String"}}}', '{"constructor":{"name":"String"}}', true],
      ['{"data":{"constructor":{"name":"String"}}}', '{}', false],
      ['{"data":{"valueOf":{"$eq":{"toString":1}}}}', '{"valueOf":{"toString":1}}', true],
      ['{"data":{"__defineGetter__":{"$neq":null}}}', '{}', true],
      ['{"data":{"prototype":{"$in":[null]}}}', '{}', false],
      ['{"constructor":{"$exists":false}}', '{}', true],
    ];
    const ids: string[] = [];
    for (const [filter] of cases) {
      const created = await send('POST', `/v1/tenants/${tenant}/subscriptions`, { url: `http://127.0.0.1:9/m${ids.length}`, eventTypes: ['keys.event'], filter: JSON.parse(filter) });
      expect(created.status, filter).toBe(201);
      ids.push(created.body.id);
    }
    const { settings } = t.stack;
    const routes = await new DynamoSubscriptionRoutes(documentClient(dynamoDbClient(settings.region, settings.dynamoDbEndpoint)), settings.tableName).listByTenant(tenant);
    const stored = await t.stack.runtime.ports.subscriptions.listByTenant(tenant);
    cases.forEach(([filter, data, matches], i) => {
      const route = routes.find((r) => r.id === ids[i]);
      const subscription = stored.find((s) => s.id === ids[i]);
      expect(route?.filter && canonical(route.filter), filter).toBe(canonical(JSON.parse(filter)));
      expect(subscription?.filter && canonical(subscription.filter), filter).toBe(canonical(JSON.parse(filter)));
      expect(wantsMessage(route as Parameters<typeof wantsMessage>[0], message(JSON.parse(data))), `${filter} on ${data} (routes)`).toBe(matches);
      expect(wantsMessage(subscription as Parameters<typeof wantsMessage>[0], message(JSON.parse(data))), `${filter} on ${data} (store)`).toBe(matches);
    });
  });

  it('end to end: an event whose data has `constructor` reaches an endpoint filtering on it, with its custom headers', async () => {
    const receiver = await t.receiver();
    const created = await send('POST', '/v1/tenants/e2e/subscriptions', {
      url: `${receiver.url}/hook`,
      eventTypes: ['keys.event'],
      headers: { constructor: 'c', toString: 't' },
      filter: { data: { constructor: { $exists: true } } },
    });
    expect(created.status).toBe(201);
    const published = await send('POST', '/v1/events', { type: 'keys.event', tenant: 'e2e', data: { constructor: 'yes' } });
    expect(published.status).toBe(202);
    const delivery = await waitFor('the delivery', () => receiver.requests.find((r) => JSON.parse(r.body).data.constructor === 'yes'));
    expect(delivery?.headers.constructor).toBe('c');
    expect(delivery?.headers.tostring).toBe('t');
  });
});
