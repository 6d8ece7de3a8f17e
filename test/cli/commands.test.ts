/**
 * Every verb of the hookpost command against a local stack (API, fauxqs, DynamoDB Local, receivers on
 * 127.0.0.1): login writes a 0600 config file that later verbs use, publish keeps data digit for digit
 * and waits for delivery, endpoints/event-types/dead-letters/attempts manage what the API holds, tail
 * prints attempts made while it runs, listen forwards deliveries to a local receiver with their original
 * headers, verifies them and removes its endpoint on stop. Usage errors exit 2, API errors exit 1.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyWebhook } from 'hookpost/verify';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';
import { apiClient, waitFor } from '../helpers/api.ts';
import { receiverPool } from '../helpers/stack.ts';
import { cliEnv, hookpost, startCli } from './run.ts';

const BIN = fileURLToPath(new URL('../../bin/hookpost.js', import.meta.url));

let stack: LocalStack;
let call: ReturnType<typeof apiClient>;
/** HOOKPOST_URL/HOOKPOST_KEY for the admin key, in a temp HOME. */
let env: Record<string, string | undefined>;
const receivers = receiverPool();

beforeAll(async () => {
  stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint') });
  call = apiClient(stack.url, stack.adminKey);
  env = cliEnv({ HOOKPOST_URL: stack.url, HOOKPOST_KEY: stack.adminKey });
  expect((await call('PUT', '/v1/event-types/order.placed', { description: 'an order', example: { id: 'o_example' } })).status).toBe(201);
});

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
});

const json = async (argv: string[], environment = env) => {
  const result = await hookpost([...argv, '--json'], environment);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out);
};

describe('login and whoami', () => {
  it('login checks the key, writes the config file with mode 0600 under XDG_CONFIG_HOME, and later verbs use it', async () => {
    const fresh = cliEnv();
    const login = await hookpost(['login', '--url', stack.url, '--key', stack.adminKey], fresh);
    expect(login.code, login.err).toBe(0);
    const path = join(fresh.XDG_CONFIG_HOME as string, 'hookpost', 'config.json');
    expect(login.out).toContain(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await json(['whoami'], fresh)).toMatchObject({ scope: 'admin' });

    // The environment wins over the file.
    const wrongKey = await hookpost(['whoami'], { ...fresh, HOOKPOST_KEY: 'hp_not_a_key' });
    expect(wrongKey).toMatchObject({ code: 1, err: expect.stringContaining('401') });
  });

  it('login refuses a key the API refuses (exit 1) and writes nothing; without a connection verbs say how to log in (exit 2)', async () => {
    const fresh = cliEnv();
    const refused = await hookpost(['login', '--url', stack.url, '--key', 'hp_wrong'], fresh);
    expect(refused.code).toBe(1);
    expect(() => statSync(join(fresh.XDG_CONFIG_HOME as string, 'hookpost', 'config.json'))).toThrow();
    expect(await hookpost(['whoami'], fresh)).toMatchObject({ code: 2, err: expect.stringContaining('hookpost login') });
  });

  it('whoami shows a tenant key’s scope and tenant', async () => {
    const created = await call('POST', '/v1/api-keys', { name: 'cli', scope: 'tenant', tenant: 'acme' });
    expect(created.status).toBe(201);
    const result = await hookpost(['whoami'], { ...env, HOOKPOST_KEY: created.body.key });
    expect(result.out.trim()).toBe(`tenant key ${created.body.id}, tenant acme`);
  });
});

