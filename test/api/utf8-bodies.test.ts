/**
 * A body whose bytes are not valid UTF-8 is refused with 400 `malformed_request` on every route that
 * takes one — sent as is, gzip'd (the inflated bytes count), or through the Lambda adapters — never
 * read with U+FFFD for each bad byte: bodies that differ only in those bytes are not one request.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type QueueSpy, spyOnQueue } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, functionEnvironment, routeTable, startApiTest } from './setup.ts';

let t: ApiTestContext;
/** Every message handed to the events queue (a spy on the port; the consumer's retries pass here too). */
let enqueued: QueueSpy;
/** The ids of the messages queued so far: a retry keeps its id, a newly published event brings a new one. */
const queuedIds = () => new Set(enqueued.sent.map((m) => m.message.id));
let subscriptionId: string;

beforeAll(async () => {
  t = await startApiTest();
  enqueued = spyOnQueue(t.stack.runtime.ports.queue);
  expect((await t.admin('PUT', '/v1/event-types/utf8.test', { description: 'x', example: { n: 1 } })).status).toBe(201);
  const created = await t.admin('POST', '/v1/tenants/acme/subscriptions', { url: 'http://127.0.0.1:9/hook', eventTypes: ['utf8.test'] });
  expect(created.status).toBe(201);
  subscriptionId = created.body.id;
});

afterAll(async () => {
  await t?.stop();
});

/** `prefix` + the bytes + `suffix`, as raw bytes (never through a JS string, which would make them U+FFFD). */
const bytesOf = (prefix: string, bad: number[], suffix: string) =>
  Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from(bad), Buffer.from(suffix, 'utf8')]);

interface RawAnswer {
  status: number;
  // biome-ignore lint: tests read arbitrary JSON
  body: any;
}

