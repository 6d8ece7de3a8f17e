/**
 * The whole path on real parts: API → fauxqs → consumer (Lambda-like poller) → signed POSTs to
 * receivers on 127.0.0.1, with DynamoDB Local behind the stores. Short retry schedule (1 s steps).
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from './helpers/api.ts';
import type { Receiver } from './helpers/receiver.ts';
import { receiverPool, spyOnQueue, subscribe as subscribeWith, waitForIdle } from './helpers/stack.ts';

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
const receivers = receiverPool({ lifetimeMs: 60_000 });
const receiver = (...script: Parameters<Receiver['enqueue']>) => receivers.start({ script });
const subscribe = (tenant: string, url: string, eventTypes: string[], extra: Record<string, unknown> = {}) =>
  subscribeWith(call, tenant, url, eventTypes, extra);

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    retryScheduleSeconds: [1, 1],
    deliveryTimeoutMs: 2_000,
  });
  call = apiClient(stack.url, stack.adminKey);
  for (const type of ['user.created', 'user.deleted', 'order.paid']) {
    expect((await call('PUT', `/v1/event-types/${type}`, { description: `${type} happened` })).status).toBe(201);
  }
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

describe('pipeline', () => {
  it('delivers one event to every matching subscription, one signed POST each', async () => {
    // Arrange
    const [a, b, other, otherTenant] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const subA = await subscribe('fanout', `${a.url}/hook`, ['user.created'], { headers: { 'x-customer': 'acme' } });
    const subB = await subscribe('fanout', `${b.url}/hook`, ['user.*']);
    await subscribe('fanout', `${other.url}/hook`, ['order.*']);
    await subscribe('someone-else', `${otherTenant.url}/hook`, ['*']);

    // Act
    const published = await call('POST', '/v1/events', { type: 'user.created', tenant: 'fanout', data: { id: 'u_1' } });

    // Assert
    expect(published.status).toBe(202);
    expect(published.body).toMatchObject({ id: expect.stringMatching(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/), type: 'user.created', tenant: 'fanout' });
    await waitFor('both deliveries', () => a.requests.length === 1 && b.requests.length === 1);
    await waitForIdle(stack); // nothing more arrives: no duplicate, no stray tenant
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
    expect(otherTenant.requests).toHaveLength(0);
    for (const [r, secret] of [[a, subA.secret], [b, subB.secret]] as const) {
      const request = r.requests[0]!;
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      expect(new Webhook(secret).verify(request.body, headers)).toEqual({
        type: 'user.created',
        timestamp: published.body.timestamp,
        data: { id: 'u_1' },
      });
      expect(headers['webhook-id']).toBe(published.body.id);
      expect(headers['user-agent']).toMatch(/^Hookpost\//);
      expect(headers['content-type']).toBe('application/json');
    }
    expect(a.requests[0]!.headers['x-customer']).toBe('acme');
  });

  it('retries only the endpoint that failed, until it succeeds, with the same webhook-id', async () => {
    // Arrange
    const healthy = await receiver();
    const flaky = await receiver({ status: 500, body: 'down' }, { status: 503 });
    await subscribe('flaky', `${healthy.url}/hook`, ['*']);
    const flakySub = await subscribe('flaky', `${flaky.url}/hook`, ['*']);

    // Act
    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant: 'flaky', data: { total: 42 } });

    // Assert
    await waitFor('third attempt at the flaky endpoint', () => flaky.requests.length === 3, 20_000);
    await waitForIdle(stack);
    expect(healthy.requests).toHaveLength(1);
    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([published.body.id]));
    const attempts = await waitFor('three recorded attempts', async () => {
      const page = await call('GET', `/v1/tenants/flaky/subscriptions/${flakySub.id}/attempts`);
      return page.body.items.length === 3 ? page.body.items : undefined;
    });
    expect(attempts.map((a: { status: string; statusCode: number; attemptNumber: number }) => [a.attemptNumber, a.status, a.statusCode])).toEqual([
      [3, 'succeeded', 200],
      [2, 'failed', 503],
      [1, 'failed', 500],
    ]);
    expect(attempts[2].response).toBe('down');
    const failedOnly = await call('GET', `/v1/tenants/flaky/subscriptions/${flakySub.id}/attempts?status=failed`);
    expect(failedOnly.body.items).toHaveLength(2);
  });

  it('dead-letters an always-failing endpoint after the schedule, with its context', async () => {
    // Arrange
    const broken = await receiver();
    broken.enqueue(...Array.from({ length: 10 }, () => ({ status: 500, body: 'still broken' })));
    const sub = await subscribe('broken', `${broken.url}/hook`, ['user.deleted']);

    // Act
    const published = await call('POST', '/v1/events', { type: 'user.deleted', tenant: 'broken', data: { id: 'u_9' } });

    // Assert: 1 attempt + 2 retries, then the DLQ
    const deadLetter = await waitFor(
      'the dead letter',
      async () => {
        const listed = await call('GET', '/v1/dead-letters');
        return listed.body.items.find((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === published.body.id);
      },
      20_000,
    );
    expect(broken.requests).toHaveLength(3);
    expect(deadLetter).toMatchObject({
      reason: expect.stringMatching(/failed 3 attempts; last: endpoint answered 500/),
      message: { kind: 'delivery', subscriptionId: sub.id, message: { type: 'user.deleted', tenant: 'broken', data: { id: 'u_9' } } },
      lastAttempt: { statusCode: 500, attemptNumber: 3, response: 'still broken' },
    });
    await waitForIdle(stack);
    expect(broken.requests).toHaveLength(3);
  });

  it('publishes once per Idempotency-Key and refuses the key with another body', async () => {
    // Arrange
    const target = await receiver();
    await subscribe('idem', `${target.url}/hook`, ['*']);
    const body = { type: 'user.created', tenant: 'idem', data: { id: 'u_2' } };
    const key = { 'idempotency-key': `key-${Date.now()}` };

    // Act
    const first = await call('POST', '/v1/events', body, key);
    const second = await call('POST', '/v1/events', body, key);
    const conflicting = await call('POST', '/v1/events', { ...body, data: { id: 'u_3' } }, key);

    // Assert
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.error.code).toBe('conflict');
    await waitFor('the delivery', () => target.requests.length === 1);
    await waitForIdle(stack);
    expect(target.requests).toHaveLength(1);
  });

  it('publishes a batch item by item: one bad event does not fail the others', async () => {
    const target = await receiver();
    await subscribe('batch', `${target.url}/hook`, ['*']);
    const result = await call('POST', '/v1/events/batch', {
      events: [
        { type: 'user.created', tenant: 'batch', data: { n: 1 } },
        { type: 'no.such.type', tenant: 'batch', data: { n: 2 } },
        { type: 'user.created', tenant: 'bad tenant!', data: { n: 3 } },
        { type: 'order.paid', tenant: 'batch', data: { n: 4 } },
      ],
    });
    expect(result.status).toBe(207);
    expect(result.body.results.map((r: { id?: string; error?: { code: string } }) => r.id ? 'ok' : r.error?.code)).toEqual([
      'ok',
      'validation_failed',
      'validation_failed',
      'ok',
    ]);
    await waitFor('two deliveries', () => target.requests.length === 2);
    expect(target.requests.map((r) => JSON.parse(r.body).data.n).sort()).toEqual([1, 4]);
  });
});

describe('ingest errors', () => {
  const errorShape = { error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } };

  it.each([
    ['unknown event type', { type: 'never.registered', data: {} }, 422, 'validation_failed'],
    ['missing data', { type: 'user.created' }, 422, 'validation_failed'],
    ['bad tenant id', { type: 'user.created', data: {}, tenant: 'a/b' }, 422, 'validation_failed'],
    ['bad type name', { type: 'has space', data: {} }, 422, 'validation_failed'],
    ['unexpected field', { type: 'user.created', data: {}, extra: 1 }, 422, 'validation_failed'],
    ['invalid JSON', '{"type":', 400, 'malformed_request'],
  ])('%s → %j → %i %s, and nothing is queued', async (_name, body, status, code) => {
    // Watched on the queue port: a wrongly queued event would be consumed before a depth could show it.
    const spy = spyOnQueue(stack.runtime.ports.queue);
    try {
      const response = await call('POST', '/v1/events', body);
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ error: { code } });
      expect(response.body).toMatchObject(errorShape);
      expect(spy.events()).toEqual([]);
    } finally {
      spy.restore();
    }
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await call('POST', '/v1/events', 'type=user.created', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject(errorShape);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await call('POST', '/v1/events', { type: 'user.created', data: { blob: 'x'.repeat(256 * 1024) } });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('asks for a key (401) and refuses a wrong one', async () => {
    const anonymous = apiClient(stack.url, undefined);
    const wrong = apiClient(stack.url, 'hp_wrong');
    expect((await anonymous('POST', '/v1/events', { type: 'user.created', data: {} })).status).toBe(401);
    expect((await wrong('POST', '/v1/events', { type: 'user.created', data: {} })).status).toBe(401);
  });

  it('answers 503 and queues nothing when SQS refuses the message', async () => {
    const spy = spyOnQueue(stack.runtime.ports.queue);
    const enqueue = stack.runtime.ports.queue.enqueue;
    stack.runtime.ports.queue.enqueue = async () => {
      throw Object.assign(new Error('queue down'), { name: 'ServiceUnavailable' });
    };
    try {
      const response = await call('POST', '/v1/events', { type: 'user.created', data: {} }, { 'idempotency-key': 'sqs-down' });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('dependency_unavailable');
    } finally {
      stack.runtime.ports.queue.enqueue = enqueue;
    }
    expect(spy.events()).toEqual([]);
    // The idempotency key was given back: the retry of the same request is accepted.
    const retried = await call('POST', '/v1/events', { type: 'user.created', data: {} }, { 'idempotency-key': 'sqs-down' });
    expect(retried.status).toBe(202);
    expect(spy.events().map((m) => m.message.id)).toEqual([retried.body.id]);
    spy.restore();
  });
});
