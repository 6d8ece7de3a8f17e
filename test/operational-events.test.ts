/**
 * Operational events on the local stack, with real receivers: Hookpost publishes to the reserved tenant
 * `_operations` (disabled, exhausted, recovered) as ordinary signed webhooks; a failing `_operations`
 * endpoint causes no further operational event; only admin keys reach `_…` tenants and nobody
 * publishes into them.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signPortalToken } from '#shared/core/management/portal-tokens.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from './helpers/api.ts';
import type { Receiver } from './helpers/receiver.ts';
import { receiverPool, subscribe, waitForIdle } from './helpers/stack.ts';

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
let operations: Receiver;
let operationsSecret: string;
const receivers = receiverPool({ lifetimeMs: 90_000 });

interface OperationalEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { tenant: string };
}

/** What the operators' endpoint received about `tenant`, each verified with its secret (throws if unsigned). */
function operationalEventsAbout(receiver: Receiver, secret: string, tenant: string): OperationalEvent[] {
  return receiver.requests
    .map((request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      return new Webhook(secret).verify(request.body, headers) as OperationalEvent;
    })
    .filter((event) => event.data.tenant === tenant);
}

const awaitEvent = (tenant: string, type: string): Promise<OperationalEvent> =>
  waitFor<OperationalEvent | undefined>(`${type} about ${tenant}`, () => operationalEventsAbout(operations, operationsSecret, tenant).find((e) => e.type === type), 20_000) as Promise<OperationalEvent>;

beforeAll(async () => {
  stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), retryScheduleSeconds: [1], deliveryTimeoutMs: 2_000 });
  call = apiClient(stack.url, stack.adminKey);
  expect((await call('PUT', '/v1/event-types/order.paid', { description: 'an order was paid' })).status).toBe(201);
  operations = await receivers.start();
  operationsSecret = (await subscribe(call, '_operations', `${operations.url}/ops`, ['hookpost.*'])).secret;
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

