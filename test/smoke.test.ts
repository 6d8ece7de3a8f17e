/**
 * `npm run smoke` (scripts/smoke.ts) against `npm run dev`, both started as child processes the way a
 * user runs them: it passes every step and leaves nothing behind; it fails, naming the step, with a
 * wrong key or a receiver whose deliveries do not verify, and still cleans up. Also the deployed
 * receiver's Lambda handler (functions/smoke-receiver.ts) against DynamoDB Local.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoDbClient, LOCAL_REGION } from '#shared/adapters/aws/clients.ts';
import { freePort } from '#shared/local/free-port.ts';
import {
  handler,
  handleReceiverRequest,
  MemoryReceiverStore,
  newReceiverToken,
  RECEIVER_ENV,
  type ReceivedRequest,
} from '../functions/smoke-receiver.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const ADMIN_KEY = `hp_smoke_test_${Date.now()}`;
const STEPS = [
  'health',
  'auth',
  'receiver',
  'event-type',
  'api-key',
  'endpoints',
  'delivery',
  'retry',
  'dead-letter',
  'attempt-log',
  'stats',
  'rotate-secret',
  'portal',
  'cleanup',
];

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** `npm run <script> -- args`, in its own process group so the whole tree (npm, node, Java) can be stopped. */
function npmRun(script: string, args: string[], env: Record<string, string> = {}): Run {
  // The dev server inherits this run's AWS call log, so test/iam also checks the calls the smoke's steps make.
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

async function stop(run: Run): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null || run.child.pid === undefined) return;
  const group = -run.child.pid;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  const killer = setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {}
  }, 15_000);
  await run.exited;
  clearTimeout(killer);
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = run.output().match(pattern);
    if (found) return found;
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern} in the output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The table's rows: step, result and detail of each line under the header. */
function tableRows(output: string): { step: string; result: string; detail: string }[] {
  const table = output.slice(output.indexOf('\nstep '));
  return [...table.matchAll(/^(\S+)\s+(PASS|FAIL|SKIP)\s+\d+ ms {2}(.*)$/gm)].map(([, step, result, detail]) => ({
    step: step ?? '',
    result: result ?? '',
    detail: detail ?? '',
  }));
}

let dev: Run;
let api: string;

async function admin(path: string): Promise<{ items: Record<string, unknown>[] }> {
  const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { items: Record<string, unknown>[] };
}

/** Everything of the kinds the smoke test creates, as the API lists it. */
async function inventory() {
  return {
    eventTypes: (await admin('/v1/event-types')).items.map((t) => t.type).filter((type) => String(type).startsWith('smoke.')),
    tenants: (await admin('/v1/tenants?limit=100')).items.map((t) => t.tenant),
    operationsEndpoints: (await admin('/v1/tenants/_operations/subscriptions?limit=100')).items.map((s) => s.id),
    apiKeys: (await admin('/v1/api-keys?limit=100')).items.map((k) => k.id),
  };
}

const nothing = { eventTypes: [], tenants: [], operationsEndpoints: [], apiKeys: [] };

