/**
 * Input that can never be delivered is refused up front, with the error shape and nothing queued:
 * non-object `data`, header values undici cannot send, hop-by-hop headers, endpoints past the tenant
 * cap; and paths answer as API Gateway's would (no trailing slash; 405 has its own code).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPT_PAGE_MAX_READ } from '#shared/adapters/aws/dynamodb-attempts.ts';
import { newAttemptId } from '#shared/core/platform/ids.ts';
import type { QueueMessage } from '#shared/core/platform/queue-message.ts';
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

describe('no lost updates', () => {
  const subscribe = async (tenant: string) =>
    (await t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { url: 'http://127.0.0.1:9/race', eventTypes: ['*'] })).body as {
      id: string;
      secret: string;
    };

  it('a PATCH that read a version the consumer has since disabled gets 409 and does not re-enable it', async () => {
    const sub = await subscribe('race-disable');
    const { services } = t.stack.runtime;
    const stale = await services.subscriptions.get('race-disable', sub.id);
    // The consumer disables it (410) between the PATCH's read and its write.
    await services.directory.disable('race-disable', sub.id, 'endpoint answered 410 Gone', new Date(Date.now() + 5).toISOString());

    await expect(services.subscriptions.update('race-disable', sub.id, { description: 'edited' })).resolves.toMatchObject({ enabled: false });
    const current = await services.subscriptions.get('race-disable', sub.id);
    expect(current.enabled).toBe(false);
    // Writing over the stale version is what a racing PATCH would do: refused.
    await expect(t.stack.runtime.ports.subscriptions.put({ ...stale, description: 'lost' }, stale.updatedAt)).rejects.toThrow(/changed/);
  });

  it('a rotation racing a PATCH keeps the new secret (the loser gets 409)', async () => {
    const sub = await subscribe('race-rotate');
    const results = await Promise.all([
      t.admin('POST', `/v1/tenants/race-rotate/subscriptions/${sub.id}/rotate-secret`),
      t.admin('PATCH', `/v1/tenants/race-rotate/subscriptions/${sub.id}`, { description: 'racing' }),
    ]);
    const [rotate, patch] = results;
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const secret = (await t.admin('GET', `/v1/tenants/race-rotate/subscriptions/${sub.id}/secret`)).body.secret;
    if (rotate.status === 200) expect(secret).toBe(rotate.body.secret);
    else expect(secret).toBe(sub.secret);
    if (patch.status === 409) expect(patch.body).toMatchObject({ error: { code: 'conflict' } });
  });

  it('a PATCH or a rotation after a DELETE is a 404 and recreates nothing', async () => {
    const sub = await subscribe('race-delete');
    const { services } = t.stack.runtime;
    const read = await services.subscriptions.get('race-delete', sub.id);
    expect((await t.admin('DELETE', `/v1/tenants/race-delete/subscriptions/${sub.id}`)).status).toBe(204);

    await expect(t.stack.runtime.ports.subscriptions.put({ ...read, description: 'zombie' }, read.updatedAt)).rejects.toThrow(/changed/);
    expect((await t.admin('PATCH', `/v1/tenants/race-delete/subscriptions/${sub.id}`, { description: 'x' })).status).toBe(404);
    expect((await t.admin('POST', `/v1/tenants/race-delete/subscriptions/${sub.id}/rotate-secret`)).status).toBe(404);
    expect(await t.stack.runtime.ports.subscriptions.get('race-delete', sub.id)).toBeUndefined();
  });
});

describe('bounded work per request', () => {
  it('a filtered attempt page reads at most ATTEMPT_PAGE_MAX_READ attempts, and its cursor carries on to the match', async () => {
    const sub = (await t.admin('POST', '/v1/tenants/busy/subscriptions', { url: 'http://127.0.0.1:9/busy', eventTypes: ['*'] })).body;
    const { attempts } = t.stack.runtime.ports;
    const base = Date.now() - 3_600_000;
    const attempt = (i: number, status: 'succeeded' | 'failed') => ({
      id: newAttemptId(base + i),
      messageId: `msg_${i}`,
      subscriptionId: sub.id,
      tenant: 'busy',
      eventType: 'order.paid',
      attemptNumber: 1,
      status,
      durationMs: 1,
      timestamp: new Date(base + i).toISOString(),
    });
    // The one failure is the oldest; more than a page's read budget of success items come after it
    // (one at a time, so each is its own item rather than joining a pack).
    await attempts.record(attempt(0, 'failed'));
    for (let i = 1; i <= ATTEMPT_PAGE_MAX_READ + 50; i += 1) await attempts.record(attempt(i, 'succeeded'));

    const first = await t.admin('GET', `/v1/tenants/busy/subscriptions/${sub.id}/attempts?status=failed&limit=10`);
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.admin('GET', `/v1/tenants/busy/subscriptions/${sub.id}/attempts?status=failed&limit=10&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a: { messageId: string }) => a.messageId)).toEqual(['msg_0']);
  });

  it('lists API keys a page at a time', async () => {
    for (let i = 0; i < 3; i += 1) expect((await t.admin('POST', '/v1/api-keys', { name: `paged ${i}`, scope: 'publish' })).status).toBe(201);
    const first = await t.admin('GET', '/v1/api-keys?limit=2');
    expect(first.body.items).toHaveLength(2);
    const rest = await t.admin('GET', `/v1/api-keys?limit=100&cursor=${first.body.nextCursor}`);
    const names = [...first.body.items, ...rest.body.items].map((k: { name: string }) => k.name);
    expect(names.filter((n) => n.startsWith('paged'))).toEqual(['paged 0', 'paged 1', 'paged 2']);
    expect((await t.admin('GET', '/v1/api-keys?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });
});
