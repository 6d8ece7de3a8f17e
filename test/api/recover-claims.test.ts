/**
 * Recover claims, on the local stack (DynamoDB Local): concurrent and repeated recovers of one
 * endpoint queue each failed message once. The endpoint fails every request while the test runs its
 * recovers, so each message is still "failed, not delivered" whenever a recover looks: only the claim
 * keeps a later recover from queuing it again. Counted at a real receiver, once the queue is idle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/api.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { subscribe, waitForIdle } from '../helpers/stack.ts';
import { type ApiTestContext, startApiTest } from './setup.ts';

let t: ApiTestContext;
let r: Receiver;
let open = false;

beforeAll(async () => {
  t = await startApiTest();
  expect((await t.admin('PUT', '/v1/event-types/invoice.failed', { description: 'an invoice could not be charged' })).status).toBe(201);
  r = await startReceiver({ lifetimeMs: 90_000, defaultResponse: () => (open ? { status: 200, body: 'ok' } : { status: 500, body: 'down' }) });
});

afterAll(async () => {
  await r?.close();
  await t?.stop();
});

const perMessage = () => {
  const counts = new Map<string, number>();
  for (const request of r.requests) counts.set(String(request.headers['webhook-id']), (counts.get(String(request.headers['webhook-id'])) ?? 0) + 1);
  return counts;
};

describe('concurrent and repeated recovers', () => {
  it('queue each failed message once: three at once split the messages, a fourth within the window queues none', async () => {
    // Two attempts per delivery ([1]): each message fails twice and is dead-lettered.
    const sub = await subscribe(t.admin, 'recover-race', `${r.url}/hook`, ['invoice.*'], { retrySchedule: [1] });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const published = await t.admin('POST', '/v1/events', { type: 'invoice.failed', tenant: 'recover-race', data: { n } });
      expect(published.status).toBe(202);
      ids.push(published.body.id);
    }
    await waitFor('two failed attempts of each message', () => r.requests.length === 6, 20_000);
    await waitForIdle(t.stack);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recover = () => t.admin('POST', `/v1/tenants/recover-race/subscriptions/${sub.id}/recover`, { since });

    const answers = await Promise.all([recover(), recover(), recover()]);

    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    // Each message is queued by exactly one of them, and each answer names only what it queued.
    const queued = answers.flatMap((a) => a.body.messages as string[]);
    expect(queued.sort()).toEqual([...ids].sort());
    // The recovered deliveries fail too (2 attempts each), and are dead-lettered again.
    await waitFor('the recovered attempts', () => r.requests.length >= 12, 20_000);
    await waitForIdle(t.stack);
    expect([...perMessage().values()]).toEqual([4, 4, 4]);

    // Still failed and not delivered, but claimed by a recover within the window: not queued again.
    const fourth = await recover();
    expect(fourth.status).toBe(202);
    expect(fourth.body).toMatchObject({ messages: [], skipped: [], truncated: false });
    open = true;
    await waitForIdle(t.stack);
    expect(r.requests).toHaveLength(12);
  });
});
