/**
 * Fault injection on the local stack (fauxqs, DynamoDB Local, receivers on 127.0.0.1). Every test
 * counts: each accepted event is delivered or dead-lettered with its context — nothing is lost.
 * See docs/reliability.md for the table of scenarios.
 */
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Attempt } from '#shared/core/platform/domain.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from './helpers/api.ts';
import { awsError, injectFault } from './helpers/faults.ts';
import { receiverPool, subscribe as subscribeWith, waitForIdle } from './helpers/stack.ts';

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
const receivers = receiverPool();
const receiver = (options: Parameters<typeof receivers.start>[0] = {}) => receivers.start(options);
const subscribe = (tenant: string, url: string) => subscribeWith(call, tenant, url);

const publish = (tenant: string, data: unknown) => call('POST', '/v1/events', { type: 'fault.test', tenant, data });

/** Raw bodies of dead letters that mention `needle` (we look without consuming: visibility 0). */
async function deadLettersOf(needle: string): Promise<string[]> {
  const found = new Map<string, string>();
  for (let round = 0; round < 5; round += 1) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    for (const m of Messages) {
      if (m.Body?.includes(needle)) found.set(m.MessageId ?? '', m.Body);
    }
  }
  return [...found.values()];
}

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    retryScheduleSeconds: [1, 1],
    deliveryTimeoutMs: 1_000,
    visibilityTimeoutSeconds: 2,
    maxReceiveCount: 5,
    subscriptionCacheMs: 60_000,
  });
  call = apiClient(stack.url, stack.adminKey);
  expect((await call('PUT', '/v1/event-types/fault.test', { description: 'fault injection' })).status).toBe(201);
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

