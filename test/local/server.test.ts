import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HookpostError } from '#shared/core/platform/errors.ts';
import { type ApiServer, type ApiServerOptions, startApiServer } from '#shared/local/server.ts';

interface Echoed {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body's bytes in base64, exactly as the app got them. */
  body: string;
}

const echo = async (request: Request): Promise<Response> => {
  const echoed: Echoed = {
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(request.headers),
    body: Buffer.from(await request.arrayBuffer()).toString('base64'),
  };
  return Response.json({ request: echoed }, { headers: { 'x-echo': 'yes' } });
};

let server: ApiServer | undefined;

async function start(options: Partial<ApiServerOptions> = {}): Promise<ApiServer> {
  server = await startApiServer({ port: 0, fetch: echo, ...options });
  return server;
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('startApiServer', () => {
  it('hands the app the request as sent: method, path, query, headers and body', async () => {
    // Arrange
    const { url } = await start();

    // Act
    const response = await fetch(`${url}/v1/tenants/acme/subscriptions?limit=5&cursor=a%2Bb&tag=x&tag=y`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1', Authorization: 'Bearer hp_x' },
      body: '{"hello":"wörld"}',
    });
    const body = (await response.json()) as { request: Echoed };

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(body.request.method).toBe('POST');
    expect(new URL(body.request.url).pathname + new URL(body.request.url).search).toBe('/v1/tenants/acme/subscriptions?limit=5&cursor=a%2Bb&tag=x&tag=y');
    expect(Buffer.from(body.request.body, 'base64').toString('utf8')).toBe('{"hello":"wörld"}');
    expect(body.request.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'k-1',
      authorization: 'Bearer hp_x',
    });
  });

  it('hands a content-encoded body over as its bytes for the app to inflate', async () => {
    const { url } = await start();
    const gzipped = gzipSync('{"type":"user.created"}');

    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipped,
    });
    const { request } = (await response.json()) as { request: Echoed };

    expect(Buffer.from(request.body, 'base64').equals(gzipped)).toBe(true);
  });

  it('answers 413 in the documented error shape when the body is over the cap, without calling the handler', async () => {
    const app = vi.fn(echo);
    const { url } = await start({ fetch: app, maxBodyBytes: 1024 });

    const response = await fetch(`${url}/v1/events`, { method: 'POST', body: 'x'.repeat(1025) });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'payload_too_large', message: expect.any(String), details: [] },
    });
    expect(app).not.toHaveBeenCalled();
  });

  it('accepts a body exactly at the cap', async () => {
    const { url } = await start({ maxBodyBytes: 1024 });

    const response = await fetch(`${url}/v1/events`, { method: 'POST', body: 'x'.repeat(1024) });

    expect(response.status).toBe(200);
  });

  it('turns an unexpected app error into a 500 that reveals nothing', async () => {
    const { url } = await start({
      fetch: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:8000 secret=abc');
      },
    });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await fetch(`${url}/v1/events`);
    const text = await response.text();
    consoleError.mockRestore();

    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal error', details: [] } });
    expect(text).not.toContain('secret');
  });

  it('maps a typed HookpostError to its status and code', async () => {
    const { url } = await start({
      fetch: async () => {
        throw new HookpostError('validation_failed', 'bad', [{ path: 'type', message: 'unknown' }]);
      },
    });

    const response = await fetch(`${url}/v1/events`);

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: { code: 'validation_failed', message: 'bad', details: [{ path: 'type', message: 'unknown' }] },
    });
  });

  it('answers 500 in the error shape when the app throws something untyped', async () => {
    const { url } = await start({
      fetch: async () => {
        throw new Error('table not reachable');
      },
    });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await fetch(`${url}/v1/events`, { headers: { authorization: 'Bearer k' } });
    consoleError.mockRestore();

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: 'internal_error' } });
  });

  it('listens on 127.0.0.1 and stop() returns promptly despite an idle keep-alive connection', async () => {
    const started = await start();
    await (await fetch(`${started.url}/v1/health`)).text(); // leaves a pooled keep-alive socket

    // The grace timer that would end every connection is frozen (fake timers while stop() arms it),
    // so stop() can only finish by dropping the idle socket at once — no clock bound needed.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let stopped: Promise<void>;
    try {
      stopped = started.stop();
    } finally {
      vi.useRealTimers();
    }
    // An idle socket the server keeps would close only on a keep-alive timer (seconds); one dropped
    // at once is closed within a few turns of the event loop. Count turns, not milliseconds.
    let done = false;
    void stopped.then(() => (done = true));
    for (let turn = 0; turn < 50 && !done; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    const outcome = done ? 'stopped' : 'still open';

    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(outcome).toBe('stopped');
    await expect(fetch(`${started.url}/v1/health`)).rejects.toThrow();
  });
});