describe('endpoints, publish, attempts', () => {
  it('create, list, update, test, rotate and delete an endpoint', async () => {
    const receiver = await receivers.start();
    const created = await json(['endpoints', 'create', '--url', `${receiver.url}/hook`, '--events', 'order.placed', '--tenant', 'shop', '--description', 'mine']);
    expect(created).toMatchObject({ url: `${receiver.url}/hook`, eventTypes: ['order.placed'], secret: expect.stringMatching(/^whsec_/) });
    const listed = await hookpost(['endpoints', 'list', '--tenant', 'shop'], env);
    expect(listed.out).toContain(`${created.id}  enabled   ${receiver.url}/hook  order.placed  mine`);

    expect(await json(['endpoints', 'update', created.id, '--tenant', 'shop', '--disable'])).toMatchObject({ enabled: false });
    const tested = await hookpost(['endpoints', 'test', created.id, '--tenant', 'shop'], env);
    expect(tested.code, tested.err).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(() => verifyWebhook(receiver.requests[0]?.body as string, receiver.requests[0]?.headers ?? {}, created.secret)).not.toThrow();

    const rotated = await json(['endpoints', 'rotate', created.id, '--tenant', 'shop']);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(await hookpost(['endpoints', 'delete', created.id, '--tenant', 'shop'], env)).toMatchObject({ code: 0 });
    expect((await call('GET', `/v1/tenants/shop/subscriptions/${created.id}`)).status).toBe(404);
    expect(await hookpost(['endpoints', 'delete', created.id, '--tenant', 'shop'], env)).toMatchObject({ code: 1, err: expect.stringContaining('404 not_found') });
  });

  it('publish sends data digit for digit, --wait waits for the delivery, attempts lists it', async () => {
    const receiver = await receivers.start();
    const endpoint = await json(['endpoints', 'create', '--url', `${receiver.url}/hook`, '--events', 'order.placed', '--tenant', 'pub']);
    const data = '{"id":"o_1","total":12345678901234567890,"note":"Zoë"}';
    const published = await hookpost(['publish', 'order.placed', '--data', data, '--tenant', 'pub', '--idempotency-key', 'cli-1', '--wait', '20'], env);
    expect(published.code, published.err).toBe(0);
    const id = /published (msg_\w+)/.exec(published.out)?.[1];
    expect(published.out).toMatch(new RegExp(`✓ 200  ${endpoint.id}  ${id}  order.placed  #1`));
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.body).toMatch(new RegExp(`^\\{"type":"order.placed",.*"data":${data.replace(/[{}]/g, '\\$&')}\\}$`));

    const again = await json(['publish', 'order.placed', '--data', data, '--tenant', 'pub', '--idempotency-key', 'cli-1']);
    expect(again.id).toBe(id);

    const attempts = await json(['attempts', endpoint.id, '--tenant', 'pub']);
    expect(attempts.items).toEqual([expect.objectContaining({ messageId: id, status: 'succeeded', statusCode: 200 })]);
    expect((await json(['attempts', endpoint.id, '--tenant', 'pub', '--status', 'failed'])).items).toEqual([]);
  });

  it('publish: bad data is a usage error (exit 2), an unknown type the API’s 422 (exit 1)', async () => {
    expect(await hookpost(['publish', 'order.placed', '--data', '[1]'], env)).toMatchObject({ code: 2, err: expect.stringContaining('JSON object') });
    expect(await hookpost(['publish', 'order.placed'], env)).toMatchObject({ code: 2 });
    expect(await hookpost(['publish', 'no.such.type', '--data', '{}'], env)).toMatchObject({ code: 1, err: expect.stringContaining('422 validation_failed') });
    expect(await hookpost(['publish', 'order.placed', '--data', '{}', '--no-such-flag'], env)).toMatchObject({ code: 2 });
    expect(await hookpost(['no-such-verb'], env)).toMatchObject({ code: 2, err: expect.stringContaining('unknown verb') });
  });
});

describe('event-types and dead-letters', () => {
  it('put, list and delete an event type', async () => {
    expect(await json(['event-types', 'put', 'cli.thing', '--description', 'from the cli', '--example', '{"n":1}'])).toMatchObject({ type: 'cli.thing', example: { n: 1 } });
    expect((await hookpost(['event-types', 'list'], env)).out).toContain('cli.thing  from the cli');
    expect(await hookpost(['event-types', 'delete', 'cli.thing'], env)).toMatchObject({ code: 0 });
    expect((await call('GET', '/v1/event-types/cli.thing')).status).toBe(404);
  });

  it('dead-letters list and redrive answer with the API’s views', async () => {
    expect(await json(['dead-letters', 'list'])).toMatchObject({ approximateCount: 0, items: [] });
    expect(await json(['dead-letters', 'redrive'])).toMatchObject({ mode: 'local', moved: 0 });
  });
});

