/**
 * Delivery safety on the local stack: SSRF refusals, misbehaving receivers, secrets at rest and in
 * logs, and bad input that must leave nothing behind.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ResolveAll } from '#shared/adapters/http/ssrf-guard.ts';
import { LOCAL_REGION, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from './helpers/api.ts';
import type { Receiver } from './helpers/receiver.ts';
import { type QueueSpy, receiverPool, spyOnQueue, waitForIdle } from './helpers/stack.ts';

const receivers = receiverPool();
const receiver = (options: Parameters<typeof receivers.start>[0] = {}) => receivers.start(options);

afterAll(async () => {
  await receivers.closeAll();
});

/** A name that looked public when the subscription was saved and now resolves to loopback (DNS rebinding). */
const REBOUND_NAME = 'rebound.hooks.example.com';
const rebindingResolver: ResolveAll = (hostname, _options, callback) => {
  if (hostname === REBOUND_NAME) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
};

async function rawItems(stack: LocalStack) {
  const db = dynamoDbClient(LOCAL_REGION, stack.settings.dynamoDbEndpoint!);
  try {
    return (await db.send(new ScanCommand({ TableName: stack.settings.tableName }))).Items ?? [];
  } finally {
    db.destroy();
  }
}

describe('with private targets refused (as on AWS)', () => {
  let stack: LocalStack;
  let call: ReturnType<typeof apiClient>;
  let target: Receiver;

  beforeAll(async () => {
    stack = await startLocalStack({
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
      allowPrivateTargets: false,
      retryScheduleSeconds: [1],
      deliveryTimeoutMs: 1_000,
      lookup: rebindingResolver,
    });
    call = apiClient(stack.url, stack.adminKey);
    await call('PUT', '/v1/event-types/ssrf.test', { description: 'x' });
    target = await receiver();
  });
  afterAll(async () => stack?.stop());

  it.each([
    'http://127.0.0.1:PORT/hook',
    'https://127.0.0.1:PORT/hook',
    'https://127.1:PORT/hook',
    'https://2130706433:PORT/hook',
    'https://0x7f.1:PORT/hook',
    'https://0177.0.0.1:PORT/hook',
    'https://[::1]:PORT/hook',
    'https://[::ffff:127.0.0.1]:PORT/hook',
    'https://localhost:PORT/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/hook',
    'https://100.64.0.1/hook',
    'https://[fd00::1]/hook',
    'https://user:pass@example.com/hook',
    'ftp://example.com/hook',
  ])('refuses %s at subscription time (422) and stores nothing', async (template) => {
    const url = template.replace('PORT', String(target.port));
    const response = await call('POST', '/v1/tenants/ssrf/subscriptions', { url, eventTypes: ['*'] });
    expect(response.status).toBe(422);
    expect(response.body.error.details[0].path).toBe('url');
    expect((await call('GET', '/v1/tenants/ssrf/subscriptions')).body.items).toEqual([]);
    expect(target.requests).toHaveLength(0);
  });

  it('never contacts a loopback receiver reached through a public-looking name, records why, and dead-letters the delivery', async () => {
    // As if DNS changed after the subscription was made (rebinding): the name passes every check at
    // subscription time, and only the connect-time guard, judging the address actually resolved, stops it.
    const created = await call('POST', '/v1/tenants/rebind/subscriptions', { url: `https://${REBOUND_NAME}:${target.port}/hook`, eventTypes: ['*'] });
    expect(created.status).toBe(201);
    const subId: string = created.body.id;
    const published = await call('POST', '/v1/events', { type: 'ssrf.test', tenant: 'rebind', data: {} });
    expect(published.status).toBe(202);
    const attempt = await waitFor('the blocked attempt', async () => {
      const page = await call('GET', `/v1/tenants/rebind/subscriptions/${subId}/attempts`);
      return page.body.items[0];
    });
    expect(attempt).toMatchObject({ status: 'failed', error: expect.stringMatching(/blocked.*rebound\.hooks\.example\.com resolved to 127\.0\.0\.1.*loopback/) });
    const dead = await waitFor('the dead letter', async () => {
      const listed = await call('GET', '/v1/dead-letters');
      return listed.body.items.find((i: { message?: { message?: { id?: string } } }) => i.message?.message?.id === published.body.id);
    });
    expect(dead.reason).toMatch(/loopback/);
    expect(target.requests).toHaveLength(0);
    expect(target.connectionCount).toBe(0);
  });
});

