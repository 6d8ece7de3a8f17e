import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpSender } from '#shared/adapters/http/sender.ts';
import type { ClosableTransport, HttpRequest } from '#shared/core/platform/ports.ts';
import type { ResolveAll } from '#shared/adapters/http/ssrf-guard.ts';
import { startReceiver } from './helpers/receiver.ts';
import type { Receiver } from './helpers/receiver.ts';

const request = (url: string, overrides: Partial<HttpRequest> = {}): HttpRequest => ({
  url,
  headers: { 'content-type': 'application/json', 'webhook-id': 'msg_test' },
  body: '{"type":"user.created","data":{}}',
  timeoutMs: 2_000,
  ...overrides,
});

/** A name that would have looked public when the subscription was saved but now resolves to loopback. */
const REBOUND_NAME = 'rebound.hooks.example.com';
const rebindingResolver: ResolveAll = (hostname, _options, callback) => {
  if (hostname === REBOUND_NAME) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
  return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
};

describe('http sender, production mode (allowPrivateTargets=false)', () => {
  let receiver: Receiver;
  let sender: ClosableTransport;

  beforeAll(async () => {
    receiver = await startReceiver();
    sender = createHttpSender({ allowPrivateTargets: false, lookup: rebindingResolver });
  });
  afterAll(async () => {
    await sender.close();
    await receiver.close();
  });

  it.each([
    ['127.0.0.1', /destination 127\.0\.0\.1 is loopback/],
    ['127.1', /destination 127\.0\.0\.1 is loopback/],
    ['2130706433', /destination 127\.0\.0\.1 is loopback/],
    ['0x7f.1', /destination 127\.0\.0\.1 is loopback/],
    ['0177.0.0.1', /destination 127\.0\.0\.1 is loopback/],
    ['[::ffff:127.0.0.1]', /IPv4-mapped form of 127\.0\.0\.1 \(loopback\)/],
    ['[::1]', /destination ::1 is loopback/],
    ['0.0.0.0', /destination 0\.0\.0\.0 is unspecified/], // Linux connects 0.0.0.0 to the local host
    ['0', /destination 0\.0\.0\.0 is unspecified/],
    ['[::]', /destination :: is unspecified/],
    ['localhost', /destination localhost is loopback/],
    [REBOUND_NAME, /rebound\.hooks\.example\.com resolved to 127\.0\.0\.1, which is loopback/],
  ])('never contacts the loopback receiver through host %s', async (host, message) => {
    // Arrange
    const url = `https://${host}:${receiver.port}/hook`;

    // Act
    const result = await sender.post(request(url));

    // Assert
    expect(result).toMatchObject({ kind: 'error', error: 'blocked', message: expect.stringMatching(message) });
    expect(receiver.connectionCount).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses loopback over plain http too, as blocked', async () => {
    const result = await sender.post(request(`http://127.0.0.1:${receiver.port}/hook`));
    expect(result).toMatchObject({ kind: 'error', error: 'blocked' });
    expect(receiver.connectionCount).toBe(0);
  });

  it('refuses plain http to a public name as invalid_url', async () => {
    const result = await sender.post(request('http://hooks.example.com/in'));
    expect(result).toMatchObject({ kind: 'error', error: 'invalid_url', message: expect.stringMatching(/http:/) });
  });

  it('reports a malformed URL as invalid_url without throwing', async () => {
    const result = await sender.post(request('::not a url::'));
    expect(result).toMatchObject({ kind: 'error', error: 'invalid_url' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a name that does not resolve as a connection error', async () => {
    const result = await sender.post(request('https://nowhere.hooks.example.com/in'));
    expect(result).toMatchObject({ kind: 'error', error: 'connection', message: expect.stringMatching(/ENOTFOUND/) });
  });
});

describe('http sender, local mode (allowPrivateTargets=true) against a loopback receiver', () => {
  let receiver: Receiver;
  let sender: ClosableTransport;

  beforeEach(async () => {
    receiver = await startReceiver();
    sender = createHttpSender({ allowPrivateTargets: true });
  });
  afterEach(async () => {
    await sender.close();
    await receiver.close();
  });

  it('POSTs the body with the given headers and accept-encoding: identity', async () => {
    // Arrange
    const headers = { 'Content-Type': 'application/json', 'webhook-id': 'msg_1', 'X-Custom': 'yes', 'Accept-Encoding': 'gzip' };

    // Act
    const result = await sender.post(request(`${receiver.url}/hooks/in?x=1`, { headers, body: '{"hello":"wörld"}' }));

    // Assert
    expect(result).toMatchObject({ kind: 'response', statusCode: 200, bodyExcerpt: 'ok' });
    expect(receiver.requests).toHaveLength(1);
    const received = receiver.requests[0];
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/hooks/in?x=1');
    expect(received?.body).toBe('{"hello":"wörld"}');
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'x-custom': 'yes',
      'accept-encoding': 'identity',
      'content-length': String(Buffer.byteLength('{"hello":"wörld"}')),
    });
  });

  it('returns a 200 with its body excerpt, lower-cased headers and a duration', async () => {
    receiver.enqueue({ status: 200, headers: { 'X-Receiver': 'yes', 'Set-Cookie': ['a=1', 'b=2'] }, body: '{"received":true}' });
    const started = performance.now();

    const result = await sender.post(request(`${receiver.url}/in`));
    const wallMs = performance.now() - started;

    expect(result.kind).toBe('response');
    if (result.kind !== 'response') return;
    expect(result.statusCode).toBe(200);
    expect(result.bodyExcerpt).toBe('{"received":true}');
    expect(result.headers['x-receiver']).toBe('yes');
    expect(result.headers['set-cookie']).toBe('a=1, b=2');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThanOrEqual(Math.ceil(wallMs)); // the exchange's own time, measured
  });

  it('returns a 500 as a response, not an error', async () => {
    receiver.enqueue({ status: 500, body: 'internal error' });

    const result = await sender.post(request(`${receiver.url}/in`));

    expect(result).toMatchObject({ kind: 'response', statusCode: 500, bodyExcerpt: 'internal error' });
  });

  it('does not follow a redirect: the Location target receives nothing', async () => {
    const elsewhere = await startReceiver();
    try {
      receiver.enqueue({ status: 302, headers: { location: `${elsewhere.url}/stolen` } });

      const result = await sender.post(request(`${receiver.url}/in`));

      expect(result).toMatchObject({ kind: 'response', statusCode: 302, headers: { location: `${elsewhere.url}/stolen` } });
      expect(elsewhere.connectionCount).toBe(0);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('keeps only the first 4096 bytes of a 5 MB body', async () => {
    receiver.enqueue({ status: 200, body: Buffer.alloc(5 * 1024 * 1024, 'a') });

    const result = await sender.post(request(`${receiver.url}/big`, { timeoutMs: 10_000 }));

    expect(result.kind).toBe('response');
    if (result.kind !== 'response') return;
    expect(Buffer.byteLength(result.bodyExcerpt)).toBe(4096);
    expect(result.bodyExcerpt).toBe('a'.repeat(4096));
  });

  it('returns as soon as it has the excerpt, without waiting for the rest of the body', async () => {
    // The rest would come a minute later: had the sender waited for it, the 10 s deadline would end the attempt as a timeout.
    receiver.enqueue({ status: 200, slowBody: { chunks: ['a'.repeat(5_000), 'b'.repeat(1_000)], intervalMs: 60_000 } });

    const result = await sender.post(request(`${receiver.url}/big`, { timeoutMs: 10_000 }));
    await receiver.close(); // ends the pending remainder, so closing the sender does not wait for the deadline

    expect(result).toMatchObject({ kind: 'response', statusCode: 200, bodyExcerpt: 'a'.repeat(4096) });
  });

  it('keeps working after a truncated large body', async () => {
    receiver.enqueue({ status: 200, body: Buffer.alloc(5 * 1024 * 1024, 'a') });
    await sender.post(request(`${receiver.url}/big`));

    const result = await sender.post(request(`${receiver.url}/in`));

    expect(result).toMatchObject({ kind: 'response', statusCode: 200, bodyExcerpt: 'ok' });
  });

  it('drains a small remainder past the excerpt so the socket is reused', async () => {
    // The excerpt is complete before the rest arrives: dropping the rest would cost the connection.
    // One socket per origin, so the second request waits for that socket instead of a guessed pause:
    // reused if the remainder was drained, a new connection if it was dropped.
    const single = createHttpSender({ allowPrivateTargets: true, connectionsPerOrigin: 1 });
    try {
      receiver.enqueue({ slowBody: { chunks: ['b'.repeat(5_000), 'c'.repeat(1_000)], intervalMs: 100 } });

      const first = await single.post(request(`${receiver.url}/medium`));
      const second = await single.post(request(`${receiver.url}/after`));

      expect(first).toMatchObject({ kind: 'response', bodyExcerpt: 'b'.repeat(4096) });
      expect(second).toMatchObject({ kind: 'response', bodyExcerpt: 'ok' });
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.connectionCount).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('cuts the excerpt on a character boundary and honours maxExcerptBytes', async () => {
    const small = createHttpSender({ allowPrivateTargets: true, maxExcerptBytes: 5 });
    try {
      receiver.enqueue({ body: 'abcd€uro' }); // '€' is 3 bytes and straddles byte 5

      const result = await small.post(request(`${receiver.url}/in`));

      expect(result).toMatchObject({ kind: 'response', bodyExcerpt: 'abcd' });
    } finally {
      await small.close();
    }
  });

  it('times out when the headers come later than the deadline', async () => {
    receiver.enqueue({ status: 200, delayMs: 5_000 });
    const timeoutMs = 500;

    const result = await sender.post(request(`${receiver.url}/slow`, { timeoutMs }));

    expect(result).toMatchObject({ kind: 'error', error: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(result.durationMs).toBeLessThan(5_000); // gave up at its deadline, not when the receiver answered
  });

  it('times out when the body dribbles past the deadline', async () => {
    // 100 pieces 100 ms apart: the whole body takes 10 s, each piece keeps an idle timer happy.
    receiver.enqueue({ status: 200, slowBody: { chunks: Array.from({ length: 100 }, () => 'x'), intervalMs: 100 } });
    const timeoutMs = 700;

    const result = await sender.post(request(`${receiver.url}/dribble`, { timeoutMs }));

    expect(result).toMatchObject({ kind: 'error', error: 'timeout' });
    expect(receiver.requests).toHaveLength(1);
    expect(result.durationMs).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(result.durationMs).toBeLessThan(10_000); // one deadline for the whole body, not per piece
  });

  it('keeps each deadline of the same length to its own start while others are pending', async () => {
    // Three hanging requests started 300 ms apart share one deadline length (and one timer).
    receiver.enqueue({ status: 200, delayMs: 5_000 }, { status: 200, delayMs: 5_000 }, { status: 200, delayMs: 5_000 });
    const timeoutMs = 600;
    const started = performance.now();
    const endedAt: number[] = [];
    const send = async (waitMs: number) => {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const result = await sender.post(request(`${receiver.url}/hang`, { timeoutMs }));
      endedAt[waitMs / 300] = performance.now() - started;
      return result;
    };

    const results = await Promise.all([send(0), send(300), send(600)]);

    for (const result of results) expect(result).toMatchObject({ kind: 'error', error: 'timeout' });
    for (const [i, ended] of endedAt.entries()) {
      expect(ended).toBeGreaterThanOrEqual(i * 300 + timeoutMs - 50);
      expect(ended).toBeLessThan(i * 300 + timeoutMs + 400);
    }
  });

  it('decodes a character split across body chunks, and one arriving whole', async () => {
    const euro = Buffer.from('€');
    receiver.enqueue(
      { status: 200, slowBody: { chunks: [Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]), euro.subarray(2), 'b'], intervalMs: 20 } },
      { status: 200, slowBody: { chunks: ['a€', '€b'], intervalMs: 20 } },
    );

    const split = await sender.post(request(`${receiver.url}/split`));
    const whole = await sender.post(request(`${receiver.url}/whole`));

    expect(split).toMatchObject({ kind: 'response', bodyExcerpt: 'a€b' });
    expect(whole).toMatchObject({ kind: 'response', bodyExcerpt: 'a€€b' });
  });

  it('reports a refused connection as a connection error', async () => {
    const port = await closedPort();

    const result = await sender.post(request(`http://127.0.0.1:${port}/in`));

    expect(result).toMatchObject({ kind: 'error', error: 'connection', message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('reports a connection reset before any response as a connection error', async () => {
    const resetter = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = resetter.address() as AddressInfo;

      const result = await sender.post(request(`http://127.0.0.1:${port}/in`));

      expect(result).toMatchObject({ kind: 'error', error: 'connection' });
    } finally {
      resetter.closeAllConnections();
      await new Promise<void>((resolve) => resetter.close(() => resolve()));
    }
  });

  it('resolves (never throws) when undici refuses the request, and sends nothing', async () => {
    const result = await sender.post(request(`${receiver.url}/in`, { headers: { 'x-bad': 'line\r\nbreak' } }));

    expect(result).toMatchObject({ kind: 'error', error: 'connection' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('reuses kept-alive sockets: 20 sequential requests use at most 2 connections', async () => {
    for (let i = 0; i < 20; i += 1) {
      const result = await sender.post(request(`${receiver.url}/in/${i}`));
      expect(result).toMatchObject({ kind: 'response', statusCode: 200 });
    }

    expect(receiver.requests).toHaveLength(20);
    expect(receiver.connectionCount).toBeLessThanOrEqual(2);
  });
});

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