/** One request with exactly these body bytes, through node:http. */
function raw(method: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(path, t.stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${t.stack.adminKey}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const expectMalformed = (answer: RawAnswer, what: string) => {
  expect(answer.status, what).toBe(400);
  expect(answer.body, what).toMatchObject(errorShape);
  expect(answer.body.error.code, what).toBe('malformed_request');
  expect(answer.body.error.message, what).toMatch(/UTF-8/);
};

/** Invalid sequences: stray continuation/lead bytes, an overlong `/`, a surrogate, past U+10FFFF, a cut-off sequence. */
const INVALID: number[][] = [[0xff, 0xfe], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

describe('the local server refuses bodies that are not valid UTF-8', () => {
  /**
   * Each route that reads a body, as a template: `~` is where the bad bytes go (inside a string, or
   * where JSON allows white space); without them the body is valid (shown below), so each 400 is for
   * the bytes alone.
   */
  const bodyRoutes = (): [string, string, string][] => [
    ['POST', '/v1/events', '{"type":"utf8.test","tenant":"acme","data":{"s":"~"}}'],
    ['POST', '/v1/events/batch', '{"events":[{"type":"utf8.test","tenant":"acme","data":{"s":"~"}}]}'],
    ['POST', '/v1/api-keys', '{"name":"n~","scope":"admin"}'],
    ['POST', '/v1/event-types', '{"type":"utf8.other","description":"~"}'],
    ['PUT', '/v1/event-types/utf8.test', '{"description":"~","example":{"n":1}}'],
    ['POST', '/v1/tenants/acme/subscriptions', '{"url":"http://127.0.0.1:9/other","eventTypes":["utf8.test"],"description":"~"}'],
    ['PATCH', `/v1/tenants/acme/subscriptions/${subscriptionId}`, '{"description":"~"}'],
    ['POST', `/v1/tenants/acme/subscriptions/${subscriptionId}/test`, '{"type":"utf8.test~"}'],
    ['POST', `/v1/tenants/acme/subscriptions/${subscriptionId}/recover`, `{"since":"${new Date(Date.now() - 60_000).toISOString()}~"}`],
    ['POST', '/v1/tenants/acme/portal-sessions', '{"expiresInSeconds":120~}'],
  ];
  /** Routes with a request method that carries a body but that read none. */
  const NO_BODY = ['POST /v1/tenants/{tenant}/subscriptions/{id}/rotate-secret', 'POST /v1/tenants/{tenant}/messages/{msgId}/redeliver', 'POST /v1/dead-letters/redrive'];

  it('covers every route with a body', () => {
    const templates = bodyRoutes().map(([method, path]) => `${method} ${path.replace(subscriptionId, '{id}').replace(/\/acme\//, '/{tenant}/').replace('utf8.test', '{type}')}`);
    const withBodyMethods = routeTable.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method)).map((route) => `${route.method} ${route.path}`);
    expect([...templates, ...NO_BODY].sort()).toEqual(withBodyMethods.sort());
  });

  it('answers 400 malformed_request on each, and queues nothing', async () => {
    const before = queuedIds();
    for (const [method, path, template] of bodyRoutes()) {
      const [head, tail] = template.split('~') as [string, string];
      for (const bad of INVALID) {
        expectMalformed(await raw(method, path, bytesOf(head, bad, tail)), `${method} ${path} ${Buffer.from(bad).toString('hex')}`);
      }
      expectMalformed(await raw(method, path, gzipSync(bytesOf(head, [0xff, 0xfe], tail)), { 'content-encoding': 'gzip' }), `${method} ${path} gzip`);
    }
    expect(queuedIds()).toEqual(before);
    for (const [method, path, template] of bodyRoutes()) {
      const taken = await raw(method, path, Buffer.from(template.replace('~', '')));
      expect(taken.status, `${method} ${path}`).toBeLessThan(300);
    }
  });

  it('takes valid multi-byte UTF-8, U+FFFD itself included, byte for byte', async () => {
    const data = { s: 'Zoë \uFFFD 😀 𝄞 \u2028' };
    const text = `{"type":"utf8.test","tenant":"acme","data":${JSON.stringify(data)}}`;
    const published = await raw('POST', '/v1/events', Buffer.from(text, 'utf8'));
    expect(published.status).toBe(202);
    const gz = await raw('POST', '/v1/events', gzipSync(Buffer.from(text, 'utf8')), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(202);
    const kept = enqueued.sent.filter((m) => m.kind === 'event' && [published.body.id, gz.body.id].includes(m.message.id));
    expect(kept.map((m) => (m.kind === 'event' ? m.message.dataJson : ''))).toEqual([JSON.stringify(data), JSON.stringify(data)]);
  });

  it('bodies that differ only in invalid bytes are never one request under one Idempotency-Key', async () => {
    const key = `utf8-${randomBytes(6).toString('hex')}`;
    const before = queuedIds();
    for (const bad of [[0xff], [0xfe], [0xff, 0xfe]]) {
      expectMalformed(
        await raw('POST', '/v1/events', bytesOf('{"type":"utf8.test","tenant":"acme","data":{"s":"', bad, '"}}'), { 'idempotency-key': key }),
        Buffer.from(bad).toString('hex'),
      );
    }
    expect(queuedIds()).toEqual(before);
    // Nothing was claimed: the key still publishes a valid body, once.
    const valid = Buffer.from('{"type":"utf8.test","tenant":"acme","data":{"s":"\uFFFD"}}', 'utf8');
    const first = await raw('POST', '/v1/events', valid, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    const again = await raw('POST', '/v1/events', valid, { 'idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('the Lambda functions refuse bodies that are not valid UTF-8', () => {
  type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  const context = { functionName: 'f', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  const savedEnv = { ...process.env };
  let ingest: Handler;
  let management: Handler;

  beforeAll(async () => {
    Object.assign(process.env, functionEnvironment(t.stack));
    vi.resetModules();
    ingest = ((await import('../../functions/ingest.ts')) as { handler: Handler }).handler;
    management = ((await import('../../functions/management.ts')) as { handler: Handler }).handler;
  });
  afterAll(() => {
    process.env = savedEnv;
  });

  /** An API Gateway (HTTP API, payload 2.0) event; `body` as the gateway hands it over. */
  const event = (method: string, path: string, body: string, isBase64Encoded: boolean, headers: Record<string, string> = {}) =>
    ({
      version: '2.0',
      rawPath: path,
      rawQueryString: '',
      headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json', ...headers },
      body,
      isBase64Encoded,
      requestContext: { http: { method, path } },
    }) as unknown as APIGatewayProxyEventV2;

  const call = async (handler: Handler, e: APIGatewayProxyEventV2): Promise<RawAnswer> => {
    const result = await handler(e, context);
    return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') };
  };

  const publish = (bad: number[]) => bytesOf('{"type":"utf8.test","tenant":"acme","data":{"s":"', bad, '"}}');

  it('a base64 body (as API Gateway passes bytes it does not take for text) is decoded strictly', async () => {
    const before = queuedIds();
    for (const bad of INVALID) {
      expectMalformed(await call(ingest, event('POST', '/v1/events', publish(bad).toString('base64'), true)), `ingest ${bad}`);
    }
    const gz = gzipSync(publish([0xff, 0xfe])).toString('base64');
    expectMalformed(await call(ingest, event('POST', '/v1/events', gz, true, { 'content-encoding': 'gzip' })), 'ingest gzip');
    const batch = bytesOf('{"events":[{"type":"utf8.test","tenant":"acme","data":{"s":"', [0xff], '"}}]}');
    expectMalformed(await call(ingest, event('POST', '/v1/events/batch', batch.toString('base64'), true)), 'ingest batch');
    const subscription = bytesOf('{"url":"http://127.0.0.1:9/x","eventTypes":["utf8.test"],"description":"', [0xfe], '"}');
    expectMalformed(await call(management, event('POST', '/v1/tenants/acme/subscriptions', subscription.toString('base64'), true)), 'management');
    expect(queuedIds()).toEqual(before);

    // Valid bytes in base64 are taken.
    expect((await call(ingest, event('POST', '/v1/events', publish([0xc3, 0xab]).toString('base64'), true))).status).toBe(202);
  });

  it('text holding a lone surrogate (no UTF-8 spells it) is refused, not re-encoded as U+FFFD', async () => {
    const before = queuedIds();
    for (const lone of ['\ud800', '\udfff', 'a\udc00b']) {
      const text = `{"type":"utf8.test","tenant":"acme","data":{"s":"${lone}"}}`;
      expectMalformed(await call(ingest, event('POST', '/v1/events', text, false)), JSON.stringify(lone));
    }
    expect(queuedIds()).toEqual(before);
    const fine = await call(ingest, event('POST', '/v1/events', '{"type":"utf8.test","tenant":"acme","data":{"s":"😀\uFFFD"}}', false));
    expect(fine.status).toBe(202);
  });
});