describe('tail and listen', () => {
  it('tail prints the attempts made while it runs (not older ones), one line each, and stops on the signal', async () => {
    const receiver = await receivers.start();
    const endpoint = await json(['endpoints', 'create', '--url', `${receiver.url}/hook`, '--tenant', 'tailed']);
    await json(['endpoints', 'test', endpoint.id, '--tenant', 'tailed', '--type', 'order.placed']);

    const tail = startCli(['tail', '--tenant', 'tailed', '--interval', '100'], env);
    await waitFor('tail to start following', () => tail.out.includes('following attempts'));
    const published = await json(['publish', 'order.placed', '--data', '{"id":"o_tail"}', '--tenant', 'tailed']);
    await waitFor('tail to print the attempt', () => tail.out.includes(published.id), 20_000);
    const { code, out } = await tail.stop();
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2); // the banner and the new attempt; the test attempt before it started is history
    expect(lines[1]).toMatch(new RegExp(`✓ 200  ${endpoint.id}  ${published.id}  order.placed  #1`));
  });

  it('listen forwards deliveries to the local receiver with their original headers, verifies them, and removes its endpoint', async () => {
    const receiver = await receivers.start({ defaultResponse: { status: 202, body: 'taken' } });
    const listen = startCli(['listen', '--forward-to', `${receiver.url}/local/hook`, '--tenant', 'dev', '--json'], env);
    await waitFor('listen to be ready', () => listen.out.includes('"ready"'));
    const { ready } = JSON.parse(listen.out.split('\n')[0] as string);
    expect((await call('GET', `/v1/tenants/dev/subscriptions/${ready.endpoint}`)).status).toBe(200);

    const published = await json(['publish', 'order.placed', '--data', '{"id":"o_listen"}', '--tenant', 'dev']);
    await waitFor('the receiver to get the delivery', () => receiver.requests.length > 0, 20_000);
    await waitFor('listen to print it', () => listen.out.split('\n').length > 2);
    const forwarded = receiver.requests[0];
    expect(forwarded?.path).toBe('/local/hook');
    expect(forwarded?.headers['webhook-id']).toBe(published.id);
    expect(verifyWebhook(forwarded?.body as string, forwarded?.headers ?? {}, ready.secret)).toMatchObject({ id: published.id });

    // Hookpost got the receiver's answer through the relay.
    await waitFor('the attempt to be logged', async () => (await call('GET', `/v1/tenants/dev/subscriptions/${ready.endpoint}/attempts`)).body.items.length > 0);
    const attempts = await call('GET', `/v1/tenants/dev/subscriptions/${ready.endpoint}/attempts`);
    expect(attempts.body.items).toEqual([expect.objectContaining({ messageId: published.id, statusCode: 202, response: 'taken' })]);

    const { code, out } = await listen.stop();
    expect(code).toBe(0);
    const printed = JSON.parse(out.split('\n')[1] as string);
    expect(printed).toMatchObject({ id: published.id, type: 'order.placed', verified: true, forwardedStatus: 202 });
    expect((await call('GET', '/v1/tenants/dev/subscriptions')).body.items).toEqual([]);
  });

  it('through the bin: listen runs until Ctrl-C (SIGINT), then removes its endpoint and exits 0', async () => {
    const receiver = await receivers.start();
    const child = spawn(process.execPath, [BIN, 'listen', '--forward-to', `${receiver.url}/hook`, '--tenant', 'signal', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      await waitFor('listen to be ready', () => out.includes('"ready"'), 20_000);
      expect((await call('GET', '/v1/tenants/signal/subscriptions')).body.items).toHaveLength(1);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect((await call('GET', '/v1/tenants/signal/subscriptions')).body.items).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('listen still ends when removing its endpoint fails (the API gone): relay closed, exit 1, the error said', async () => {
    const failingApi = await receivers.start({
      defaultResponse: (request) =>
        request.method === 'POST'
          ? { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'sub_gone', url: 'http://x/', eventTypes: ['*'], secret: 'whsec_c2VjcmV0' }) }
          : { status: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'dependency_unavailable', message: 'down', details: [] } }) },
    });
    const listen = startCli(['listen', '--forward-to', 'http://127.0.0.1:9/hook', '--json'], { ...env, HOOKPOST_URL: failingApi.url });
    await waitFor('listen to be ready', () => listen.out.includes('sub_gone'));
    const { ready } = JSON.parse(listen.out.split('\n')[0] as string);
    expect(await listen.stop()).toMatchObject({ code: 1, err: expect.stringContaining('503 dependency_unavailable') });
    // Its relay is closed, so a real process has nothing left to keep it running.
    await expect(fetch(ready.relay, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('listen: a --forward-to that is not a URL is a usage error', async () => {
    expect(await hookpost(['listen', '--forward-to', 'localhost:3000'], env)).toMatchObject({ code: 2 });
  });
});
