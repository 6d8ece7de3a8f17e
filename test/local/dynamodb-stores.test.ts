/**
 * Promises that rest on how the stores talk to DynamoDB, checked against DynamoDB Local rather than
 * the in-memory fakes: the redelivery ledger read (newest first, at most LEDGER_SCAN_LIMIT attempts),
 * failure runs (`failingSince` set with if_not_exists, cleared with REMOVE) and the
 * disableAfterFailingMs setting end to end, secret rotation's bounds, and idempotency's per-caller
 * scope and "in progress" answer; the FIFO consumer's ledger read and the ingest's routing projection.
 */
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAttemptStore, LEDGER_SCAN_LIMIT, PACK_MAX_ATTEMPTS } from '#shared/adapters/aws/dynamodb-attempts.ts';
import { documentClient, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import type { Attempt, Subscription } from '#shared/core/platform/domain.ts';
import { attemptIdFloor, newAttemptId, newMessageId } from '#shared/core/platform/ids.ts';
import { IDEMPOTENCY_LEASE_MS } from '#shared/core/management/ingest.ts';
import { MAX_SIGNING_SECRETS, SECRET_OVERLAP_MS } from '#shared/core/management/subscriptions.ts';
import { waitFor } from '../helpers/api.ts';
import { subscribe, waitForIdle } from '../helpers/stack.ts';
import { type ApiTestContext, headersOf, startApiTest } from '../api/setup.ts';

const DISABLE_AFTER_MS = 2_000;
let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest({ disableAfterFailingMs: DISABLE_AFTER_MS, retryScheduleSeconds: [1, 1, 1, 1, 1, 1] });
  expect((await t.admin('PUT', '/v1/event-types/store.test', { description: 'x' })).status).toBe(201);
});

afterAll(() => t?.stop());

describe('the redelivery ledger read (hasSucceeded) on DynamoDB', () => {
  const attempt = (subscriptionId: string, messageId: string, ms: number, status: Attempt['status']): Attempt => ({
    id: newAttemptId(ms),
    subscriptionId,
    messageId,
    tenant: 'ledger',
    eventType: 'store.test',
    attemptNumber: 1,
    status,
    statusCode: status === 'succeeded' ? 200 : 500,
    durationMs: 1,
    timestamp: new Date(ms).toISOString(),
  });

  /** `before` older failures, the success, then `after` newer failures (other messages), 1 ms apart. */
  async function ledger(subscriptionId: string, before: number, after: number, startMs: number): Promise<void> {
    const all = [
      ...Array.from({ length: before }, (_, i) => attempt(subscriptionId, `msg_other_${i}`, startMs + i, 'failed')),
      attempt(subscriptionId, 'msg_target', startMs + before, 'succeeded'),
      ...Array.from({ length: after }, (_, i) => attempt(subscriptionId, `msg_newer_${i}`, startMs + before + 1 + i, 'failed')),
    ];
    for (let i = 0; i < all.length; i += 25) await Promise.all(all.slice(i, i + 25).map((a) => t.stack.runtime.ports.attempts.record(a)));
  }

  it(`finds a success among the newest ${LEDGER_SCAN_LIMIT} attempts and not beyond them`, async () => {
    expect(LEDGER_SCAN_LIMIT).toBe(1_000);
    const start = Date.now() - 3_600_000;
    // The success is the 1000th newest: read, however many older attempts there are.
    await ledger('sub_LEDGERWITHIN', 5, LEDGER_SCAN_LIMIT - 1, start);
    // The success is the 1001st newest: beyond the read, so "not found" (a duplicate with the same webhook-id at worst).
    await ledger('sub_LEDGERBEYOND', 0, LEDGER_SCAN_LIMIT, start);

    const { attempts } = t.stack.runtime.ports;
    expect(await attempts.hasSucceeded('sub_LEDGERWITHIN', 'msg_target', start - 1)).toBe(true);
    expect(await attempts.hasSucceeded('sub_LEDGERBEYOND', 'msg_target', start - 1)).toBe(false);
    // Only attempts since `sinceMs` count.
    expect(await attempts.hasSucceeded('sub_LEDGERWITHIN', 'msg_target', start + 6)).toBe(false);
    expect(await attempts.hasSucceeded('sub_LEDGERWITHIN', 'msg_other_1', start - 1)).toBe(false); // failed, not succeeded
  });
});

