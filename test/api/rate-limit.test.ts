/**
 * `rateLimit` through the API: 1..1000 whole deliveries per second, on create and PATCH (null takes it
 * away); anything else is a 422 naming the field that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestContext, errorShape, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
});

afterAll(async () => {
  await t?.stop();
});

const create = (tenant: string, body: Record<string, unknown>) =>
  t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], ...body });

describe('rateLimit', () => {
  it.each([
    ['zero', 0],
    ['over 1000', 1001],
    ['a fraction', 2.5],
    ['a string', '5'],
    ['negative', -1],
  ])('refuses %s on create with 422 naming rateLimit, and creates nothing', async (_name, rateLimit) => {
    const response = await create('invalid-rate', { rateLimit });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject(errorShape);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain('rateLimit');
    expect((await t.admin('GET', '/v1/tenants/invalid-rate/subscriptions')).body.items).toEqual([]);
  });

  it('is stored on create, shown, changed by PATCH, and taken away with null', async () => {
    const created = await create('rated', { rateLimit: 1000 });
    expect(created.status).toBe(201);
    expect(created.body.rateLimit).toBe(1000);
    const path = `/v1/tenants/rated/subscriptions/${created.body.id}`;
    expect((await t.admin('GET', path)).body.rateLimit).toBe(1000);

    const changed = await t.admin('PATCH', path, { rateLimit: 1 });
    expect(changed.status).toBe(200);
    expect((await t.admin('GET', path)).body.rateLimit).toBe(1);

    const refused = await t.admin('PATCH', path, { rateLimit: 0 });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain('rateLimit');
    expect((await t.admin('GET', path)).body.rateLimit).toBe(1);

    const cleared = await t.admin('PATCH', path, { rateLimit: null });
    expect(cleared.status).toBe(200);
    expect((await t.admin('GET', path)).body).not.toHaveProperty('rateLimit');
  });

  it('absent means unlimited: a new endpoint has no rateLimit', async () => {
    const created = await create('unrated', {});
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('rateLimit');
  });
});
