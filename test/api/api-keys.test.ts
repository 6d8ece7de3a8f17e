/**
 * Scoped API keys on the local stack: created once-shown and stored hashed, listed without key material,
 * deleted; what each scope may call; and tenant isolation checked on every tenant route of the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '#shared/core/management/api-keys.ts';
import type { Attempt } from '#shared/core/platform/domain.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { waitForIdle } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, routeTable, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'paid', example: { total: 1 } })).status).toBe(201);
});

afterAll(() => t?.stop());

describe('API keys', () => {
  it('shows a new key once, stores only its hash, and lists keys without key material', async () => {
    // Act
    const created = await t.admin('POST', '/v1/api-keys', { name: 'portal for acme', scope: 'tenant', tenant: 'acme' });

    // Assert
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'portal for acme',
      scope: 'tenant',
      tenant: 'acme',
      createdAt: expect.any(String),
      key: expect.stringMatching(/^hp_[A-Za-z0-9_-]{43,}$/),
    });
    const stored = await t.stack.runtime.ports.apiKeys.findByHash(hashApiKey(created.body.key));
    expect(stored?.id).toBe(created.body.id);
    expect(JSON.stringify(stored)).not.toContain(created.body.key);

    const listed = await t.admin('GET', '/v1/api-keys');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual({ id: created.body.id, name: 'portal for acme', scope: 'tenant', tenant: 'acme', createdAt: created.body.createdAt });
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(created.body.key);
    expect(text).not.toContain('hash');
    expect(text).not.toContain(hashApiKey(created.body.key));
  });

  it('deletes a key: it stops working at once in this process and is gone from the list', async () => {
    const created = await t.admin('POST', '/v1/api-keys', { name: 'short-lived', scope: 'publish' });
    const key = t.as(created.body.key);
    expect((await key('GET', '/v1/event-types')).status).toBe(200);

    expect((await t.admin('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204);

    const refused = await key('GET', '/v1/event-types');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject(errorShape);
    expect((await t.admin('GET', '/v1/api-keys')).body.items.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
    expect((await t.admin('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(404);
    expect((await t.admin('DELETE', '/v1/api-keys/nope')).status).toBe(404);
  });

  it.each([
    ['a tenant key without a tenant', { name: 'x', scope: 'tenant' }, 422],
    ['a publish key with a tenant', { name: 'x', scope: 'publish', tenant: 'acme' }, 422],
    ['an admin key with a tenant', { name: 'x', scope: 'admin', tenant: 'acme' }, 422],
    ['an unknown scope', { name: 'x', scope: 'root' }, 422],
    ['no name', { scope: 'publish' }, 422],
    ['a bad tenant id', { name: 'x', scope: 'tenant', tenant: 'a/b' }, 422],
    ['broken JSON', '{"name":', 400],
  ])('refuses %s (%i) and creates nothing', async (_name, body, status) => {
    const before = (await t.admin('GET', '/v1/api-keys')).body.items.length;
    const refused = await t.admin('POST', '/v1/api-keys', body);
    expect(refused.status).toBe(status);
    expect(refused.body).toMatchObject(errorShape);
    expect((await t.admin('GET', '/v1/api-keys')).body.items).toHaveLength(before);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const refused = await t.admin('POST', '/v1/api-keys', 'name=x', { 'content-type': 'text/plain' });
    expect(refused.status).toBe(415);
    expect(refused.body).toMatchObject(errorShape);
  });

  it('answers 401 without a key or with an unknown one, and 403 to keys that are not admin', async () => {
    expect((await t.as(undefined)('GET', '/v1/api-keys')).status).toBe(401);
    expect((await t.as('hp_notakeyatall')('GET', '/v1/api-keys')).status).toBe(401);
    for (const key of [await t.keyFor('publish'), await t.keyFor('tenant', 'acme')]) {
      for (const [method, path, body] of [
        ['GET', '/v1/api-keys', undefined],
        ['POST', '/v1/api-keys', { name: 'escalate', scope: 'admin' }],
        ['DELETE', '/v1/api-keys/key_01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined],
      ] as const) {
        const refused = await key(method, path, body);
        expect(refused.status, `${method} ${path}`).toBe(403);
        expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
      }
    }
  });

  it('a stored admin key is an admin', async () => {
    const admin2 = await t.keyFor('admin');
    expect((await admin2('GET', '/v1/api-keys')).status).toBe(200);
    expect((await admin2('PUT', '/v1/event-types/admin2.made', { description: 'by a stored admin key' })).status).toBe(201);
  });
});

describe('scopes', () => {
  it('a publish key publishes and reads the catalogue, nothing else', async () => {
    const publish = await t.keyFor('publish');
    expect((await publish('POST', '/v1/events', { type: 'order.paid', tenant: 'anyone', data: {} })).status).toBe(202);
    expect((await publish('POST', '/v1/events/batch', { events: [{ type: 'order.paid', data: {} }] })).status).toBe(207);
    expect((await publish('GET', '/v1/event-types')).status).toBe(200);
    expect((await publish('GET', '/v1/event-types/order.paid')).status).toBe(200);
    for (const [method, path, body] of [
      ['PUT', '/v1/event-types/x.y', { description: 'x' }],
      ['POST', '/v1/event-types', { type: 'x.y', description: 'x' }],
      ['DELETE', '/v1/event-types/order.paid', undefined],
      ['GET', '/v1/tenants/acme/subscriptions', undefined],
      ['POST', '/v1/tenants/acme/subscriptions', { url: 'http://127.0.0.1:9/', eventTypes: ['*'] }],
      ['GET', '/v1/dead-letters', undefined],
      ['POST', '/v1/dead-letters/redrive', undefined],
    ] as const) {
      expect((await publish(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('a tenant key reads the catalogue and never publishes, not even to its own tenant', async () => {
    const acme = await t.keyFor('tenant', 'acme');
    for (const tenant of ['acme', 'globex', undefined]) {
      const refused = await acme('POST', '/v1/events', { type: 'order.paid', ...(tenant ? { tenant } : {}), data: {} });
      expect(refused.status, String(tenant)).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    const batch = await acme('POST', '/v1/events/batch', { events: [{ type: 'order.paid', tenant: 'acme', data: {} }] });
    expect(batch.status).toBe(403);
    expect((await acme('GET', '/v1/event-types')).status).toBe(200);
    expect((await acme('GET', '/v1/openapi.json')).status).toBe(200);
    expect((await acme('PUT', '/v1/event-types/order.paid', { description: 'mine now' })).status).toBe(403);
  });
});

describe('tenant isolation on every tenant route', () => {
  // Chosen by path, not by the routes' own `access` label: a `{tenant}` route labelled wrongly is swept too.
  /**
   * `{tenant}` routes that are deliberately admin-only: issuing a portal link is the operator's act, not
   * the tenant's. Any other `{tenant}` route must be labelled tenant and is swept below.
   */
  const ADMIN_ONLY_TENANT_ROUTES = ['POST /v1/tenants/{tenant}/portal-sessions'];
  const tenantPathRoutes = routeTable.filter((route) => route.path.includes('{tenant}'));
  const tenantRoutes = tenantPathRoutes.filter((route) => !ADMIN_ONLY_TENANT_ROUTES.includes(`${route.method} ${route.path}`));
  let globex: { id: string; secret: string; url: string };
  let globexReceiver: Receiver;
  let acmeSub: { id: string };
  let globexMessageId: string;
  let acmeMessageId: string;

  /** A body each route accepts, so a 403 is about the tenant and a 2xx proves the own-tenant call. */
  const bodyFor = (method: string, path: string): unknown => {
    if (path.endsWith('/subscriptions') && method === 'POST') return { url: 'http://127.0.0.1:9/new', eventTypes: ['*'] };
    if (method === 'PATCH') return { description: 'changed' };
    if (path.endsWith('/test')) return { type: 'order.paid' };
    if (path.endsWith('/recover')) return { since: new Date(Date.now() - 3_600_000).toISOString() };
    return undefined;
  };
  const fill = (path: string, tenant: string, id: string, msgId: string) =>
    path.replace('{tenant}', tenant).replace('{id}', id).replace('{msgId}', msgId);

  beforeAll(async () => {
    globexReceiver = await t.receiver();
    globex = (await t.admin('POST', '/v1/tenants/globex/subscriptions', { url: `${globexReceiver.url}/hook`, eventTypes: ['*'], description: 'globex private' })).body;
    acmeSub = (await t.admin('POST', '/v1/tenants/acme/subscriptions', { url: 'http://127.0.0.1:9/acme', eventTypes: ['*'] })).body;
    const now = new Date().toISOString();
    globexMessageId = 'msg_01JD7S00000000000000GLOBX';
    acmeMessageId = 'msg_01JD7S000000000000000ACME';
    await t.stack.runtime.ports.messages.keep({ id: globexMessageId, type: 'order.paid', tenant: 'globex', timestamp: now, dataJson: JSON.stringify({ secret: 'globex data' }) });
    await t.stack.runtime.ports.messages.keep({ id: acmeMessageId, type: 'order.paid', tenant: 'acme', timestamp: now, dataJson: '{}' });
  });

  it('covers the tenant routes it should, and every one is labelled tenant', () => {
    expect(tenantRoutes.length).toBeGreaterThanOrEqual(12);
    expect(tenantRoutes.filter((route) => route.access !== 'tenant').map((route) => `${route.method} ${route.path}`)).toEqual([]);
    // The exceptions are admin-only, and a tenant key is refused there.
    expect(tenantPathRoutes.filter((route) => !tenantRoutes.includes(route)).map((route) => route.access)).toEqual(['admin']);
  });

  it("refuses every tenant route of another tenant with 403 and no data, and changes nothing there", async () => {
    const acme = await t.keyFor('tenant', 'acme');
    const before = await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}`);
    for (const route of tenantRoutes) {
      const path = fill(route.path, 'globex', globex.id, globexMessageId);
      const refused = await acme(route.method, path, bodyFor(route.method, route.path));
      expect(refused.status, `${route.method} ${route.path}`).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden', message: expect.any(String), details: [] } });
      const text = JSON.stringify(refused.body);
      for (const secretThing of [globex.secret, globex.url, 'globex private', 'globex data']) expect(text).not.toContain(secretThing);
    }
    expect((await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}`)).body).toEqual(before.body);
    expect((await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}/secret`)).body.secret).toBe(globex.secret);
    expect((await t.admin('GET', '/v1/tenants/globex/subscriptions')).body.items).toHaveLength(1);
    await waitForIdle(t.stack);
    expect(globexReceiver.requests).toHaveLength(0); // no test event, no redelivery, no recovery reached it
  });

  it("finds nothing of another tenant's under its own tenant path: a foreign subscription or message id is 404, and changes nothing", async () => {
    // Attempt keys carry no tenant, so a route that trusted the id alone would leak globex's attempts to acme.
    await t.stack.runtime.ports.attempts.record({
      id: 'att_01JD7S00000000000000GLOBX',
      subscriptionId: globex.id,
      messageId: globexMessageId,
      tenant: 'globex',
      eventType: 'order.paid',
      attemptNumber: 1,
      status: 'failed',
      statusCode: 500,
      response: 'globex private response',
      durationMs: 1,
      timestamp: new Date().toISOString(),
    } satisfies Attempt);
    const acme = await t.keyFor('tenant', 'acme');
    const before = await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}`);
    const foreign = tenantRoutes.filter((route) => route.path.includes('{id}') || route.path.includes('{msgId}'));
    expect(foreign.length).toBeGreaterThanOrEqual(9);
    for (const route of foreign) {
      const path = fill(route.path, 'acme', globex.id, globexMessageId);
      const refused = await acme(route.method, path, bodyFor(route.method, route.path));
      expect(refused.status, `${route.method} ${path}`).toBe(404);
      expect(refused.body).toMatchObject({ error: { code: 'not_found' } });
      const text = JSON.stringify(refused.body);
      for (const secretThing of [globex.secret, globex.url, 'globex private', 'globex data']) expect(text).not.toContain(secretThing);
    }
    expect((await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}`)).body).toEqual(before.body);
    expect((await t.admin('GET', `/v1/tenants/globex/subscriptions/${globex.id}/secret`)).body.secret).toBe(globex.secret);
    await waitForIdle(t.stack);
    expect(globexReceiver.requests).toHaveLength(0);
  });

  it('answers every tenant route of its own tenant', async () => {
    const acme = await t.keyFor('tenant', 'acme');
    // DELETE last: the other routes need the subscription.
    const ordered = [...tenantRoutes].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    for (const route of ordered) {
      const path = fill(route.path, 'acme', acmeSub.id, acmeMessageId);
      const response = await acme(route.method, path, bodyFor(route.method, route.path));
      expect(response.status, `${route.method} ${route.path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    }
  });
});