describe('misbehaving receivers and secrets', () => {
  let stack: LocalStack;
  let call: ReturnType<typeof apiClient>;
  const logged: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };

  beforeAll(async () => {
    // Capture everything the stack writes, to prove no secret ever reaches a log.
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (originals.out as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (originals.err as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    }) as typeof process.stderr.write;
    stack = await startLocalStack({
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
      retryScheduleSeconds: [1],
      deliveryTimeoutMs: 1_000,
      subscriptionCacheMs: 100,
    });
    call = apiClient(stack.url, stack.adminKey);
    await call('PUT', '/v1/event-types/misbehave.test', { description: 'x' });
  });
  afterAll(async () => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
    await stack?.stop();
  });

  async function sendTo(tenant: string, r: Receiver) {
    const sub = (await call('POST', `/v1/tenants/${tenant}/subscriptions`, { url: `${r.url}/hook`, eventTypes: ['*'] })).body;
    const published = (await call('POST', '/v1/events', { type: 'misbehave.test', tenant, data: { hello: 'world' } })).body;
    return { sub, published };
  }

  const attemptsOf = async (tenant: string, id: string, count: number) =>
    waitFor(`${count} attempts`, async () => {
      const page = await call('GET', `/v1/tenants/${tenant}/subscriptions/${id}/attempts`);
      return page.body.items.length >= count ? page.body.items : undefined;
    });

  it('times out a receiver that never answers, and retries it', async () => {
    const slow = await receiver({ defaultResponse: { status: 200, delayMs: 5_000 } });
    const { sub } = await sendTo('slow', slow);
    const [second, first] = await attemptsOf('slow', sub.id, 2);
    expect(first).toMatchObject({ status: 'failed', error: expect.stringMatching(/^timeout/) });
    // On the main lane it waited slowLaneAfterMs (half the 1 s deadline here), not until the receiver
    // would have answered (5 s); the same attempt is then made on the slow lane (docs/api.md).
    expect(first.durationMs).toBeGreaterThanOrEqual(500 - 50);
    expect(first.durationMs).toBeLessThan(5_000);
    expect(second).toMatchObject({ attemptNumber: 1, lane: 'slow' });
  });

  it('stores only the first 4 KiB of a huge response', async () => {
    const chatty = await receiver({ defaultResponse: { status: 200, body: 'x'.repeat(2 * 1024 * 1024) } });
    const { sub } = await sendTo('chatty', chatty);
    const [attempt] = await attemptsOf('chatty', sub.id, 1);
    expect(attempt).toMatchObject({ status: 'succeeded', statusCode: 200 });
    expect(attempt.response).toHaveLength(4096);
  });

  it('does not follow a redirect: the attempt fails and the Location is never contacted', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver({ defaultResponse: { status: 302, headers: { location: `${elsewhere.url}/stolen` } } });
    const { sub } = await sendTo('redirect', redirecting);
    const [attempt] = await attemptsOf('redirect', sub.id, 1);
    expect(attempt).toMatchObject({ status: 'failed', statusCode: 302, error: expect.stringMatching(/redirect/) });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('disables an endpoint that answers 410 Gone and tells the alarm topic', async () => {
    const gone = await receiver({ defaultResponse: { status: 410 } });
    const { sub } = await sendTo('gone', gone);
    const disabled = await waitFor('the subscription disabled', async () => {
      const got = await call('GET', `/v1/tenants/gone/subscriptions/${sub.id}`);
      return got.body.enabled === false ? got.body : undefined;
    });
    expect(disabled.disabledReason).toMatch(/410/);
    const notice = await waitFor('the endpoint.disabled notice', async () => {
      const { Messages = [] } = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.noticesQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return Messages.map((m) => JSON.parse(m.Body ?? '{}')).find((n) => n.subscriptionId === sub.id);
    });
    expect(notice).toMatchObject({ type: 'endpoint.disabled', tenant: 'gone', url: `${gone.url}/hook` });
    await waitForIdle(stack); // nothing left to retry
    expect(gone.requests).toHaveLength(1);
  });

  it('keeps signing secrets sealed at rest, out of API views and out of every log line', async () => {
    const ok = await receiver();
    const { sub } = await sendTo('secrets', ok);
    await waitFor('the delivery', () => ok.requests.length === 1);
    const secret: string = sub.secret;
    const secretBody = secret.slice('whsec_'.length);

    const items = await rawItems(stack);
    const stored = items.find((item) => item.sk?.S === `SUB#${sub.id}`);
    // The stored value is the sealed format (shared/core/platform/secret-cipher.ts): enc2:wrapped key:iv:ciphertext:tag, each base64.
    const sealed = stored?.secrets?.L?.map((entry) => entry.M?.secret?.S);
    expect(sealed).toEqual([expect.stringMatching(/^enc2(:[A-Za-z0-9+/]+={0,2}){4}$/)]);
    // No encoding of the secret anywhere in the table: the string as shown, its key bytes as base64,
    // base64url and hex, and the whole string as base64 and hex. Binary attributes are read both ways too.
    const keyBytes = Buffer.from(secretBody, 'base64');
    const encodings = [
      secret,
      secretBody,
      keyBytes.toString('base64url'),
      keyBytes.toString('hex'),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      Buffer.from(secret).toString('hex'),
    ];
    const tableText = JSON.stringify(items, (_key, value) =>
      value instanceof Uint8Array ? [Buffer.from(value).toString('latin1'), Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')] : value,
    );
    for (const encoded of encodings) expect(tableText.toLowerCase()).not.toContain(encoded.toLowerCase());
    expect(tableText).not.toContain(keyBytes.toString('latin1'));
    expect(JSON.stringify((await call('GET', `/v1/tenants/secrets/subscriptions/${sub.id}`)).body)).not.toContain(secretBody);
    expect((await call('GET', `/v1/tenants/secrets/subscriptions/${sub.id}/secret`)).body.secret).toBe(secret);
    expect(logged.join('')).not.toContain(secretBody);
  });
});

