import { describe, expect, it } from 'vitest';
import { compile, match, mayCall, type Route } from '#shared/api/router.ts';

const handle = async () => ({ statusCode: 200, headers: {}, body: '' });
const routes = compile([
  { method: 'GET', path: '/v1/tenants/{tenant}/subscriptions/{id}', access: 'tenant', handle },
  { method: 'DELETE', path: '/v1/tenants/{tenant}/subscriptions/{id}', access: 'tenant', handle },
] satisfies Route[]);

describe('router', () => {
  it('extracts decoded path parameters', () => {
    const found = match(routes, 'GET', '/v1/tenants/acme/subscriptions/sub%5F1');
    expect(found).toMatchObject({ kind: 'found', params: { tenant: 'acme', id: 'sub_1' } });
  });

  it('tells a wrong method (405 with allow) from an unknown path', () => {
    expect(match(routes, 'PUT', '/v1/tenants/acme/subscriptions/sub_1')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['GET', 'DELETE'],
    });
    expect(match(routes, 'GET', '/v1/nothing')).toEqual({ kind: 'not_found' });
  });

  it('reports a broken percent-escape instead of throwing', () => {
    expect(match(routes, 'GET', '/v1/tenants/%E0%A4%A/subscriptions/x')).toEqual({ kind: 'malformed_path' });
  });

  it('lets a tenant key reach only its own tenant', () => {
    const key = { keyId: 'k', scope: 'tenant' as const, tenant: 'acme' };
    expect(mayCall('tenant', key, { tenant: 'acme' })).toBe(true);
    expect(mayCall('tenant', key, { tenant: 'globex' })).toBe(false);
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
