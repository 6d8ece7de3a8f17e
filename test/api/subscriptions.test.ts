/**
 * Subscriptions through the API on the local stack: CRUD, PATCH, pagination, header rules, secret
 * rotation verified with standardwebhooks, test events, attempt log and 24-hour stats.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '#shared/core/platform/domain.ts';
import { type ApiCall, waitFor } from '../helpers/api.ts';
import { spyOnQueue, subscribe, waitForIdle } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, headersOf, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
  const put = await t.admin('PUT', '/v1/event-types/user.created', {
    description: 'a user was created',
    example: { id: 'u_example', email: 'ada@example.com' },
  });
  expect(put.status).toBe(201);
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'paid' })).status).toBe(201);
});

afterAll(() => t?.stop());

async function create(tenant: string, body: { url: string; eventTypes: string[] } & Record<string, unknown>) {
  const { url, eventTypes, ...extra } = body;
  return subscribe(t.admin, tenant, url, eventTypes, extra);
}

const verify = (secret: string, request: { body: string; headers: Record<string, string | string[] | undefined> }) =>
  new Webhook(secret).verify(request.body, headersOf(request));

describe('subscription CRUD', () => {
  it('creates, reads, patches and deletes an endpoint', async () => {
    // Arrange
    const created = await create('crud', { url: 'http://127.0.0.1:9/hook', eventTypes: ['user.*'], description: 'first' });
    expect(created).toMatchObject({ id: expect.stringMatching(/^sub_/), secret: expect.stringMatching(/^whsec_/), enabled: true, headers: {} });
    expect(created).not.toHaveProperty('secrets');

    // Act
    const patched = await t.admin('PATCH', `/v1/tenants/crud/subscriptions/${created.id}`, {
      url: 'http://127.0.0.1:10/other',
      eventTypes: ['order.paid'],
      description: 'second',
      headers: { 'x-customer': 'acme' },
      enabled: false,
    });

    // Assert
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: 'http://127.0.0.1:10/other', eventTypes: ['order.paid'], description: 'second', headers: { 'x-customer': 'acme' }, enabled: false });
    const read = await t.admin('GET', `/v1/tenants/crud/subscriptions/${created.id}`);
    expect(read.body).toEqual(patched.body);
    expect(read.body).not.toHaveProperty('secrets');
    expect((await t.admin('GET', `/v1/tenants/crud/subscriptions/${created.id}/secret`)).body).toEqual({ secret: created.secret });

    const deleted = await t.admin('DELETE', `/v1/tenants/crud/subscriptions/${created.id}`);
    expect(deleted.status).toBe(204);
    expect((await t.admin('GET', `/v1/tenants/crud/subscriptions/${created.id}`)).status).toBe(404);
    expect((await t.admin('DELETE', `/v1/tenants/crud/subscriptions/${created.id}`)).status).toBe(404);
  });

  it('re-enabling clears the reason the endpoint was disabled', async () => {
    const created = await create('reenable', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
    await t.stack.runtime.ports.subscriptions.disable('reenable', created.id, 'endpoint answered 410 Gone', new Date().toISOString());
    const disabled = await t.admin('GET', `/v1/tenants/reenable/subscriptions/${created.id}`);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: 'endpoint answered 410 Gone' });

    const describedOnly = await t.admin('PATCH', `/v1/tenants/reenable/subscriptions/${created.id}`, { description: 'still off' });
    expect(describedOnly.body).toMatchObject({ enabled: false, disabledReason: 'endpoint answered 410 Gone' });

    const enabled = await t.admin('PATCH', `/v1/tenants/reenable/subscriptions/${created.id}`, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    expect(enabled.body).not.toHaveProperty('disabledReason');
  });

  it('pages through a tenant’s endpoints with a cursor, oldest first, each once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await create('paged', { url: `http://127.0.0.1:9/${i}`, eventTypes: ['*'] })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.admin('GET', `/v1/tenants/paged/subscriptions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((s: { id: string }) => s.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it.each([
    ['a cursor that is not ours', '/v1/tenants/paged/subscriptions?cursor=bm9wZQ'],
    ['a limit over 100', '/v1/tenants/paged/subscriptions?limit=101'],
    ['a limit that is not a number', '/v1/tenants/paged/subscriptions?limit=ten'],
  ])('answers 400 for %s', async (_name, path) => {
    const response = await t.admin('GET', path);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject(errorShape);
  });

  it('answers 404 for an unknown endpoint on every subscription route', async () => {
    const missing = '/v1/tenants/crud/subscriptions/sub_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const [method, path, body] of [
      ['GET', missing, undefined],
      ['PATCH', missing, { description: 'x' }],
      ['DELETE', missing, undefined],
      ['GET', `${missing}/secret`, undefined],
      ['POST', `${missing}/rotate-secret`, undefined],
      ['POST', `${missing}/test`, {}],
      ['GET', `${missing}/attempts`, undefined],
      ['GET', `${missing}/stats`, undefined],
      ['POST', `${missing}/recover`, { since: new Date(Date.now() - 60_000).toISOString() }],
    ] as const) {
      const response = await t.admin(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('validation: 400/415/422 in the error shape, and nothing left behind', () => {
  it.each([
    ['CR/LF in a header value', { headers: { 'x-evil': 'a\r\nx-injected: 1' } }],
    ['overriding webhook-id', { headers: { 'webhook-id': 'msg_fake' } }],
    ['overriding webhook-signature (any case)', { headers: { 'Webhook-Signature': 'v1,forged' } }],
    ['overriding content-type', { headers: { 'content-type': 'text/plain' } }],
    ['overriding user-agent', { headers: { 'user-agent': 'evil' } }],
    ['overriding host', { headers: { host: 'internal' } }],
    ['a header name that is not a token', { headers: { 'bad name': 'x' } }],
    ['no event types', { eventTypes: [] }],
    ['a bad event type pattern', { eventTypes: ['user.*.x*'] }],
    ['a relative url', { url: '/hook' }],
    ['a ftp url', { url: 'ftp://example.com/hook' }],
    ['an unknown field', { secret: 'whsec_mine' }],
  ])('refuses %s with 422 on create and on PATCH', async (_name, override) => {
    const base = { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] };
    const refused = await t.admin('POST', '/v1/tenants/strict/subscriptions', { ...base, ...override });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'validation_failed', details: [expect.objectContaining({ message: expect.any(String) })] } });
    expect((await t.admin('GET', '/v1/tenants/strict/subscriptions')).body.items).toEqual([]);

    const kept = await create('strict-patch', base);
    const patched = await t.admin('PATCH', `/v1/tenants/strict-patch/subscriptions/${kept.id}`, override);
    expect(patched.status).toBe(422);
    expect(patched.body).toMatchObject(errorShape);
    const after = await t.admin('GET', `/v1/tenants/strict-patch/subscriptions/${kept.id}`);
    expect(after.body).toMatchObject({ url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], headers: {} });
    await t.admin('DELETE', `/v1/tenants/strict-patch/subscriptions/${kept.id}`);
  });

  it('refuses an empty PATCH (422), a non-JSON body (415) and broken JSON (400)', async () => {
    const kept = await create('strict-body', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
    const path = `/v1/tenants/strict-body/subscriptions/${kept.id}`;
    expect((await t.admin('PATCH', path, {})).status).toBe(422);
    const form = await t.admin('PATCH', path, 'enabled=false', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject(errorShape);
    const broken = await t.admin('PATCH', path, '{"enabled":');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject(errorShape);
    expect((await t.admin('GET', path)).body.enabled).toBe(true);
  });

  it('refuses a bad tenant id in the path with 400', async () => {
    const response = await t.admin('GET', '/v1/tenants/bad%20tenant/subscriptions');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject(errorShape);
  });

  it('sends custom headers with deliveries', async () => {
    const r = await t.receiver();
    await create('headers', { url: `${r.url}/hook`, eventTypes: ['order.paid'], headers: { 'x-customer': 'acme', Authorization: 'Bearer theirs' } });
    expect((await t.admin('POST', '/v1/events', { type: 'order.paid', tenant: 'headers', data: {} })).status).toBe(202);
    await waitFor('the delivery', () => r.requests.length === 1);
    expect(r.requests[0]!.headers['x-customer']).toBe('acme');
    expect(r.requests[0]!.headers.authorization).toBe('Bearer theirs');
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during the overlap, and only the new one after it', async () => {
    // Arrange
    const r = await t.receiver();
    const sub = await create('rotate', { url: `${r.url}/hook`, eventTypes: ['order.paid'] });

    // Act
    const rotated = await t.admin('POST', `/v1/tenants/rotate/subscriptions/${sub.id}/rotate-secret`);

    // Assert: a new secret, now the current one, and both verify a delivery
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect((await t.admin('GET', `/v1/tenants/rotate/subscriptions/${sub.id}/secret`)).body.secret).toBe(rotated.body.secret);
    await t.admin('POST', '/v1/events', { type: 'order.paid', tenant: 'rotate', data: { n: 1 } });
    await waitFor('the delivery during the overlap', () => r.requests.length === 1);
    const duringOverlap = r.requests[0]!;
    expect(String(duringOverlap.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.body.secret, duringOverlap)).toMatchObject({ data: { n: 1 } });
    expect(verify(sub.secret, duringOverlap)).toMatchObject({ data: { n: 1 } });

    // After the overlap: the old entry's expiresAt is in the past
    const stored = (await t.stack.runtime.ports.subscriptions.get('rotate', sub.id)) as Subscription;
    expect(stored.secrets.map((s) => s.secret)).toEqual([rotated.body.secret, sub.secret]);
    expect(Date.parse(stored.secrets[1]!.expiresAt!) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    // Through the directory, which also drops this process's cached copy of the tenant.
    await t.stack.runtime.services.directory.put({
      ...stored,
      secrets: [stored.secrets[0]!, { secret: sub.secret, expiresAt: new Date(Date.now() - 1_000).toISOString() }],
    });
    await t.admin('POST', '/v1/events', { type: 'order.paid', tenant: 'rotate', data: { n: 2 } });
    await waitFor('the delivery after the overlap', () => r.requests.length === 2);
    const afterOverlap = r.requests[1]!;
    expect(String(afterOverlap.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(rotated.body.secret, afterOverlap)).toMatchObject({ data: { n: 2 } });
    expect(() => verify(sub.secret, afterOverlap)).toThrow();

    // Rotating again drops the expired secret
    const again = await t.admin('POST', `/v1/tenants/rotate/subscriptions/${sub.id}/rotate-secret`);
    const pruned = (await t.stack.runtime.ports.subscriptions.get('rotate', sub.id)) as Subscription;
    expect(pruned.secrets.map((s) => s.secret)).toEqual([again.body.secret, rotated.body.secret]);
  });
});

describe('test events', () => {
  it('makes one signed attempt with the example payload and returns it', async () => {
    // Arrange
    const r = await t.receiver({ status: 200, body: 'thanks' });
    const sub = await create('testing', { url: `${r.url}/hook`, eventTypes: ['user.created', 'order.*'] });

    // Act: no type given → the first exact type the endpoint wants
    const sent = await t.admin('POST', `/v1/tenants/testing/subscriptions/${sub.id}/test`);

    // Assert
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      id: expect.stringMatching(/^att_/),
      messageId: expect.stringMatching(/^msg_/),
      subscriptionId: sub.id,
      eventType: 'user.created',
      status: 'succeeded',
      statusCode: 200,
      response: 'thanks',
      durationMs: expect.any(Number),
      test: true,
    });
    expect(r.requests).toHaveLength(1);
    const payload = verify(sub.secret, r.requests[0]!) as { type: string; data: unknown };
    expect(payload).toMatchObject({ type: 'user.created', data: { id: 'u_example', email: 'ada@example.com' } });
    expect(r.requests[0]!.headers['webhook-id']).toBe(sent.body.messageId);
    const log = await t.admin('GET', `/v1/tenants/testing/subscriptions/${sub.id}/attempts`);
    expect(log.body.items[0]).toEqual(sent.body);
  });

  it('reports a failing endpoint’s answer and never retries it, even on a disabled endpoint', async () => {
    const r = await t.receiver({ status: 500, body: 'boom' });
    const sub = await create('testing-fail', { url: `${r.url}/hook`, eventTypes: ['*'], enabled: false });
    const spy = spyOnQueue(t.stack.runtime.ports.queue);
    const sent = await t.admin('POST', `/v1/tenants/testing-fail/subscriptions/${sub.id}/test`, { type: 'order.paid' });
    spy.restore();
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'failed', statusCode: 500, response: 'boom', error: 'endpoint answered 500', eventType: 'order.paid', test: true });
    expect(JSON.parse(r.requests[0]!.body).data).toEqual({});
    expect(spy.sent).toEqual([]); // no retry was scheduled
    await waitForIdle(t.stack);
    expect(r.requests).toHaveLength(1);
  });

  it('asks for a type when the endpoint wants only patterns, and refuses an unknown one', async () => {
    const sub = await create('testing-422', { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'] });
    const noType = await t.admin('POST', `/v1/tenants/testing-422/subscriptions/${sub.id}/test`, {});
    expect(noType.status).toBe(422);
    expect(noType.body).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'type' }] } });
    const unknown = await t.admin('POST', `/v1/tenants/testing-422/subscriptions/${sub.id}/test`, { type: 'never.registered' });
    expect(unknown.status).toBe(422);
    const badName = await t.admin('POST', `/v1/tenants/testing-422/subscriptions/${sub.id}/test`, { type: 'has space' });
    expect(badName.status).toBe(422);
  });
});

describe('attempt log and stats', () => {
  it('pages the attempt log newest first and counts the last 24 h without test events', async () => {
    // Arrange: one delivery that fails once then succeeds, plus three test events
    const r = await t.receiver({ status: 503, body: 'busy' });
    const sub = await create('stats', { url: `${r.url}/hook`, eventTypes: ['order.paid'] });
    const empty = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/stats`);
    expect(empty.body).toMatchObject({ attempts: 0, succeeded: 0, failed: 0, successRate: null, truncated: false });
    await t.admin('POST', '/v1/events', { type: 'order.paid', tenant: 'stats', data: {} });
    await waitFor('the retry', () => r.requests.length === 2, 10_000);
    for (let i = 0; i < 3; i += 1) await t.admin('POST', `/v1/tenants/stats/subscriptions/${sub.id}/test`, {});

    // Act
    const stats = await waitFor<ApiCall | undefined>('both delivery attempts counted', async () => {
      const response = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/stats`);
      return response.body.attempts === 2 ? response : undefined;
    }).then((found) => found as ApiCall);

    // Assert
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ attempts: 2, succeeded: 1, failed: 1, successRate: 0.5, truncated: false });
    expect(Date.now() - Date.parse(stats.body.since)).toBeGreaterThan(23.9 * 3600_000);

    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/attempts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((a: { id: string }) => a.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(5);
    expect([...ids].sort().reverse()).toEqual(ids);
    const failed = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/attempts?status=failed`);
    expect(failed.body.items.map((a: { statusCode: number }) => a.statusCode)).toEqual([503]);
    const badStatus = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/attempts?status=maybe`);
    expect(badStatus.status).toBe(400);
    const foreignCursor = await t.admin('GET', `/v1/tenants/stats/subscriptions/${sub.id}/attempts?cursor=e30`);
    expect(foreignCursor.status).toBe(400);
  });
});