describe('operational events', () => {
  it('lists the three types in the catalogue, with schemas, and keeps them as built', async () => {
    const listed = await call('GET', '/v1/event-types');
    const types = listed.body.items.filter((e: { type: string }) => e.type.startsWith('hookpost.'));
    expect(types.map((e: { type: string }) => e.type)).toEqual(['hookpost.endpoint.disabled', 'hookpost.endpoint.recovered', 'hookpost.message.exhausted']);
    for (const type of types) expect(type.schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['tenant', 'subscriptionId']) });
    expect(types.map((e: { builtIn?: boolean }) => e.builtIn)).toEqual([true, true, true]);
    expect(listed.body.items.filter((e: { builtIn?: boolean }) => e.builtIn).length).toBe(3);
    expect((await call('PUT', '/v1/event-types/hookpost.endpoint.disabled', { description: 'mine' })).status).toBe(409);
    expect((await call('DELETE', '/v1/event-types/hookpost.message.exhausted')).status).toBe(409);
    expect((await call('GET', '/v1/event-types/hookpost.endpoint.recovered')).status).toBe(200);
  });

  it('announces an exhausted delivery, signed, with its attempts and the last one', async () => {
    // Arrange: an endpoint that always fails; schedule [1] gives 2 attempts, then the DLQ.
    const broken = await receivers.start({ defaultResponse: { status: 500, body: 'broken' } });
    const sub = await subscribe(call, 'ops-exhausted', `${broken.url}/hook`, ['order.paid']);

    // Act
    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant: 'ops-exhausted', data: { total: 1 } });

    // Assert
    expect(published.status).toBe(202);
    const event = await awaitEvent('ops-exhausted', 'hookpost.message.exhausted');
    expect(broken.requests).toHaveLength(2);
    expect(event.data).toMatchObject({
      tenant: 'ops-exhausted',
      subscriptionId: sub.id,
      messageId: published.body.id,
      eventType: 'order.paid',
      attempts: 2,
      reason: expect.stringMatching(/failed 2 attempts; last: endpoint answered 500/),
      lastAttempt: { attemptNumber: 2, statusCode: 500 },
    });
  });

  it('announces an endpoint disabled by a 410 Gone, and the delivery it dead-lettered', async () => {
    const gone = await receivers.start({ defaultResponse: { status: 410 } });
    const sub = await subscribe(call, 'ops-gone', `${gone.url}/hook`, ['order.paid']);

    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant: 'ops-gone', data: { total: 2 } });

    const disabled = await awaitEvent('ops-gone', 'hookpost.endpoint.disabled');
    expect(disabled.data).toEqual({
      tenant: 'ops-gone',
      subscriptionId: sub.id,
      url: sub.url,
      reason: 'endpoint answered 410 Gone',
      disabledAt: expect.any(String),
    });
    const exhausted = await awaitEvent('ops-gone', 'hookpost.message.exhausted');
    expect(exhausted.data).toMatchObject({ subscriptionId: sub.id, messageId: published.body.id, attempts: 1 });
    expect((await call('GET', `/v1/tenants/ops-gone/subscriptions/${sub.id}`)).body).toMatchObject({ enabled: false });
  });

  it('announces the first success after a failing streak, once', async () => {
    const flaky = await receivers.start({ script: [{ status: 503 }] });
    const sub = await subscribe(call, 'ops-recovered', `${flaky.url}/hook`, ['order.paid']);

    await call('POST', '/v1/events', { type: 'order.paid', tenant: 'ops-recovered', data: { total: 3 } });

    const recovered = await awaitEvent('ops-recovered', 'hookpost.endpoint.recovered');
    expect(recovered.data).toEqual({ tenant: 'ops-recovered', subscriptionId: sub.id, url: sub.url, failingSince: expect.any(String), recoveredAt: expect.any(String) });
    expect(flaky.requests).toHaveLength(2);
    // A later success is no news.
    await call('POST', '/v1/events', { type: 'order.paid', tenant: 'ops-recovered', data: { total: 4 } });
    await waitFor('the second delivery', () => flaky.requests.length === 3);
    await waitForIdle(stack);
    expect(operationalEventsAbout(operations, operationsSecret, 'ops-recovered').map((e) => e.type)).toEqual(['hookpost.endpoint.recovered']);
  });

  it('a failing _operations endpoint causes no operational event of its own (no loops)', async () => {
    // Arrange: a second operators' endpoint that always fails, next to the healthy one.
    const failingOps = await receivers.start({ defaultResponse: { status: 500 } });
    const bad = await subscribe(call, '_operations', `${failingOps.url}/ops`, ['hookpost.*']);
    const gone = await receivers.start({ defaultResponse: { status: 410 } });
    await subscribe(call, 'ops-loop', `${gone.url}/hook`, ['order.paid']);
    try {
      // Act: a 410 makes two operational events, each of which fails twice at the bad endpoint.
      await call('POST', '/v1/events', { type: 'order.paid', tenant: 'ops-loop', data: { total: 5 } });
      await waitFor('both operational events at the failing endpoint, twice', () => failingOps.requests.length >= 4, 20_000);
      await waitForIdle(stack);

      // Assert: the healthy endpoint got the two about ops-loop and nothing about _operations itself.
      expect(operationalEventsAbout(operations, operationsSecret, 'ops-loop').map((e) => e.type).sort()).toEqual([
        'hookpost.endpoint.disabled',
        'hookpost.message.exhausted',
      ]);
      expect(operationalEventsAbout(operations, operationsSecret, '_operations')).toEqual([]);
      expect(failingOps.requests).toHaveLength(4);
      const attempts = await call('GET', `/v1/tenants/_operations/subscriptions/${bad.id}/attempts`);
      expect(attempts.body.items.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    } finally {
      expect((await call('DELETE', `/v1/tenants/_operations/subscriptions/${bad.id}`)).status).toBe(204);
    }
  });

  it('keeps tenant keys out of _operations, and everyone from publishing into it', async () => {
    // No tenant key for a reserved tenant.
    const refused = await call('POST', '/v1/api-keys', { name: 'ops portal', scope: 'tenant', tenant: '_operations' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'tenant' }] });
    // Another tenant's key, and a portal token naming _operations, cannot reach it.
    const acmeKey = (await call('POST', '/v1/api-keys', { name: 'acme', scope: 'tenant', tenant: 'acme' })).body.key;
    expect((await apiClient(stack.url, acmeKey)('GET', '/v1/tenants/_operations/subscriptions')).status).toBe(403);
    // No portal link for it either (it would show only 403s); a token naming it, signed with the real key, still gets 403.
    const portal = await call('POST', '/v1/tenants/_operations/portal-sessions');
    expect(portal.status).toBe(422);
    expect(portal.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'tenant' }] });
    const asPortal = apiClient(stack.url, signPortalToken(stack.portalSigningKey, '_operations', Date.now() + 600_000));
    expect((await asPortal('GET', '/v1/tenants/_operations/subscriptions')).status).toBe(403);
    expect((await asPortal('POST', '/v1/tenants/_operations/subscriptions', { url: `${operations.url}/x`, eventTypes: ['*'] })).status).toBe(403);
    // The admin key manages it.
    expect((await call('GET', '/v1/tenants/_operations/subscriptions')).status).toBe(200);

    // Publishing into a reserved tenant: 403, even with the admin key, single or batch; nothing is delivered.
    const before = operations.requests.length;
    const single = await call('POST', '/v1/events', { type: 'order.paid', tenant: '_operations', data: { total: 6 } });
    expect(single.status).toBe(403);
    expect(single.body.error.code).toBe('forbidden');
    const batch = await call('POST', '/v1/events/batch', { events: [{ type: 'order.paid', tenant: '_ops2', data: {} }] });
    expect(batch.status).toBe(207);
    expect(batch.body.results[0].error.code).toBe('forbidden');
    // Nor may anyone publish Hookpost's own types, into any tenant.
    const spoofed = await call('POST', '/v1/events', {
      type: 'hookpost.endpoint.disabled',
      tenant: 'acme',
      data: { tenant: 'acme', subscriptionId: 'sub_x', url: 'https://x.test', reason: 'no', disabledAt: new Date().toISOString() },
    });
    expect(spoofed.status).toBe(403);
    await waitForIdle(stack);
    expect(operations.requests.length).toBe(before);
  });
});