describe('bad input leaves nothing behind', () => {
  let stack: LocalStack;
  let call: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint') });
    call = apiClient(stack.url, stack.adminKey);
    await call('PUT', '/v1/event-types/clean.test', { description: 'x' });
  });
  afterAll(async () => stack?.stop());

  // Each case looks for itself, so none depends on which ran before it.
  let spy: QueueSpy;
  beforeEach(() => {
    spy = spyOnQueue(stack.runtime.ports.queue);
  });
  afterEach(() => spy.restore());
  const tableKeys = async () => (await rawItems(stack)).map((item) => `${item.pk?.S} ${item.sk?.S}`).sort();

  it.each([
    ['CR/LF in a header value', { headers: { 'x-a': 'one\r\nx-injected: two' } }],
    ['a header overriding webhook-id', { headers: { 'webhook-id': 'forged' } }],
    ['a header overriding content-type', { headers: { 'Content-Type': 'text/plain' } }],
    ['too many headers', { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v'])) }],
    ['a huge header value', { headers: { 'x-big': 'v'.repeat(2000) } }],
    ['a URL over 2048 characters', { url: `https://example.com/${'a'.repeat(2050)}` }],
    ['credentials in the URL', { url: 'https://user:secret@example.com/hook' }],
    ['an invalid event type pattern', { eventTypes: ['user.**'] }],
    ['no event types', { eventTypes: [] }],
  ])('subscription with %s → 422, nothing stored', async (_name, override) => {
    const before = await tableKeys();
    const response = await call('POST', '/v1/tenants/clean/subscriptions', { url: 'https://example.com/hook', eventTypes: ['*'], ...override });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'validation_failed', details: expect.any(Array) });
    expect((await call('GET', '/v1/tenants/clean/subscriptions')).body.items).toEqual([]);
    expect(await tableKeys()).toEqual(before);
  });

  it.each([
    ['a batch of 101 events', '/v1/events/batch', { events: Array.from({ length: 101 }, () => ({ type: 'clean.test', data: {} })) }, 422],
    ['an empty batch', '/v1/events/batch', { events: [] }, 422],
    ['a bad tenant id', '/v1/events', { type: 'clean.test', data: {}, tenant: '../etc' }, 422],
    ['an event type over 128 characters', '/v1/events', { type: 'a'.repeat(129), data: {} }, 422],
  ])('publish with %s to %s → refused, nothing queued', async (_name, path, body, status) => {
    const before = await tableKeys();
    const response = await call('POST', path, body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBeTypeOf('string');
    expect(spy.sent).toEqual([]);
    expect(await tableKeys()).toEqual(before);
  });

  it('refuses a gzip body that inflates past the limit (413) and accepts a small gzip body', async () => {
    const bomb = gzipSync(JSON.stringify({ type: 'clean.test', data: { blob: '0'.repeat(5 * 1024 * 1024) } }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const post = (body: Buffer) =>
      fetch(`${stack.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: new Uint8Array(body),
      });
    const before = await tableKeys();
    const refused = await post(bomb);
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(spy.sent).toEqual([]);
    expect(await tableKeys()).toEqual(before);
    const small = await post(gzipSync(JSON.stringify({ type: 'clean.test', data: { ok: true } })));
    expect(small.status).toBe(202);
    expect(spy.events().map((m) => JSON.parse(m.message.dataJson))).toEqual([{ ok: true }]);
  });
});
