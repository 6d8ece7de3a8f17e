/**
 * Delivery controls per endpoint, against the local stack with real receivers: payload filters (only
 * matching events, no attempt for the rest), an own retry schedule and deadline, and ed25519 signatures
 * that verify with the endpoint's public key through node:crypto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/api.ts';
import { verifiesWith } from '../helpers/receiver.ts';
import { waitForIdle } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  // A global schedule of three 1 s waits and a 2 s deadline, so an endpoint's own settings are visible.
  t = await startApiTest({ retryScheduleSeconds: [1, 1, 1], deliveryTimeoutMs: 2_000 });
  expect((await t.admin('PUT', '/v1/event-types/payment.received', { description: 'a payment' })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

const create = (tenant: string, body: Record<string, unknown>) => t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { eventTypes: ['*'], ...body });
const publish = (tenant: string, data: Record<string, unknown>) => t.admin('POST', '/v1/events', { type: 'payment.received', tenant, data });
const attemptsOf = async (tenant: string, id: string) =>
  (await t.admin('GET', `/v1/tenants/${tenant}/subscriptions/${id}/attempts?limit=100`)).body.items as { attemptNumber: number; status: string; error?: string }[];

describe('validation', () => {
  it.each([
    ['an unknown filter operator', { filter: { data: { amount: { $between: [1, 2] } } } }, 'filter.data.amount.$between'],
    ['a filter operand of the wrong kind', { filter: { data: { country: { $in: 'DE' } } } }, 'filter.data.country.$in'],
    ['a filter past 4 KiB', { filter: { data: { note: 'x'.repeat(5_000) } } }, 'filter'],
    ['a zero retry delay', { retrySchedule: [0] }, 'retrySchedule.0'],
    ['a retry delay past a day', { retrySchedule: [86_401] }, 'retrySchedule.0'],
    ['21 retries', { retrySchedule: Array.from({ length: 21 }, () => 1) }, 'retrySchedule'],
    ['a deadline under 1 s', { timeoutMs: 999 }, 'timeoutMs'],
    ['a deadline over 30 s', { timeoutMs: 30_001 }, 'timeoutMs'],
    ['an unknown signing algorithm', { signingAlgorithm: 'rsa' }, 'signingAlgorithm'],
    ['an unknown ordering', { ordering: 'lifo' }, 'ordering'],
    ['an ordering that is not a string', { ordering: true }, 'ordering'],
  ])('refuses %s with 422 naming the path, and creates nothing', async (_name, fields, path) => {
    const response = await create('invalid', { url: 'http://127.0.0.1:9/x', ...fields });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject(errorShape);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await t.admin('GET', '/v1/tenants/invalid/subscriptions')).body.items).toEqual([]);
  });

  it('keeps the signing algorithm fixed after creation, and takes an own setting away with null', async () => {
    const sub = (await create('patching', { url: 'http://127.0.0.1:9/p', retrySchedule: [5], timeoutMs: 5_000, filter: { type: 'x' } })).body;
    expect((await t.admin('PATCH', `/v1/tenants/patching/subscriptions/${sub.id}`, { signingAlgorithm: 'ed25519' })).status).toBe(422);
    const cleared = await t.admin('PATCH', `/v1/tenants/patching/subscriptions/${sub.id}`, { retrySchedule: null, timeoutMs: null, filter: null });
    expect(cleared.status).toBe(200);
    const stored = (await t.admin('GET', `/v1/tenants/patching/subscriptions/${sub.id}`)).body;
    expect(stored).not.toHaveProperty('retrySchedule');
    expect(stored).not.toHaveProperty('timeoutMs');
    expect(stored).not.toHaveProperty('filter');
  });

  it('sets ordering on create and PATCH, shows it only when fifo, and refuses a bad one with 422 changing nothing', async () => {
    const sub = (await create('ordering', { url: 'http://127.0.0.1:9/o', ordering: 'fifo' })).body;
    expect(sub.ordering).toBe('fifo');
    const path = `/v1/tenants/ordering/subscriptions/${sub.id}`;
    const refused = await t.admin('PATCH', path, { ordering: 'random', description: 'changed' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain('ordering');
    expect((await t.admin('GET', path)).body).toMatchObject({ ordering: 'fifo', description: '' });
    expect((await t.admin('PATCH', path, { ordering: 'none' })).status).toBe(200);
    expect((await t.admin('GET', path)).body).not.toHaveProperty('ordering');
    expect((await t.admin('PATCH', path, { ordering: 'fifo' })).body.ordering).toBe('fifo');
    const plain = (await create('ordering', { url: 'http://127.0.0.1:9/n', ordering: 'none' })).body;
    expect(plain).not.toHaveProperty('ordering');
  });
});

describe('filters', () => {
  it('delivers exactly the matching events and records no attempt for the others', async () => {
    const receiver = await t.receiver();
    const sub = (
      await create('filtered', {
        url: `${receiver.url}/hook`,
        filter: { data: { amount: { $gte: 100 }, country: { $in: ['DE', 'FR'] } } },
      })
    ).body;
    const sent = [
      { amount: 50, country: 'DE', n: 1 },
      { amount: 100, country: 'DE', n: 2 },
      { amount: 150, country: 'US', n: 3 },
      { amount: 900, country: 'FR', n: 4 },
      { amount: '900', country: 'FR', n: 5 },
    ];
    for (const data of sent) expect((await publish('filtered', data)).status).toBe(202);

    await waitForIdle(t.stack);
    await waitFor('the matching deliveries', () => receiver.requests.length >= 2);
    await waitForIdle(t.stack);
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.n).sort()).toEqual([2, 4]);
    expect(await attemptsOf('filtered', sub.id)).toHaveLength(2);
  });
});

describe('own retries and deadline', () => {
  it('an own schedule of [1] gives exactly 2 attempts, then the dead-letter queue', async () => {
    const receiver = await t.receiver({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const sub = (await create('own-schedule', { url: `${receiver.url}/hook`, retrySchedule: [1] })).body;
    const published = (await publish('own-schedule', { n: 1 })).body;

    const dead = await waitFor('the dead letter', async () =>
      ((await t.admin('GET', '/v1/dead-letters?limit=10')).body.items as { reason: string; message?: { subscriptionId?: string; message?: { id: string } } }[]).find(
        (item) => item.message?.subscriptionId === sub.id,
      ),
    );
    await waitForIdle(t.stack);
    expect(dead?.reason).toMatch(/failed 2 attempts/);
    expect(dead?.message?.message?.id).toBe(published.id);
    expect(receiver.requests).toHaveLength(2);
    expect((await attemptsOf('own-schedule', sub.id)).map((a) => a.attemptNumber).sort()).toEqual([1, 2]);
  });

  it('an own deadline shorter than the global one times the attempt out', async () => {
    const receiver = await t.receiver({ status: 200, delayMs: 1_500 }, { status: 200, delayMs: 1_500 });
    const sub = (await create('own-deadline', { url: `${receiver.url}/hook`, timeoutMs: 1_000, retrySchedule: [60] })).body;
    await publish('own-deadline', { n: 1 });

    const attempts = await waitFor('the first attempt', async () => {
      const items = await attemptsOf('own-deadline', sub.id);
      return items.length > 0 ? items : undefined;
    });
    const attempt = attempts?.at(-1);
    expect(attempt?.status).toBe('failed');
    expect(attempt?.error).toMatch(/timeout/);
  });

  it('a test event keeps the global deadline (docs/api.md): a 1.5 s answer to an endpoint with a 1 s deadline succeeds within the global 2 s', async () => {
    // Arrange
    const receiver = await t.receiver({ status: 200, delayMs: 1_500 });
    const sub = (await create('own-deadline-test', { url: `${receiver.url}/hook`, timeoutMs: 1_000 })).body;

    // Act
    const sent = await t.admin('POST', `/v1/tenants/own-deadline-test/subscriptions/${sub.id}/test`, { type: 'payment.received' });

    // Assert
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'succeeded', statusCode: 200, test: true });
  });
});

describe('ed25519 signatures', () => {
  it('answers the public key (never a secret), and each delivery verifies with it; a rotation signs with both for the overlap', async () => {
    const receiver = await t.receiver();
    const created = await create('signed', { url: `${receiver.url}/hook`, signingAlgorithm: 'ed25519' });
    expect(created.status).toBe(201);
    expect(created.body.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(created.body).not.toHaveProperty('secret');
    expect(created.body.signingAlgorithm).toBe('ed25519');
    const { id } = created.body;
    expect((await t.admin('GET', `/v1/tenants/signed/subscriptions/${id}/secret`)).body).toEqual({ publicKey: created.body.publicKey });

    await publish('signed', { n: 1 });
    await waitFor('the first delivery', () => receiver.requests.length === 1);
    const first = receiver.requests[0]!;
    expect(String(first.headers['webhook-signature'])).toMatch(/^v1a,/);
    expect(verifiesWith(created.body.publicKey, first)).toBe(true);

    const rotated = (await t.admin('POST', `/v1/tenants/signed/subscriptions/${id}/rotate-secret`)).body;
    expect(rotated.publicKey).toMatch(/^whpk_/);
    expect(rotated.publicKey).not.toBe(created.body.publicKey);
    await publish('signed', { n: 2 });
    await waitFor('the delivery after the rotation', () => receiver.requests.length === 2);
    const second = receiver.requests[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifiesWith(rotated.publicKey, second)).toBe(true);
    expect(verifiesWith(created.body.publicKey, second)).toBe(true);
    // and a key it was not signed with does not verify it
    expect(verifiesWith(rotated.publicKey, first)).toBe(false);
  });
});
