import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers with the next status from `statuses` (then 200). */
async function startReceiver(): Promise<{ url: string; received: Received[]; statuses: number[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    statuses,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function eventually(assertion: () => void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('local stack delivery (API → fauxqs → poller → consumer → receiver)', () => {
  let stack: LocalStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), retryScheduleSeconds: [1, 1] });
    const created = await api('POST', '/v1/event-types', { type: 'user.created', description: 'A user signed up', example: { id: 'u_0' } });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  it('delivers a published event to a loopback receiver with a Standard Webhooks signature', async () => {
    // Arrange
    const subscription = await api('POST', '/v1/tenants/acme/subscriptions', { url: `${receiver.url}/signed`, eventTypes: ['user.*'] });
    expect(subscription.status).toBe(201);

    // Act
    const published = await api('POST', '/v1/events', { type: 'user.created', tenant: 'acme', data: { id: 'u_1' } });

    // Assert
    expect(published.status).toBe(202);
    await eventually(() => expect(receiver.received.filter((r) => r.path === '/signed')).toHaveLength(1));
    const [delivery] = receiver.received.filter((r) => r.path === '/signed');
    expect(delivery?.headers['webhook-id']).toBe(published.body.id);
    const verified = new Webhook(String(subscription.body.secret)).verify(delivery?.body ?? '', {
      'webhook-id': String(delivery?.headers['webhook-id']),
      'webhook-timestamp': String(delivery?.headers['webhook-timestamp']),
      'webhook-signature': String(delivery?.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'user.created', data: { id: 'u_1' } });
  });

  it('retries a failed delivery on the configured schedule with the same webhook-id', async () => {
    // Arrange
    const subscription = await api('POST', '/v1/tenants/flaky/subscriptions', { url: `${receiver.url}/flaky`, eventTypes: ['*'] });
    expect(subscription.status).toBe(201);
    receiver.statuses.push(503);

    // Act
    const published = await api('POST', '/v1/events', { type: 'user.created', tenant: 'flaky', data: { id: 'u_2' } });

    // Assert
    await eventually(() => expect(receiver.received.filter((r) => r.path === '/flaky')).toHaveLength(2));
    const ids = receiver.received.filter((r) => r.path === '/flaky').map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([published.body.id, published.body.id]);
  });
});