/** A receiver that follows the read-back contract but hands back every body with a space added: nothing verifies. */
async function tamperingReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const store = new MemoryReceiverStore();
  const tampering = {
    record: (token: string, request: ReceivedRequest) => store.record(token, { ...request, body: `${request.body} ` }),
    list: (token: string) => store.list(token),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const path = (req.url ?? '/').replace(/^\/receiver/, '');
      void handleReceiverRequest({ method: req.method ?? 'GET', path, headers, body: Buffer.concat(chunks).toString('utf8') }, tampering).then((answer) =>
        res.writeHead(answer.statusCode, answer.headers).end(answer.body),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/receiver`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('npm run smoke against npm run dev', () => {
  beforeAll(async () => {
    dev = npmRun('dev', [], { PORT: String(await freePort()), HOOKPOST_ADMIN_KEY: ADMIN_KEY });
    [, api = ''] = await waitForOutput(dev, /API\s+(http:\/\/127\.0\.0\.1:\d+)/, 60_000);
  }, 90_000);

  afterAll(async () => {
    if (dev) await stop(dev);
  }, 30_000);

  it('passes every step, prints the table and leaves nothing it created', { timeout: 150_000 }, async () => {
    const smoke = npmRun('smoke', ['--url', api, '--key', ADMIN_KEY]);
    const [code] = await smoke.exited;

    const rows = tableRows(smoke.output());
    const story = `${smoke.output()}\n--- npm run dev, last lines:\n${dev.output().slice(-4000)}`;
    expect(rows.map((row) => row.step), story).toEqual(STEPS);
    expect(rows.filter((row) => row.result !== 'PASS'), story).toEqual([]);
    expect(smoke.output()).toContain('smoke: all 14 steps passed');
    expect(code).toBe(0);
    expect(rows.find((row) => row.step === 'delivery')?.detail).toContain('signature verified with standardwebhooks');
    expect(rows.find((row) => row.step === 'retry')?.detail).toMatch(/attempt 1 and its retry \(attempt 2, .*\) both answered 500/);
    expect(rows.find((row) => row.step === 'dead-letter')?.detail).toMatch(/GET \/v1\/dead-letters|hookpost\.message\.exhausted/);
    expect(await inventory()).toEqual(nothing);
  });

  it('fails the auth step with a key the API refuses, creates nothing and exits 1', { timeout: 60_000 }, async () => {
    const smoke = npmRun('smoke', ['--url', api, '--key', 'hp_not_a_key']);
    const [code] = await smoke.exited;

    const rows = tableRows(smoke.output());
    expect(code).toBe(1);
    expect(rows.find((row) => row.step === 'auth')).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('401') });
    expect(rows.filter((row) => row.result === 'PASS').map((row) => row.step)).toEqual(['health', 'cleanup']);
    expect(rows.find((row) => row.step === 'cleanup')?.detail).toBe('nothing was created');
    expect(smoke.output()).toMatch(/smoke: FAILED: auth \(fail\)/);
    expect(await inventory()).toEqual(nothing);
  });

  it('fails the delivery step when what the receiver got does not verify, and still deletes everything', { timeout: 150_000 }, async () => {
    const receiver = await tamperingReceiver();
    try {
      const smoke = npmRun('smoke', ['--url', api, '--key', ADMIN_KEY, '--receiver-url', receiver.url]);
      const [code] = await smoke.exited;

      const rows = tableRows(smoke.output());
      const story = `${smoke.output()}\n--- npm run dev, last lines:\n${dev.output().slice(-4000)}`;
      expect(code, story).toBe(1);
      expect(rows.find((row) => row.step === 'delivery'), story).toMatchObject({ result: 'FAIL', detail: expect.stringMatching(/signature/i) });
      expect(rows.find((row) => row.step === 'cleanup'), story).toMatchObject({ result: 'PASS' });
      expect(smoke.output()).toMatch(/smoke: FAILED: .*delivery \(fail\)/);
      expect(await inventory()).toEqual(nothing);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to run against a remote API without a receiver it can reach', { timeout: 30_000 }, async () => {
    const smoke = npmRun('smoke', ['--url', 'https://api.example.com', '--key', 'hp_x']);
    const [code] = await smoke.exited;

    expect(code).toBe(2);
    expect(smoke.output()).toContain('pass --receiver-url');
  });
});

describe('the deployed receiver (functions/smoke-receiver.ts handler) on DynamoDB Local', () => {
  const table = `smoke-receiver-${Date.now()}`;
  const event = (method: string, rawPath: string, body?: string, isBase64Encoded = false): LambdaFunctionURLEvent =>
    ({
      rawPath,
      headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json', 'Webhook-Timestamp': '1700000000' },
      body,
      isBase64Encoded,
      requestContext: { http: { method } },
    }) as unknown as LambdaFunctionURLEvent;

  beforeAll(async () => {
    const endpoint = inject('dynamoDbEndpoint');
    await dynamoDbClient(LOCAL_REGION, endpoint).send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // As the stack configures the function; the SDK reads the endpoint from the environment.
    Object.assign(process.env, {
      [RECEIVER_ENV.table]: table,
      [RECEIVER_ENV.ttlSeconds]: '3600',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });

  it('records POSTs by token, answers 500 for the failing label, and gives them back only for that token', async () => {
    const token = newReceiverToken();
    const other = newReceiverToken();

    const ok = await handler(event('POST', `/${token}/ok`, '{"type":"a","data":{"n":1}}'));
    const failing = await handler(event('POST', `/${token}/fail`, Buffer.from('{"x":"ë"}').toString('base64'), true));
    await handler(event('POST', `/${other}/ok`, '{}'));
    const read = await handler(event('GET', `/${token}`));
    const unknown = await handler(event('GET', `/${newReceiverToken()}`));
    const badPaths = await Promise.all([
      handler(event('GET', '/short')),
      handler(event('POST', `/${token}`)),
      handler(event('POST', `/${token}/Bad_Label`)),
      handler(event('GET', `/${token}/ok/extra`)),
    ]);

    expect([ok, failing].map((r) => typeof r === 'object' && r.statusCode)).toEqual([200, 500]);
    const readBack = typeof read === 'object' ? JSON.parse(String(read.body)) : undefined;
    expect(readBack.requests).toMatchObject([
      { label: 'ok', body: '{"type":"a","data":{"n":1}}', headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' } },
      { label: 'fail', body: '{"x":"ë"}' },
    ]);
    expect(typeof unknown === 'object' && JSON.parse(String(unknown.body))).toEqual({ requests: [] });
    expect(badPaths.map((r) => typeof r === 'object' && r.statusCode)).toEqual([404, 404, 404, 404]);
  });

  it('cuts a body past 64 KiB and says so', async () => {
    const token = newReceiverToken();
    const store = new MemoryReceiverStore();

    await handleReceiverRequest({ method: 'POST', path: `/${token}/ok`, headers: {}, body: 'x'.repeat(70_000) }, store);

    const [kept] = await store.list(token);
    expect(kept?.body).toHaveLength(64 * 1024);
    expect(kept?.truncated).toBe(true);
  });
});