describe('faults', () => {
  it('SQS down at ingest: 503, and nothing is stored as accepted', async () => {
    const target = await receiver();
    await subscribe('sqs-down', `${target.url}/hook`);
    const attributes = (await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.eventsQueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    // A real outage: the events queue is gone.
    await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: stack.eventsQueueUrl }));
    try {
      const single = await call('POST', '/v1/events', { type: 'fault.test', tenant: 'sqs-down', data: { n: 1 } }, { 'idempotency-key': 'outage-1' });
      expect(single.status).toBe(503);
      expect(single.body.error.code).toBe('dependency_unavailable');
      const batch = await call('POST', '/v1/events/batch', { events: [{ type: 'fault.test', tenant: 'sqs-down', data: { n: 2 } }] });
      expect(batch.status).toBe(207);
      expect(batch.body.results[0].error.code).toBe('dependency_unavailable');
    } finally {
      await stack.sqs.send(
        new CreateQueueCommand({
          QueueName: 'hookpost-events',
          Attributes: { VisibilityTimeout: attributes.VisibilityTimeout ?? '2', RedrivePolicy: attributes.RedrivePolicy ?? '', MaximumMessageSize: '1048576' },
        }),
      );
    }
    await waitForIdle(stack);
    expect(target.requests).toHaveLength(0);
    // The key was not spent on the failed attempt: the producer's retry goes through, once.
    const retried = await call('POST', '/v1/events', { type: 'fault.test', tenant: 'sqs-down', data: { n: 1 } }, { 'idempotency-key': 'outage-1' });
    expect(retried.status).toBe(202);
    await waitFor('the retried publish', () => target.requests.length === 1);
  });

  it('DynamoDB throttling in the consumer: the record fails, comes back, and is delivered', async () => {
    const target = await receiver();
    const sub = await subscribe('throttled', `${target.url}/hook`);
    await publish('throttled', { warm: true }); // caches the tenant's subscriptions
    await waitFor('warm-up delivery recorded', async () => {
      const page = await call('GET', `/v1/tenants/throttled/subscriptions/${sub.id}/attempts`);
      return page.body.items.length === 1;
    });

    const restore = injectFault(stack.runtime.ports.attempts, 'record', (args) => (args[0] as Attempt).tenant === 'throttled', () =>
      awsError('ProvisionedThroughputExceededException'),
    );
    const published = await publish('throttled', { n: 1 });
    expect(published.status).toBe(202);
    await waitFor('a redelivery while DynamoDB throttles', () => target.requests.length >= 3, 15_000);
    restore();

    const attempts = await waitFor('the recorded success', async () => {
      const page = await call('GET', `/v1/tenants/throttled/subscriptions/${sub.id}/attempts?status=succeeded`);
      return page.body.items.find((a: Attempt) => a.messageId === published.body.id);
    }, 15_000);
    expect(attempts).toMatchObject({ status: 'succeeded', statusCode: 200 });
    // At least once: every copy carried the same webhook-id.
    const ids = new Set(target.requests.slice(1).map((r) => r.headers['webhook-id']));
    expect(ids).toEqual(new Set([published.body.id]));
    expect(await deadLettersOf(published.body.id)).toEqual([]);
  });

  it('a consumer dying after some POSTs: the redelivered record skips endpoints that already got it', async () => {
    const [first, second] = await Promise.all([receiver(), receiver()]);
    const subSecond = await subscribe('crash', `${second.url}/hook`);
    await subscribe('crash', `${first.url}/hook`);
    // The batch fails after both POSTs were made: recording the second endpoint's success "crashes" once.
    let crashed = false;
    const restore = injectFault(
      stack.runtime.ports.attempts,
      'record',
      (args) => {
        if ((args[0] as Attempt).subscriptionId !== subSecond.id || crashed) return false;
        crashed = true;
        return true;
      },
      () => new Error('consumer killed'),
    );
    try {
      const published = await publish('crash', { n: 1 });
      await waitFor('the redelivery reaching the second endpoint again', () => second.requests.length === 2, 15_000);
      await waitForIdle(stack);
      expect(first.requests).toHaveLength(1);
      expect(second.requests).toHaveLength(2);
      expect(new Set(second.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([published.body.id]));
    } finally {
      restore();
    }
  });

  it('a poison message goes to the DLQ after maxReceiveCount without holding up the rest', async () => {
    const target = await receiver();
    await subscribe('poison', `${target.url}/hook`);
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.eventsQueueUrl, MessageBody: 'poison: not json {"tenant":"poison"' }));
    const good = await publish('poison', { n: 1 });
    await waitFor('the good event', () => target.requests.length === 1);
    expect(target.requests[0]!.headers['webhook-id']).toBe(good.body.id);
    const dead = await waitFor(
      'the poison message in the DLQ',
      async () => {
        const found = await deadLettersOf('poison: not json');
        return found.length > 0 ? found : undefined;
      },
      25_000,
    );
    // Moved by SQS as it was sent, once: not rewritten, not duplicated.
    expect(dead).toEqual(['poison: not json {"tenant":"poison"']);
    const listed = await call('GET', '/v1/dead-letters');
    expect(listed.body.items.some((item: { raw?: string }) => item.raw?.startsWith('poison: not json'))).toBe(true);
  });

  it('a flood larger than the consumer can take at once: every event delivered, none dead-lettered', async () => {
    const target = await receiver({ defaultResponse: { status: 200, delayMs: 20 } });
    await subscribe('flood', `${target.url}/hook`);
    const events = Array.from({ length: 100 }, (_, n) => ({ type: 'fault.test', tenant: 'flood', data: { n } }));
    const accepted: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const batch = await call('POST', '/v1/events/batch', { events });
      accepted.push(...batch.body.results.map((r: { id: string }) => r.id));
    }
    expect(accepted).toHaveLength(300);
    await waitFor('300 deliveries', () => new Set(target.requests.map((r) => r.headers['webhook-id'])).size === 300, 60_000);
    expect(new Set(target.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(accepted));
    expect(await deadLettersOf('"flood"')).toEqual([]);
  });
});
