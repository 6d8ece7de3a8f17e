/**
 * Sending failed messages again, on the local stack: redelivery of a dead-lettered message once the
 * endpoint recovers, recovery of everything failed since a time, and the dead-letter redrive.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQueueMessage } from '#shared/core/platform/queue-message.ts';
import { waitFor } from '../helpers/api.ts';
import type { Receiver } from '../helpers/receiver.ts';
import { subscribe as subscribeWith } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, headersOf, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
  expect((await t.admin('PUT', '/v1/event-types/invoice.failed', { description: 'an invoice could not be charged' })).status).toBe(201);
});

afterAll(() => t?.stop());

const failing = (times: number) => Array.from({ length: times }, () => ({ status: 500, body: 'down' }));

const subscribe = (tenant: string, url: string, extra: Record<string, unknown> = {}) => {
  const { eventTypes = ['invoice.*'], ...rest } = extra as { eventTypes?: string[] };
  return subscribeWith(t.admin, tenant, url, eventTypes, rest);
};

async function publish(tenant: string, data: unknown): Promise<string> {
  const published = await t.admin('POST', '/v1/events', { type: 'invoice.failed', tenant, data });
  expect(published.status).toBe(202);
  return published.body.id;
}

/** Waits until the message sits in the DLQ (after 1 attempt + 2 retries of the 1 s schedule). */
const deadLettered = (messageId: string) =>
  waitFor(
    `dead letter of ${messageId}`,
    async () => {
      const listed = await t.admin('GET', '/v1/dead-letters?limit=10');
      return listed.body.items.some((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === messageId);
    },
    20_000,
  );

describe('redeliver one message', () => {
  it('re-sends a dead-lettered message once the endpoint recovers, signed, with the same webhook-id', async () => {
    // Arrange: the endpoint fails every attempt until the message is dead-lettered
    const r = await t.receiver(...failing(3));
    const sub = await subscribe('redeliver', `${r.url}/hook`);
    const other = await subscribe('redeliver', 'http://127.0.0.1:9/never', { eventTypes: ['user.*'] });
    const messageId = await publish('redeliver', { invoice: 'in_1' });
    await deadLettered(messageId);
    expect(r.requests).toHaveLength(3);

    // Act: the endpoint is fixed (default 200 from now on)
    const redelivered = await t.admin('POST', `/v1/tenants/redeliver/messages/${messageId}/redeliver`);

    // Assert
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toEqual({ messageId, targets: [{ subscriptionId: sub.id }] });
    expect(redelivered.body.targets).not.toContainEqual({ subscriptionId: other.id });
    await waitFor('the redelivery', () => r.requests.length === 4);
    const request = r.requests[3]!;
    expect(request.headers['webhook-id']).toBe(messageId);
    expect(new Webhook(sub.secret).verify(request.body, headersOf(request))).toMatchObject({ type: 'invoice.failed', data: { invoice: 'in_1' } });
    const log = await waitFor('the successful attempt', async () => {
      const page = await t.admin('GET', `/v1/tenants/redeliver/subscriptions/${sub.id}/attempts?limit=1`);
      return page.body.items[0]?.status === 'succeeded' ? page.body.items[0] : undefined;
    });
    expect(log).toMatchObject({ messageId, attemptNumber: 1, statusCode: 200 });
  });

  it('targets one subscription with ?subscription=, refusing a disabled or unknown one', async () => {
    const a = await t.receiver({ status: 500 }, { status: 500 }, { status: 500 });
    const b = await t.receiver(...failing(3));
    const subA = await subscribe('redeliver-one', `${a.url}/hook`);
    const subB = await subscribe('redeliver-one', `${b.url}/hook`);
    const messageId = await publish('redeliver-one', { invoice: 'in_2' });
    await waitFor('both endpoints tried three times', () => a.requests.length === 3 && b.requests.length === 3, 20_000);

    const one = await t.admin('POST', `/v1/tenants/redeliver-one/messages/${messageId}/redeliver?subscription=${subB.id}`);
    expect(one.status).toBe(202);
    expect(one.body.targets).toEqual([{ subscriptionId: subB.id }]);
    await waitFor('the redelivery to B', () => b.requests.length === 4);
    expect(a.requests).toHaveLength(3);

    await t.admin('PATCH', `/v1/tenants/redeliver-one/subscriptions/${subA.id}`, { enabled: false });
    const disabled = await t.admin('POST', `/v1/tenants/redeliver-one/messages/${messageId}/redeliver?subscription=${subA.id}`);
    expect(disabled.status).toBe(409);
    expect(disabled.body).toMatchObject(errorShape);
    const unknown = await t.admin('POST', `/v1/tenants/redeliver-one/messages/${messageId}/redeliver?subscription=sub_01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    expect(unknown.status).toBe(404);
  });

  it('answers 404 for a message that is not kept (never failed, unknown, or another tenant’s)', async () => {
    const r = await t.receiver();
    await subscribe('kept', `${r.url}/hook`);
    const delivered = await publish('kept', {});
    await waitFor('the delivery', () => r.requests.length === 1);
    const elsewhere = 'msg_01ARZ3NDEKTSV4RRFFQ69G5FAW';
    await t.stack.runtime.ports.messages.keep({ id: elsewhere, type: 'invoice.failed', tenant: 'elsewhere', timestamp: new Date().toISOString(), dataJson: '{}' });
    expect((await t.admin('POST', `/v1/tenants/elsewhere/messages/${elsewhere}/redeliver`)).status).toBe(202);
    for (const [tenant, id] of [
      ['kept', elsewhere],
      ['kept', delivered],
      ['kept', 'msg_01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      ['kept', 'nonsense'],
    ]) {
      const response = await t.admin('POST', `/v1/tenants/${tenant}/messages/${id}/redeliver`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('recover', () => {
  let r: Receiver;
  let sub: { id: string; secret: string };
  const ids: string[] = [];

  beforeAll(async () => {
    r = await t.receiver(...failing(6));
    sub = await subscribe('recover', `${r.url}/hook`);
    ids.push(await publish('recover', { n: 1 }), await publish('recover', { n: 2 }));
    await Promise.all(ids.map(deadLettered));
  });

  it('re-queues every message that failed since a time, once each', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recovered = await t.admin('POST', `/v1/tenants/recover/subscriptions/${sub.id}/recover`, { since });
    expect(recovered.status).toBe(202);
    expect([...recovered.body.messages].sort()).toEqual([...ids].sort());
    expect(recovered.body).toMatchObject({ skipped: [], truncated: false });
    await waitFor('both recovered deliveries', () => r.requests.length === 8);
    expect(new Set(r.requests.slice(6).map((q) => q.headers['webhook-id']))).toEqual(new Set(ids));

    // Delivered now: a second recovery finds nothing left to send.
    await waitFor('the successes recorded', async () => {
      const page = await t.admin('GET', `/v1/tenants/recover/subscriptions/${sub.id}/attempts?status=succeeded`);
      return page.body.items.length === 2;
    });
    const again = await t.admin('POST', `/v1/tenants/recover/subscriptions/${sub.id}/recover`, { since });
    expect(again.body.messages).toEqual([]);
  });

  it.each([
    ['more than 14 days back', { since: new Date(Date.now() - 15 * 86_400_000).toISOString() }],
    ['in the future', { since: new Date(Date.now() + 3_600_000).toISOString() }],
    ['not a date', { since: 'yesterday' }],
    ['missing', {}],
  ])('refuses a since %s with 422', async (_name, body) => {
    const response = await t.admin('POST', `/v1/tenants/recover/subscriptions/${sub.id}/recover`, body);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject(errorShape);
  });

  it('refuses to recover into a disabled endpoint (409)', async () => {
    const off = await subscribe('recover-off', 'http://127.0.0.1:9/off', { enabled: false });
    const response = await t.admin('POST', `/v1/tenants/recover-off/subscriptions/${off.id}/recover`, { since: new Date(Date.now() - 60_000).toISOString() });
    expect(response.status).toBe(409);
  });
});

describe('dead-letter redrive', () => {
  it('moves every dead letter back; each is delivered again with a fresh schedule', async () => {
    // Arrange
    const r = await t.receiver(...failing(3));
    const sub = await subscribe('redrive', `${r.url}/hook`);
    const messageId = await publish('redrive', { invoice: 'in_9' });
    await deadLettered(messageId);

    // Act
    const redriven = await t.admin('POST', '/v1/dead-letters/redrive');

    // Assert
    expect(redriven.status).toBe(202);
    expect(redriven.body.mode).toBe('local');
    expect(redriven.body.moved).toBeGreaterThanOrEqual(1);
    await waitFor('the redriven delivery', () => r.requests.length === 4);
    const request = r.requests[3]!;
    expect(request.headers['webhook-id']).toBe(messageId);
    expect(new Webhook(sub.secret).verify(request.body, headersOf(request))).toMatchObject({ data: { invoice: 'in_9' } });
    const latest = await waitFor('the attempt', async () => {
      const page = await t.admin('GET', `/v1/tenants/redrive/subscriptions/${sub.id}/attempts?limit=1`);
      return page.body.items[0]?.status === 'succeeded' ? page.body.items[0] : undefined;
    });
    expect(latest.attemptNumber).toBe(1);
    const left = await t.admin('GET', '/v1/dead-letters');
    expect(left.body.items.some((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === messageId)).toBe(false);
  });

  it('counts the dead letters a concurrent look is holding for a moment', async () => {
    // Each GET receives (then releases) up to 10 letters; side by side, neither may count the other's as gone.
    await t.stack.runtime.ports.deadLetters.add({
      reason: 'counted',
      message: { kind: 'delivery', message: { id: 'msg_01ARZ3NDEKTSV4RRFFQ69G5FAW', type: 'invoice.failed', tenant: 'counted', timestamp: new Date().toISOString(), dataJson: '{}' }, subscriptionId: 'sub_01ARZ3NDEKTSV4RRFFQ69G5FAW', attempt: 2, dueAt: 0 },
      deadLetteredAt: new Date().toISOString(),
    });
    const looks = await Promise.all(Array.from({ length: 6 }, () => t.admin('GET', '/v1/dead-letters')));
    for (const look of looks) expect(look.body.approximateCount).toBeGreaterThanOrEqual(1);
  });

  it('is admin only', async () => {
    const tenantKey = await t.keyFor('tenant', 'redrive');
    expect((await tenantKey('POST', '/v1/dead-letters/redrive')).status).toBe(403);
    expect((await tenantKey('GET', '/v1/dead-letters')).status).toBe(403);
  });

  it('moves what is there when it starts, raw bodies included, and stops (no loop on letters that come straight back)', async () => {
    // A dead letter for a disabled endpoint dead-letters again as soon as it is redriven.
    const off = await subscribe('redrive-off', 'http://127.0.0.1:9/off', { enabled: false });
    await t.stack.runtime.ports.deadLetters.add({
      reason: 'subscription disabled',
      message: { kind: 'delivery', message: { id: 'msg_01ARZ3NDEKTSV4RRFFQ69G5FAV', type: 'invoice.failed', tenant: 'redrive-off', timestamp: new Date().toISOString(), dataJson: '{}' }, subscriptionId: off.id, attempt: 2, dueAt: 0 },
      deadLetteredAt: new Date().toISOString(),
    });
    await t.stack.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.deadLetterQueueUrl, MessageBody: '{"not":"ours"}' }));
    const before = (await t.admin('GET', '/v1/dead-letters')).body.approximateCount;
    expect(before).toBeGreaterThanOrEqual(2);

    const redriven = await t.admin('POST', '/v1/dead-letters/redrive');

    // Assert: both moved (plus at most the few letters earlier tests left), and the run stopped
    // although the disabled endpoint's letter was back in the DLQ within milliseconds.
    expect(redriven.status).toBe(202);
    expect(redriven.body.mode).toBe('local');
    expect(redriven.body.moved).toBeGreaterThanOrEqual(2);
    expect(redriven.body.moved).toBeLessThan(10);
    await deadLettered('msg_01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });
});

describe('parseQueueMessage and dead-letter envelopes', () => {
  const message = { id: 'msg_1', type: 'invoice.failed', tenant: 't', timestamp: '2026-01-01T00:00:00.000Z', dataJson: '{"a":1}' };

  it('unwraps a dead letter into its delivery with a fresh schedule', () => {
    const body = JSON.stringify({
      reason: 'failed 8 attempts',
      message: { kind: 'delivery', message, subscriptionId: 'sub_1', attempt: 9, dueAt: 123 },
      lastAttempt: { id: 'att_1' },
      deadLetteredAt: '2026-01-02T00:00:00.000Z',
    });
    expect(parseQueueMessage(body)).toEqual({ kind: 'delivery', message, subscriptionId: 'sub_1', attempt: 1, dueAt: 0 });
  });

  it('reads plain queue messages as before and rejects anything else', () => {
    expect(parseQueueMessage(JSON.stringify({ kind: 'event', message }))).toEqual({ kind: 'event', message });
    expect(() => parseQueueMessage('{"not":"ours"}')).toThrow();
    expect(() => parseQueueMessage('{"reason":"x","message":{"junk":true},"deadLetteredAt":"x"}')).toThrow();
  });

  it('keeps only the known fields and refuses a record of the wrong shape', () => {
    const delivery = { kind: 'delivery', message, subscriptionId: 'sub_1', attempt: 2, dueAt: 5 };
    expect(parseQueueMessage(JSON.stringify({ ...delivery, extra: 1, message: { ...message, extra: 'x' } }))).toEqual(delivery);
    for (const bad of [
      { ...delivery, attempt: 0 },
      { ...delivery, attempt: 1.5 },
      { ...delivery, attempt: '2' },
      { ...delivery, dueAt: null },
      { ...delivery, subscriptionId: 7 },
      { ...delivery, message: { ...message, tenant: undefined } },
      { ...delivery, message: [message] },
      { kind: 'other', message },
      [{ kind: 'event', message }],
    ]) {
      expect(() => parseQueueMessage(JSON.stringify(bad)), JSON.stringify(bad)).toThrow(/queue message/);
    }
  });
});
