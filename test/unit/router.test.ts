/** Routing on the Hono app: exact paths, 405 with Allow, a broken escape, decoded parameters, and access per route. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApi } from '#shared/api/app.ts';
import { createRoute, defineRoute, mayCall } from '#shared/api/route.ts';
import type { Principal } from '#shared/core/platform/domain.ts';
import type { Services } from '#shared/core/management/services.ts';

const KEYS: Record<string, Principal> = {
  'hp_admin': { keyId: 'admin', scope: 'admin' },
  'hp_acme': { keyId: 'k1', scope: 'tenant', tenant: 'acme' },
  'hp_publish': { keyId: 'k2', scope: 'publish' },
};
const services = { auth: { authenticate: async (header?: string) => KEYS[header?.replace(/^Bearer /, '') ?? ''] } } as unknown as Services;

const params = z.object({ tenant: z.string(), id: z.string() });
const echoParams = defineRoute({
  access: 'tenant',
  route: createRoute({ method: 'get', path: '/v1/tenants/{tenant}/subscriptions/{id}', request: { params }, responses: {} }),
  handler: (c) => c.json(c.req.valid('param'), 200),
});
const remove = defineRoute({
  access: 'tenant',
  route: createRoute({ method: 'delete', path: '/v1/tenants/{tenant}/subscriptions/{id}', request: { params }, responses: {} }),
  handler: (c) => c.body(null, 204),
});
const health = defineRoute({
  access: 'public',
  route: createRoute({ method: 'get', path: '/v1/health', responses: {} }),
  handler: (c) => c.json({ status: 'ok' }, 200),
});
const app = createApi(services, [echoParams, remove, health]);

const call = async (method: string, path: string, key = 'hp_admin') => {
  const response = await app.request(path, { method, headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  return { status: response.status, allow: response.headers.get('allow'), body: text ? JSON.parse(text) : undefined };
};

describe('routing', () => {
  it('extracts decoded path parameters', async () => {
    expect(await call('GET', '/v1/tenants/acme/subscriptions/sub%5F1')).toMatchObject({ status: 200, body: { tenant: 'acme', id: 'sub_1' } });
  });

  it('tells a wrong method (405 with Allow) from an unknown path (404), both in the error shape', async () => {
    const wrongMethod = await call('PUT', '/v1/tenants/acme/subscriptions/sub_1');
    expect(wrongMethod).toMatchObject({ status: 405, allow: 'GET, DELETE', body: { error: { code: 'method_not_allowed', details: [] } } });
    expect(await call('GET', '/v1/nothing')).toMatchObject({ status: 404, allow: null, body: { error: { code: 'not_found', details: [] } } });
  });

  it('answers HEAD as a method the route does not have, not with the GET route', async () => {
    const head = await app.request('/v1/health', { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
  });

  it('matches paths exactly: a trailing slash is another path (404)', async () => {
    expect((await call('GET', '/v1/health/')).status).toBe(404);
    expect((await call('GET', '/v1/tenants/acme/subscriptions/sub_1/')).status).toBe(404);
    expect((await call('GET', '/v1/health')).status).toBe(200);
  });

  it('matches the path as sent: a percent-escaped letter in a fixed segment is another path (404)', async () => {
    expect((await call('GET', '/v1/%68ealth')).status).toBe(404);
    expect((await call('GET', '/v1/tenants/acme/%73ubscriptions/s')).status).toBe(404);
  });

  it('reports a broken percent-escape as 400 malformed_request, before asking for a key', async () => {
    const broken = await call('GET', '/v1/tenants/%E0%A4%A/subscriptions/x', 'no-such-key');
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'malformed_request', message: 'the path has an invalid percent-escape' } } });
  });

  it('checks the key (401) before the scope (403), on each route by its own access level', async () => {
    expect((await call('GET', '/v1/tenants/acme/subscriptions/s', 'nope')).status).toBe(401);
    expect((await call('GET', '/v1/tenants/acme/subscriptions/s', 'hp_acme')).status).toBe(200);
    expect((await call('GET', '/v1/tenants/globex/subscriptions/s', 'hp_acme')).body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call('GET', '/v1/tenants/acme/subscriptions/s', 'hp_publish')).status).toBe(403);
    expect((await app.request('/v1/health')).status).toBe(200); // public: no key at all
  });
});

describe('access levels', () => {
  it('lets a tenant key reach only its own tenant, never a reserved one', () => {
    const key = { keyId: 'k', scope: 'tenant' as const, tenant: 'acme' };
    expect(mayCall('tenant', key, { tenant: 'acme' })).toBe(true);
    expect(mayCall('tenant', key, { tenant: 'globex' })).toBe(false);
    expect(mayCall('tenant', { keyId: 'k', scope: 'tenant', tenant: '_operations' }, { tenant: '_operations' })).toBe(false);
    expect(mayCall('admin', key, {})).toBe(false);
    expect(mayCall('tenant', { keyId: 'p', scope: 'publish' }, { tenant: 'acme' })).toBe(false);
  });

  it('lets only admin and publish keys publish, and any key read', () => {
    const tenantKey = { keyId: 'k', scope: 'tenant' as const, tenant: 'acme' };
    const publishKey = { keyId: 'p', scope: 'publish' as const };
    expect(mayCall('publish', tenantKey, {})).toBe(false);
    expect(mayCall('publish', publishKey, {})).toBe(true);
    expect(mayCall('publish', { keyId: 'admin', scope: 'admin' }, {})).toBe(true);
    expect(mayCall('read', tenantKey, {})).toBe(true);
    expect(mayCall('read', publishKey, {})).toBe(true);
  });
});