describe('the attempt log packs successes that finish together (group commit)', () => {
  const attempt = (subscriptionId: string, n: number, ms: number, status: Attempt['status'] = 'succeeded'): Attempt => ({
    id: newAttemptId(ms),
    subscriptionId,
    messageId: `msg_pack_${subscriptionId}_${n}`,
    tenant: 'packs',
    eventType: 'store.test',
    attemptNumber: 1,
    status,
    statusCode: status === 'succeeded' ? 200 : 500,
    durationMs: 3,
    // A receiver that echoes another message id's JSON: a packed excerpt is escaped, so the ledger is not fooled.
    response: status === 'succeeded' ? '{"ok":true,"messageId":"msg_not_here"}' : 'no',
    timestamp: new Date(ms).toISOString(),
  });

  /** The partition's items as stored (not expanded). */
  async function storedItems(subscriptionId: string): Promise<Record<string, unknown>[]> {
    const client = dynamoDbClient(t.stack.settings.region, t.stack.settings.dynamoDbEndpoint);
    try {
      const page = await documentClient(client).send(
        new QueryCommand({ TableName: t.stack.settings.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ATTEMPTS#${subscriptionId}` } }),
      );
      return page.Items ?? [];
    } finally {
      client.destroy();
    }
  }

  it('writes concurrent successes as few items, and every reader still sees each attempt once, in order', async () => {
    const sub = 'sub_PACKS';
    // Older than any later test's times: ids come from a monotonic ULID source, which never goes back in time.
    const start = Date.now() - 120_000;
    const { attempts, attemptHistory } = t.stack.runtime.ports;
    const successes = Array.from({ length: 30 }, (_, n) => attempt(sub, n, start + n));
    const failure = attempt(sub, 99, start + 15, 'failed');
    // Each record resolves only once its attempt is stored.
    await Promise.all([...successes.map((a) => attempts.record(a)), attempts.record(failure)]);

    const items = await storedItems(sub);
    expect(items.length).toBeLessThanOrEqual(1 + Math.ceil(30 / PACK_MAX_ATTEMPTS) + 1); // the failure, the packs, maybe one alone
    expect(items.some((item) => typeof item.pack === 'string')).toBe(true);

    const newestFirst = [...successes, failure].sort((a, b) => (a.id < b.id ? 1 : -1)).map((a) => a.id);
    // Pages of 7 cut through packs; the cursor carries on inside one, so nothing repeats or goes missing.
    const seen: Attempt[] = [];
    let cursor: string | undefined;
    do {
      const page = await attempts.list(sub, { limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((a) => a.id)).toEqual(newestFirst);
    expect(seen.find((a) => a.id === successes[3]?.id)).toEqual(successes[3]);

    const failed = await attempts.list(sub, { status: 'failed', limit: 10 });
    expect(failed.items).toEqual([failure]);
    const succeeded = await attempts.list(sub, { status: 'succeeded', limit: 100 });
    expect(succeeded.items.map((a) => a.id)).toEqual(newestFirst.filter((id) => id !== failure.id));

    // The ledger finds a packed success, not the failure, and not a message id that only a response excerpt mentions.
    expect(await attempts.hasSucceeded(sub, 'msg_pack_sub_PACKS_4', start - 1)).toBe(true);
    expect(await attempts.hasSucceeded(sub, 'msg_pack_sub_PACKS_99', start - 1)).toBe(false);
    expect(await attempts.hasSucceeded(sub, 'msg_not_here', start - 1)).toBe(false);

    // Stats and recovery read every attempt since a time, oldest first, even those inside a pack keyed newer.
    const since = await attemptHistory.since(sub, start + 10, 100);
    expect(since.items.map((a) => a.id)).toEqual([...newestFirst].reverse().filter((id) => id >= attemptIdFloor(start + 10)));
    expect(since.items).toHaveLength(21);
    expect((await attemptHistory.since(sub, start, 5)).truncated).toBe(true);
  });

  it('a success recorded alone is its own item; large successes split into packs under 64 KiB; a failed write rejects every attempt it held', async () => {
    const { attempts } = t.stack.runtime.ports;
    const start = Date.now() - 90_000;
    await attempts.record(attempt('sub_ALONE', 1, start));
    const alone = await storedItems('sub_ALONE');
    expect(alone).toHaveLength(1);
    expect(alone[0]).not.toHaveProperty('pack');

    const big = (n: number) => ({ ...attempt('sub_LARGE', n, start + n), response: 'x'.repeat(30_000) });
    await Promise.all(Array.from({ length: 8 }, (_, n) => attempts.record(big(n))));
    const large = await storedItems('sub_LARGE');
    expect(large.length).toBeGreaterThanOrEqual(4); // at most two 30 kB attempts per 64 KiB pack
    expect((await attempts.list('sub_LARGE', { limit: 100 })).items).toHaveLength(8);

    // A table that is not there: the pack's write fails, and so does every record() waiting on it.
    const client = dynamoDbClient(t.stack.settings.region, t.stack.settings.dynamoDbEndpoint);
    try {
      const broken = new DynamoAttemptStore(documentClient(client), 'hookpost-no-such-table', 60);
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, n) => broken.record(attempt('sub_BROKEN', n, start + n))));
      expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    } finally {
      client.destroy();
    }
  });
});

describe('the FIFO ledger read (attemptsOf) and the routing projection on DynamoDB', () => {
  it('counts the non-test attempts of one message since a time, says whether one succeeded, and reads routes without secrets', async () => {
    const start = Date.now() - 60_000;
    const make = (messageId: string, ms: number, status: Attempt['status'], test?: boolean): Attempt => ({
      id: newAttemptId(ms),
      subscriptionId: 'sub_FIFOLEDGER',
      messageId,
      tenant: 'ledger',
      eventType: 'store.test',
      attemptNumber: 1,
      status,
      durationMs: 1,
      timestamp: new Date(ms).toISOString(),
      ...(test ? { test } : {}),
    });
    const { attempts, subscriptionRoutes } = t.stack.runtime.ports;
    for (const a of [
      make('msg_head', start, 'failed'),
      make('msg_head', start + 1, 'failed'),
      make('msg_other', start + 2, 'succeeded'),
      make('msg_head', start + 3, 'failed', true),
    ])
      await attempts.record(a);
    expect(await attempts.attemptsOf('sub_FIFOLEDGER', 'msg_head', start - 1)).toEqual({ made: 2, succeeded: false });
    expect(await attempts.attemptsOf('sub_FIFOLEDGER', 'msg_head', start + 1)).toEqual({ made: 1, succeeded: false });
    await attempts.record(make('msg_head', start + 4, 'succeeded'));
    expect(await attempts.attemptsOf('sub_FIFOLEDGER', 'msg_head', start - 1)).toEqual({ made: 3, succeeded: true });
    // Successes recorded together share a pack item: each still counts, the test one still does not.
    await Promise.all([make('msg_packed', start + 5, 'succeeded'), make('msg_packed', start + 6, 'succeeded', true), make('msg_else', start + 7, 'succeeded')].map((a) => attempts.record(a)));
    expect(await attempts.attemptsOf('sub_FIFOLEDGER', 'msg_packed', start - 1)).toEqual({ made: 1, succeeded: true });
    expect(await attempts.attemptsOf('sub_FIFOLEDGER', 'msg_else', start - 1)).toEqual({ made: 1, succeeded: true });

    const r = await t.receiver();
    const made = await t.admin('POST', '/v1/tenants/routes/subscriptions', {
      url: `${r.url}/hook`,
      eventTypes: ['store.*'],
      ordering: 'fifo',
      filter: { data: { n: 1 } },
    });
    expect(made.status).toBe(201);
    expect(await subscriptionRoutes?.listByTenant('routes')).toEqual([
      { id: made.body.id, tenant: 'routes', enabled: true, eventTypes: ['store.*'], ordering: 'fifo', filter: { data: { n: 1 } } },
    ]);
  });
});

describe('failure runs on DynamoDB', () => {
  it('keeps the first failingSince of a run (if_not_exists), clears it on success (REMOVE), and never creates an item', async () => {
    const r = await t.receiver();
    const sub = await subscribe(t.admin, 'runs', `${r.url}/hook`);
    const { subscriptions } = t.stack.runtime.ports;
    await subscriptions.markFailing('runs', sub.id, '2026-01-01T00:00:00.000Z');
    await subscriptions.markFailing('runs', sub.id, '2026-01-02T00:00:00.000Z');
    expect((await subscriptions.get('runs', sub.id))?.failingSince).toBe('2026-01-01T00:00:00.000Z');

    await subscriptions.markHealthy('runs', sub.id);
    const healthy = (await subscriptions.get('runs', sub.id)) as Subscription;
    expect(healthy).not.toHaveProperty('failingSince');

    await subscriptions.markFailing('runs', 'sub_01JD7S00000000000000NOSUCH', '2026-01-01T00:00:00.000Z');
    await subscriptions.markHealthy('runs', 'sub_01JD7S00000000000000NOSUCH');
    expect(await subscriptions.get('runs', 'sub_01JD7S00000000000000NOSUCH')).toBeUndefined();
  });

  it('a delivery that fails starts a run in the store and the next success ends it', async () => {
    const r = await t.receiver({ status: 500 });
    const sub = await subscribe(t.admin, 'recovers', `${r.url}/hook`);
    expect((await t.admin('POST', '/v1/events', { type: 'store.test', tenant: 'recovers', data: {} })).status).toBe(202);
    const failing = await waitFor('the run recorded', async () => (await t.stack.runtime.ports.subscriptions.get('recovers', sub.id))?.failingSince);
    expect(Date.parse(failing as string)).toBeLessThanOrEqual(Date.now());
    await waitFor('the retry to succeed', () => r.requests.length === 2);
    await waitForIdle(t.stack);
    expect(await t.stack.runtime.ports.subscriptions.get('recovers', sub.id)).not.toHaveProperty('failingSince');
    expect((await t.admin('GET', `/v1/tenants/recovers/subscriptions/${sub.id}`)).body.enabled).toBe(true);
  });

  it(`disables an endpoint failing for disableAfterFailingMs (${DISABLE_AFTER_MS} ms here), before its schedule runs out`, async () => {
    const r = await t.receiver(...Array.from({ length: 20 }, () => ({ status: 500 })));
    const sub = await subscribe(t.admin, 'disables', `${r.url}/hook`);
    const published = await t.admin('POST', '/v1/events', { type: 'store.test', tenant: 'disables', data: {} });
    expect(published.status).toBe(202);

    const disabled = await waitFor('the subscription disabled', async () => {
      const got = await t.admin('GET', `/v1/tenants/disables/subscriptions/${sub.id}`);
      return got.body.enabled === false ? got.body : undefined;
    });
    expect(disabled.disabledReason).toMatch(/^no successful delivery for \d+ (day|hour|minute|second)s?; last: endpoint answered 500/);
    const dead = await waitFor('the dead letter', async () => {
      const listed = await t.admin('GET', '/v1/dead-letters');
      return listed.body.items.find((i: { message?: { message?: { id?: string } } }) => i.message?.message?.id === published.body.id);
    });
    expect(dead.reason).toMatch(/subscription disabled/);
    await waitForIdle(t.stack);
    // Disabled by the setting, not by the schedule (7 attempts) running out, and not before the setting's time.
    expect(r.requests.length).toBeGreaterThanOrEqual(2);
    expect(r.requests.length).toBeLessThan(7);
    expect(r.requests.at(-1)!.receivedAt - r.requests[0]!.receivedAt).toBeGreaterThanOrEqual(DISABLE_AFTER_MS - 100);
  });
});

describe('secret rotation bounds', () => {
  it(`keeps at most ${MAX_SIGNING_SECRETS} secrets signing, each rotated-out one for at most 24 h`, async () => {
    expect(MAX_SIGNING_SECRETS).toBe(5);
    expect(SECRET_OVERLAP_MS).toBe(24 * 3_600_000);
    const r = await t.receiver();
    const sub = await subscribe(t.admin, 'rotations', `${r.url}/hook`);
    const issued = [sub.secret];
    const startedAt = Date.now();
    for (let i = 0; i < 6; i += 1) {
      const rotated = await t.admin('POST', `/v1/tenants/rotations/subscriptions/${sub.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      issued.unshift(rotated.body.secret);
    }
    const finishedAt = Date.now();

    const stored = (await t.stack.runtime.ports.subscriptions.get('rotations', sub.id)) as Subscription;
    expect(stored.secrets.map((s) => s.secret)).toEqual(issued.slice(0, 5));
    expect(stored.secrets[0]).not.toHaveProperty('expiresAt');
    for (const old of stored.secrets.slice(1)) {
      const expiresAt = Date.parse(old.expiresAt!);
      expect(expiresAt).toBeGreaterThanOrEqual(startedAt + SECRET_OVERLAP_MS);
      expect(expiresAt).toBeLessThanOrEqual(finishedAt + 24 * 3_600_000);
    }

    expect((await t.admin('POST', '/v1/events', { type: 'store.test', tenant: 'rotations', data: { n: 1 } })).status).toBe(202);
    await waitFor('the delivery', () => r.requests.length === 1);
    const delivery = r.requests[0]!;
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(5);
    for (const secret of issued.slice(0, 5)) expect(new Webhook(secret).verify(delivery.body, headersOf(delivery))).toMatchObject({ data: { n: 1 } });
    for (const secret of issued.slice(5)) expect(() => new Webhook(secret).verify(delivery.body, headersOf(delivery))).toThrow();
  });
});

describe('idempotency on DynamoDB', () => {
  async function publishKey(name: string) {
    const created = await t.admin('POST', '/v1/api-keys', { name, scope: 'publish' });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, call: t.as(created.body.key) };
  }

  it('scopes a key to its caller: two callers using the same Idempotency-Key publish two events', async () => {
    const [a, b] = [await publishKey('producer a'), await publishKey('producer b')];
    const key = { 'idempotency-key': 'shared-by-two-callers' };
    const bodyA = { type: 'store.test', tenant: 'idem-scope', data: { from: 'a' } };
    const bodyB = { type: 'store.test', tenant: 'idem-scope', data: { from: 'b' } };

    const firstA = await a.call('POST', '/v1/events', bodyA, key);
    const firstB = await b.call('POST', '/v1/events', bodyB, key);
    expect([firstA.status, firstB.status]).toEqual([202, 202]);
    expect(firstB.body.id).not.toBe(firstA.body.id);

    const againA = await a.call('POST', '/v1/events', bodyA, key);
    const againB = await b.call('POST', '/v1/events', bodyB, key);
    expect([againA.body.id, againB.body.id]).toEqual([firstA.body.id, firstB.body.id]);
    expect([againA.headers.get('idempotent-replayed'), againB.headers.get('idempotent-replayed')]).toEqual(['true', 'true']);
  });

  it(`answers 409 "in progress" while another request holds the key's lease (${IDEMPOTENCY_LEASE_MS / 1000} s), and republishes its id after`, async () => {
    const caller = await publishKey('producer c');
    const body = { type: 'store.test', tenant: 'idem-lease', data: { n: 1 } };
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
    const held = { requestHash, messageId: newMessageId(), timestamp: new Date().toISOString() };
    const { idempotency } = t.stack.runtime.ports;
    // A first request that claimed the key and has not answered yet (its lease runs), and one that died (lease over).
    await idempotency.claim(caller.id, 'lease-held', { ...held, leaseUntil: Date.now() + IDEMPOTENCY_LEASE_MS }, 86_400);
    const died = { ...held, messageId: newMessageId() };
    await idempotency.claim(caller.id, 'lease-over', { ...died, leaseUntil: Date.now() - 1 }, 86_400);

    const busy = await caller.call('POST', '/v1/events', body, { 'idempotency-key': 'lease-held' });
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/in progress/) });

    const resumed = await caller.call('POST', '/v1/events', body, { 'idempotency-key': 'lease-over' });
    expect(resumed.status).toBe(202);
    expect(resumed.body.id).toBe(died.messageId);
  });
});

