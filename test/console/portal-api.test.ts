/** Portal sessions and the tenant list through the API: tokens are tenant-scoped, expire, cannot publish, and die with the key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPortalToken, verifyPortalToken } from '#shared/core/management/portal-tokens.ts';
import { type ApiTestContext, errorShape, startApiTest } from '../api/setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'paid', example: { total: 1 } })).status).toBe(201);
});
afterAll(() => t?.stop());

describe('POST /v1/tenants/{tenant}/portal-sessions', () => {
  it('gives an absolute link with the token in the fragment, valid for the asked time', async () => {
    const before = Date.now();
    const created = await t.admin('POST', '/v1/tenants/acme/portal-sessions', { expiresInSeconds: 120 });
    expect(created.status).toBe(201);
    const { url, token, expiresAt } = created.body;
    expect(url).toBe(`${t.stack.url}/console/portal#token=${token}`);
    expect(new URL(url).search).toBe('');
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 119_000);
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it('defaults to an hour, refuses out-of-range lifetimes, and is admin-only', async () => {
    const created = await t.admin('POST', '/v1/tenants/acme/portal-sessions');
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(3_590_000);
    for (const expiresInSeconds of [59, 86_401, 'long']) {
      const refused = await t.admin('POST', '/v1/tenants/acme/portal-sessions', { expiresInSeconds });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject(errorShape);
    }
    const tenantKey = await t.keyFor('tenant', 'acme');
    expect((await tenantKey('POST', '/v1/tenants/acme/portal-sessions', {})).status).toBe(403);
    expect((await t.as(created.body.token)('POST', '/v1/tenants/acme/portal-sessions', {})).status).toBe(403);
  });

  it('the token manages its own tenant only and never publishes', async () => {
    const { token } = (await t.admin('POST', '/v1/tenants/acme/portal-sessions', {})).body;
    const portal = t.as(token);
    const made = await portal('POST', '/v1/tenants/acme/subscriptions', { url: 'http://127.0.0.1:9/acme', eventTypes: ['order.paid'] });
    expect(made.status).toBe(201);
    expect((await portal('GET', '/v1/tenants/acme/subscriptions')).status).toBe(200);
    expect((await portal('GET', '/v1/event-types')).status).toBe(200);
    expect((await portal('GET', '/v1/tenants/globex/subscriptions')).status).toBe(403);
    for (const [path, body] of [
      ['/v1/events', { type: 'order.paid', tenant: 'acme', data: {} }],
      ['/v1/events/batch', { events: [{ type: 'order.paid', tenant: 'acme', data: {} }] }],
    ] as const) {
      const refused = await portal('POST', path, body);
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject(errorShape);
    }
    for (const path of ['/v1/api-keys', '/v1/dead-letters', '/v1/tenants']) expect((await portal('GET', path)).status, path).toBe(403);
  });

  it('refuses forged, tampered and expired tokens (401)', async () => {
    const { token } = (await t.admin('POST', '/v1/tenants/acme/portal-sessions', {})).body;
    const [body, signature] = token.slice(4).split('.');
    const otherTenant = Buffer.from(JSON.stringify({ t: 'globex', s: 'tenant', exp: 9_999_999_999 })).toString('base64url');
    const key = t.stack.portalSigningKey;
    for (const bad of [
      `hpp_${otherTenant}.${signature}`,
      `hpp_${body}.${signature?.slice(0, -2)}AA`,
      signPortalToken(Buffer.alloc(32, 7).toString('base64'), 'acme', Date.now() + 60_000),
      signPortalToken(key, 'acme', Date.now() - 1_000),
      'hpp_garbage',
    ]) {
      expect((await t.as(bad)('GET', '/v1/tenants/acme/subscriptions')).status, bad).toBe(401);
    }
  });

  it('a new signing key revokes every outstanding token', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const token = signPortalToken(key, 'acme', Date.now() + 60_000);
    expect(verifyPortalToken(key, token, Date.now())).toEqual({ keyId: 'portal', scope: 'tenant', tenant: 'acme' });
    expect(verifyPortalToken(Buffer.alloc(32, 2).toString('base64'), token, Date.now())).toBeUndefined();
    expect(verifyPortalToken(key, token, Date.now() + 61_000)).toBeUndefined();
  });
});

describe('GET /v1/tenants', () => {
  it('lists tenants with endpoint counts, paged, and forgets a tenant whose last endpoint is deleted', async () => {
    const made: Record<string, string[]> = {};
    for (const tenant of ['t-alpha', 't-beta', 't-beta', 't-gamma']) {
      const created = await t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { url: 'http://127.0.0.1:9/x', eventTypes: ['*'] });
      made[tenant] = [...(made[tenant] ?? []), created.body.id];
    }
    const all: Array<{ tenant: string; endpoints: number }> = [];
    let cursor: string | undefined;
    do {
      const page = await t.admin('GET', `/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.filter((x) => x.tenant.startsWith('t-')).map((x) => [x.tenant, x.endpoints])).toEqual([
      ['t-alpha', 1],
      ['t-beta', 2],
      ['t-gamma', 1],
    ]);
    expect((await t.admin('DELETE', `/v1/tenants/t-alpha/subscriptions/${made['t-alpha']?.[0]}`)).status).toBe(204);
    expect((await t.admin('DELETE', `/v1/tenants/t-beta/subscriptions/${made['t-beta']?.[0]}`)).status).toBe(204);
    const after = (await t.admin('GET', '/v1/tenants?limit=100')).body.items.filter((x: { tenant: string }) => x.tenant.startsWith('t-'));
    expect(after.map((x: { tenant: string; endpoints: number }) => [x.tenant, x.endpoints])).toEqual([
      ['t-beta', 1],
      ['t-gamma', 1],
    ]);
    expect((await t.admin('GET', '/v1/tenants?cursor=bad')).status).toBe(400);
  });
});
