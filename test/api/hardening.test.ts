/**
 * Input that can never be delivered is refused up front, with the error shape and nothing queued:
 * non-object `data`, header values undici cannot send, hop-by-hop headers, endpoints past the tenant
 * cap; and paths answer as API Gateway's would (no trailing slash; 405 has its own code).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueMessage } from '#shared/core/queue-message.ts';
import { type ApiTestContext, errorShape, startApiTest } from './setup.ts';

let t: ApiTestContext;
/** Every message the API handed to the events queue (a spy on the port, so the poller cannot hide one). */
const enqueued: QueueMessage[] = [];

beforeAll(async () => {
  t = await startApiTest({ maxSubscriptionsPerTenant: 3 });
  const queue = t.stack.runtime.ports.queue;
  const { enqueue, enqueueBatch } = queue;
  queue.enqueue = async (message, delay) => {
    enqueued.push(message);
    return enqueue.call(queue, message, delay);
  };
  queue.enqueueBatch = async (messages) => {
    enqueued.push(...messages);
    return enqueueBatch.call(queue, messages);
  };
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'x' })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

describe('data is a JSON object', () => {
  it.each([
    ['an array', [1, 2]],
    ['a string', 'paid'],
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
  ])('refuses %s with 422 and queues nothing, alone or in a batch', async (_name, data) => {
    const before = enqueued.length;
    const one = await t.admin('POST', '/v1/events', { type: 'order.paid', data });
    const batch = await t.admin('POST', '/v1/events/batch', { events: [{ type: 'order.paid', data }] });

    expect(one.status).toBe(422);
    expect(one.body).toMatchObject(errorShape);
    expect(one.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'data' })] });
    expect(batch.status).toBe(207);
    expect(batch.body.results[0].error.code).toBe('validation_failed');
    expect(enqueued.length).toBe(before);
  });

  it('accepts an object', async () => {
    expect((await t.admin('POST', '/v1/events', { type: 'order.paid', data: { amount: 1 } })).status).toBe(202);
  });
});

describe('custom headers that can be sent', () => {
  const create = (headers: Record<string, string>, tenant = 'headers') =>
    t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { url: 'http://127.0.0.1:9/h', eventTypes: ['*'], headers });

  it.each([
    ['a control character', { 'x-a': 'a\x01b' }],
    ['DEL', { 'x-a': 'a\x7fb' }],
    ['a character past U+00FF', { 'x-a': 'smile 😀' }],
    ['a CJK character', { 'x-a': '東京' }],
  ])('refuses a value with %s (422) on create and PATCH', async (_name, headers) => {
    const refused = await create(headers);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject(errorShape);

    const sub = await t.admin('POST', '/v1/tenants/patching/subscriptions', { url: 'http://127.0.0.1:9/p', eventTypes: ['*'] });
    const patched = await t.admin('PATCH', `/v1/tenants/patching/subscriptions/${sub.body.id}`, { headers });
    expect(patched.status).toBe(422);
    await t.admin('DELETE', `/v1/tenants/patching/subscriptions/${sub.body.id}`);
  });

  it.each(['expect', 'te', 'upgrade', 'keep-alive', 'content-encoding', 'trailer', 'proxy-authorization', 'Proxy-Connection'])(
    'refuses the header %s (422)',
    async (name) => {
      const refused = await create({ [name]: 'x' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('validation_failed');
    },
  );

  it('accepts tab, visible ASCII and Latin-1', async () => {
    const created = await create({ 'x-tab': 'a\tb', 'x-latin': 'Zoë café', 'x-ascii': '~!@#$%^&*()' }, 'latin');
    expect(created.status).toBe(201);
    expect(created.body.headers['x-latin']).toBe('Zoë café');
  });
});

describe('endpoints per tenant', () => {
  it('refuses the endpoint past the cap with 422 and creates nothing', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await t.admin('POST', '/v1/tenants/capped/subscriptions', { url: `http://127.0.0.1:9/${i}`, eventTypes: ['*'] })).status).toBe(201);
    }
    const refused = await t.admin('POST', '/v1/tenants/capped/subscriptions', { url: 'http://127.0.0.1:9/x', eventTypes: ['*'] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/limit is 3/);
    expect((await t.admin('GET', '/v1/tenants/capped/subscriptions')).body.items).toHaveLength(3);
  });
});

describe('paths', () => {
  it('answers 404 to a trailing slash, as API Gateway does', async () => {
    const response = await t.admin('POST', '/v1/events/', { type: 'order.paid', data: {} });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers 405 with its own code and an Allow header', async () => {
    const response = await t.admin('DELETE', '/v1/events');
    expect(response.status).toBe(405);
    expect(response.body).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect(response.headers.get('allow')).toBe('POST');
  });
});