describe('recover claims on DynamoDB', () => {
  it('claim each (message, endpoint) once until the claim ends, per endpoint and tenant, and release on demand', async () => {
    const store = t.stack.runtime.ports.messages;
    const now = Date.now();
    expect(await store.claimRecovery('claims', 'sub_A', ['msg_1', 'msg_2'], now, now + 1_000)).toEqual(['msg_1', 'msg_2']);
    // A concurrent or later claim of the same pairs loses; a new message, another endpoint or tenant does not.
    const [again, otherSub, otherTenant] = await Promise.all([
      store.claimRecovery('claims', 'sub_A', ['msg_1', 'msg_2', 'msg_3'], now + 999, now + 1_999),
      store.claimRecovery('claims', 'sub_B', ['msg_1'], now + 999, now + 1_999),
      store.claimRecovery('claims-other', 'sub_A', ['msg_1'], now + 999, now + 1_999),
    ]);
    expect([again, otherSub, otherTenant]).toEqual([['msg_3'], ['msg_1'], ['msg_1']]);
    expect([...(await store.recoveryClaims('claims', 'sub_A', now + 999))].sort()).toEqual(['msg_1', 'msg_2', 'msg_3']);
    // At its end a claim no longer holds (TTL deletion may lag): it is not listed, and can be taken again.
    expect([...(await store.recoveryClaims('claims', 'sub_A', now + 1_000))]).toEqual(['msg_3']);
    expect(await store.claimRecovery('claims', 'sub_A', ['msg_1', 'msg_3'], now + 1_000, now + 2_000)).toEqual(['msg_1']);
    await store.releaseRecovery('claims', 'sub_A', ['msg_3']);
    expect([...(await store.recoveryClaims('claims', 'sub_A', now + 1_000))]).toEqual(['msg_1']);
  });
});
