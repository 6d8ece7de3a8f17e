/** The typed client (hookpost/client): its types match openapi.json, and a producer publishes through it. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookpostClient } from 'hookpost/client';
import { clientTypes, SCHEMA_FILE } from '../../client/generate.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';

describe('hookpost/client', () => {
  let t: ApiTestContext;
  beforeAll(async () => {
    t = await startApiTest();
  });
  afterAll(() => t?.stop());

  it('is committed as generated from openapi.json (npm run openapi)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await clientTypes());
  });

  it('publishes an event and reads the catalogue, typed', async () => {
    const hookpost = createHookpostClient({ baseUrl: `${t.stack.url}/`, apiKey: t.stack.adminKey });
    const put = await hookpost.PUT('/v1/event-types/{type}', { params: { path: { type: 'order.paid' } }, body: { description: 'An order was paid' } });
    expect(put.response.status).toBe(201);
    const { data, error, response } = await hookpost.POST('/v1/events', { body: { type: 'order.paid', tenant: 'acme', data: { total: 42 } } });
    expect(error).toBeUndefined();
    expect(response.status).toBe(202);
    expect(data?.id).toMatch(/^msg_/);
    // The README's example, as written there.
    const readme = createHookpostClient({ baseUrl: t.stack.url, apiKey: t.stack.adminKey });
    const sent = await readme.POST('/v1/events', {
      body: { type: 'order.paid', tenant: 'acme', data: { id: 's_42', domain: 'shop.example.com' } },
      headers: { 'Idempotency-Key': 'site-s_42' },
    });
    if (sent.error) throw new Error(`${sent.error.error.code}: ${sent.error.error.message}`);
    const again = await readme.POST('/v1/events', {
      body: { type: 'order.paid', tenant: 'acme', data: { id: 's_42', domain: 'shop.example.com' } },
      headers: { 'Idempotency-Key': 'site-s_42' },
    });
    expect(again.data?.id).toBe(sent.data.id);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    const refused = await createHookpostClient({ baseUrl: t.stack.url, apiKey: 'hp_wrong' }).GET('/v1/event-types');
    expect(refused.response.status).toBe(401);
    expect(refused.error?.error.code).toBe('unauthorized');
  });
});
