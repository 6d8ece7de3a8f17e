/**
 * `npm run smoke -- --url <ApiUrl> --key <admin key> [--receiver-url <receiver>] [--timeout <s>]`:
 * checks a running Hookpost end to end and removes everything it created, then prints a pass/fail
 * table with timings and exits 1 if any step failed (2 on bad arguments).
 *
 * What it does, in a tenant and under an event type of its own (`smoke-<run>`, `smoke.<run>.ping`):
 * publishes with a temporary publish key and verifies the signed delivery with the public
 * `standardwebhooks` library; has a second endpoint answer 500 with its own retry schedule (`[2]`: one
 * retry after about 2 s), sees the retry in the attempt log and the delivery dead-lettered (in `GET
 * /v1/dead-letters`, or as the `hookpost.message.exhausted` operational event to a temporary
 * `_operations` endpoint filtered to it, whichever shows it first); reads attempts and stats, rotates
 * the secret and verifies a delivery with the new one, opens a portal link; then deletes the
 * endpoints, the event type and the key, and checks that none of them is listed any more.
 *
 * The receiver: against an API on 127.0.0.1/localhost the script serves one itself on 127.0.0.1 (local
 * mode allows private targets). A deployed stack needs one it can reach: deploy with
 * `-c smokeReceiver=true` and pass its `SmokeReceiverUrl` output, or any public receiver that follows
 * the read-back contract in functions/smoke-receiver.ts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import {
  FAILING_LABEL,
  handleReceiverRequest,
  MemoryReceiverStore,
  newReceiverToken,
  type ReceivedRequest,
} from '../functions/smoke-receiver.ts';

const USAGE = `Usage: npm run smoke -- --url <ApiUrl> --key <admin key> [--receiver-url <url>] [--timeout <seconds>]

  --url           the Hookpost API (the stack's ApiUrl output, or http://127.0.0.1:3000 for npm run dev)
  --key           an admin API key
  --receiver-url  a receiver the stack can reach (the SmokeReceiverUrl output of a stack deployed with
                  -c smokeReceiver=true). Without it the script serves one on 127.0.0.1, which only a
                  local stack (npm run dev) can reach
  --timeout       seconds to wait for each delivery, retry or dead letter (default 60)`;

/** The failing endpoint's own schedule: one retry about 2 s after the first attempt, then the DLQ. */
const FAILING_SCHEDULE = [2];
const REQUEST_TIMEOUT_MS = 30_000;
const POLL_MS = 500;

// --- arguments -----------------------------------------------------------------------------------

interface Options {
  url: string;
  key: string;
  receiverUrl?: string;
  timeoutMs: number;
}

function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function readOptions(): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        'receiver-url': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const url = typeof values.url === 'string' ? values.url.replace(/\/+$/, '') : '';
  const key = typeof values.key === 'string' ? values.key : '';
  if (!/^https?:\/\/[^\s/]+/.test(url)) usageError('--url must be the API base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com');
  if (!key) usageError('--key is required (an admin API key)');
  const receiverUrl = typeof values['receiver-url'] === 'string' ? values['receiver-url'].replace(/\/+$/, '') : undefined;
  if (receiverUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(receiverUrl)) usageError('--receiver-url must be an http(s) URL');
  if (receiverUrl === undefined && !isLoopback(url)) {
    usageError(
      `${url} is not on this machine, so it cannot reach a receiver on 127.0.0.1: pass --receiver-url (the SmokeReceiverUrl output of a stack deployed with -c smokeReceiver=true)`,
    );
  }
  const timeoutSeconds = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) usageError('--timeout must be a positive number of seconds');
  return { url, key, receiverUrl, timeoutMs: timeoutSeconds * 1000 };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

// --- HTTP ----------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** Ctrl-C: the step under way stops waiting, and the clean-up still runs. */
const interrupted = new AbortController();

/** `interruptible: false` for the clean-up, which runs after a Ctrl-C too. */
async function call(url: string, init: { method?: string; key?: string; body?: unknown; interruptible?: boolean } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: init.interruptible === false ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), interrupted.signal]),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** The answer, or an error naming the request and what came back instead of `expected`. */
function expectStatus(answer: Answer, expected: number, what: string): Answer {
  if (answer.status !== expected) throw new Error(`${what}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (interrupted.signal.aborted) return reject(new Error('interrupted'));
    const timer = setTimeout(resolve, ms);
    interrupted.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('interrupted'));
    });
  });
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with `what` and the last state. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, lastState?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastState ? ` (${lastState()})` : ''}`);
    await sleep(POLL_MS);
  }
}

// --- the receiver --------------------------------------------------------------------------------

interface Receiver {
  /** Where Hookpost posts: `<base>/<token>/<label>`. */
  urlFor(label: string): string;
  received(): Promise<ReceivedRequest[]>;
  describe: string;
  close(): Promise<void>;
}

async function localReceiver(token: string): Promise<Receiver> {
  const store = new MemoryReceiverStore();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
      const path = new URL(req.url ?? '/', 'http://receiver').pathname;
      handleReceiverRequest({ method: req.method ?? 'GET', path, headers, body: Buffer.concat(chunks).toString('utf8') }, store).then(
        (answer) => res.writeHead(answer.statusCode, answer.headers).end(answer.body),
        () => res.writeHead(500).end(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urlFor: (label) => `${base}/${token}/${label}`,
    received: () => store.list(token),
    describe: `served on ${base} by this script`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function remoteReceiver(base: string, token: string): Receiver {
  return {
    urlFor: (label) => `${base}/${token}/${label}`,
    async received() {
      const answer = expectStatus(await call(`${base}/${token}`), 200, `GET ${base}/<token>`);
      const requests = (answer.body as { requests?: unknown })?.requests;
      if (!Array.isArray(requests)) throw new Error(`GET ${base}/<token> did not answer {"requests":[…]}: ${answer.text.slice(0, 200)}`);
      return requests as ReceivedRequest[];
    },
    describe: base,
    close: async () => {},
  };
}

// --- the table -----------------------------------------------------------------------------------

type Result = 'PASS' | 'FAIL' | 'SKIP';
interface Row {
  step: string;
  result: Result;
  ms: number;
  detail: string;
}

const rows: Row[] = [];

class Skipped extends Error {}

/** Runs one step and records its row: PASS with what it returned, FAIL with why, SKIP when an earlier step it needs failed. */
async function step(name: string, run: () => Promise<string>): Promise<boolean> {
  const started = performance.now();
  let result: Result = 'PASS';
  let detail: string;
  try {
    if (interrupted.signal.aborted && name !== 'cleanup') throw new Skipped('skipped: interrupted (Ctrl-C)');
    detail = await run();
  } catch (error) {
    result = error instanceof Skipped ? 'SKIP' : 'FAIL';
    detail = error instanceof Error ? error.message : String(error);
  }
  const row = { step: name, result, ms: Math.round(performance.now() - started), detail };
  rows.push(row);
  console.log(`  ${row.result} ${row.step} (${row.ms} ms)`);
  return result === 'PASS';
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Skipped(`skipped: needs ${what}`);
  return value;
}

function printTable(target: string): void {
  const width = Math.max(...rows.map((r) => r.step.length), 4);
  const lines = rows.map((r) => `${r.step.padEnd(width)}  ${r.result.padEnd(6)}  ${`${r.ms} ms`.padStart(9)}  ${r.detail.replace(/\s+/g, ' ')}`);
  console.log(`\nHookpost smoke test of ${target}\n`);
  console.log(`${'step'.padEnd(width)}  result  ${'time'.padStart(9)}  detail`);
  for (const line of lines) console.log(line);
  const failed = rows.filter((r) => r.result !== 'PASS');
  console.log(
    failed.length === 0
      ? `\nsmoke: all ${rows.length} steps passed`
      : `\nsmoke: FAILED: ${failed.map((r) => `${r.step} (${r.result.toLowerCase()})`).join(', ')}`,
  );
}

// --- the run -------------------------------------------------------------------------------------

interface Endpoint {
  tenant: string;
  id: string;
  secret: string;
}

interface Created {
  eventType?: string;
  apiKeyId?: string;
  endpoints: Endpoint[];
}

function verified(request: ReceivedRequest, secret: string): { type?: string; data?: Record<string, unknown> } {
  return new Webhook(secret).verify(request.body, request.headers) as { type?: string; data?: Record<string, unknown> };
}

const signaturesIn = (request: ReceivedRequest) => (request.headers['webhook-signature'] ?? '').split(' ').filter(Boolean).length;

async function main(): Promise<number> {
  const options = readOptions();
  const { url: api, key, timeoutMs } = options;
  const run = randomBytes(5).toString('hex');
  const tenant = `smoke-${run}`;
  const type = `smoke.${run}.ping`;
  const created: Created = { endpoints: [] };
  const token = newReceiverToken();
  const admin = { key };
  const t = (path: string) => `${api}/v1/tenants/${encodeURIComponent(tenant)}${path}`;

  let receiver: Receiver | undefined;
  let publishKey: string | undefined;
  let ok: Endpoint | undefined;
  let failing: Endpoint | undefined;
  let operations: Endpoint | undefined;
  let okMessage: string | undefined;
  let failedMessage: string | undefined;
  let isAdmin = false;

  process.once('SIGINT', () => interrupted.abort());
  console.log(`Hookpost smoke test of ${api} (run ${run})`);

  const received = async (label: string, messageId?: string) =>
    (await need(receiver, 'the receiver').received()).filter((r) => r.label === label && (messageId === undefined || r.headers['webhook-id'] === messageId));

  const publish = async (data: Record<string, unknown>) => {
    const answer = expectStatus(
      await call(`${api}/v1/events`, { method: 'POST', key: need(publishKey, 'the publish key'), body: { type, tenant, data } }),
      202,
      'POST /v1/events',
    );
    return String((answer.body as { id?: unknown }).id);
  };

  const createEndpoint = async (forTenant: string, body: Record<string, unknown>): Promise<Endpoint> => {
    const answer = expectStatus(
      await call(`${api}/v1/tenants/${encodeURIComponent(forTenant)}/subscriptions`, { method: 'POST', ...admin, body }),
      201,
      `POST /v1/tenants/${forTenant}/subscriptions`,
    );
    const { id, secret } = answer.body as { id: string; secret: string };
    const endpoint = { tenant: forTenant, id, secret };
    created.endpoints.push(endpoint);
    return endpoint;
  };

  const attemptsOf = async (endpoint: Endpoint, messageId: string) => {
    const answer = expectStatus(
      await call(`${api}/v1/tenants/${encodeURIComponent(endpoint.tenant)}/subscriptions/${endpoint.id}/attempts?limit=100`, admin),
      200,
      'GET …/attempts',
    );
    const items = (answer.body as { items: { messageId: string; attemptNumber: number; status: string; statusCode?: number }[] }).items;
    return items.filter((a) => a.messageId === messageId).sort((a, b) => a.attemptNumber - b.attemptNumber);
  };

  try {
    await step('health', async () => {
      const answer = expectStatus(await call(`${api}/v1/health`), 200, 'GET /v1/health');
      return `GET /v1/health: ${answer.text}`;
    });

    await step('auth', async () => {
      const answer = await call(`${api}/v1/me`, admin);
      if (answer.status === 401) throw new Error('the key was refused (401): pass an admin key');
      expectStatus(answer, 200, 'GET /v1/me');
      const scope = (answer.body as { scope?: string }).scope;
      if (scope !== 'admin') throw new Error(`the key's scope is ${scope}; the smoke test needs an admin key`);
      isAdmin = true;
      return 'admin key accepted (GET /v1/me)';
    });

    await step('receiver', async () => {
      if (!isAdmin) throw new Skipped('skipped: needs an admin key');
      receiver = options.receiverUrl ? remoteReceiver(options.receiverUrl, token) : await localReceiver(token);
      const before = await receiver.received();
      if (before.length !== 0) throw new Error(`a fresh token already has ${before.length} requests`);
      return `${receiver.describe}; read-back answers`;
    });

    await step('event-type', async () => {
      need(receiver, 'the receiver');
      expectStatus(
        await call(`${api}/v1/event-types`, {
          method: 'POST',
          ...admin,
          body: {
            type,
            description: 'Temporary event type of `npm run smoke`; deleted when it ends',
            schema: { type: 'object', required: ['run', 'target'], properties: { run: { const: run }, target: { enum: ['ok', 'fail'] } } },
            example: { run, target: 'ok' },
          },
        }),
        201,
        'POST /v1/event-types',
      );
      created.eventType = type;
      return `created ${type}`;
    });

    await step('api-key', async () => {
      need(created.eventType, 'the event type');
      const answer = expectStatus(
        await call(`${api}/v1/api-keys`, { method: 'POST', ...admin, body: { name: `smoke ${run}`, scope: 'publish' } }),
        201,
        'POST /v1/api-keys',
      );
      const body = answer.body as { id: string; key: string };
      created.apiKeyId = body.id;
      publishKey = body.key;
      return `publish key ${body.id}`;
    });

    await step('endpoints', async () => {
      const target = need(receiver, 'the receiver');
      need(created.eventType, 'the event type');
      // All three exist before the first publish: a consumer caches a tenant's endpoints for a few seconds.
      failing = await createEndpoint(tenant, {
        url: target.urlFor(FAILING_LABEL),
        eventTypes: [type],
        description: 'npm run smoke: answers 500',
        filter: { data: { target: 'fail' } },
        retrySchedule: FAILING_SCHEDULE,
      });
      operations = await createEndpoint('_operations', {
        url: target.urlFor('ops'),
        eventTypes: ['hookpost.message.exhausted'],
        description: `npm run smoke ${run}: the failing endpoint's dead letter`,
        filter: { data: { subscriptionId: failing.id } },
      });
      ok = await createEndpoint(tenant, {
        url: target.urlFor('ok'),
        eventTypes: [type],
        description: 'npm run smoke: answers 200',
        filter: { data: { target: 'ok' } },
      });
      return `tenant ${tenant}: ${ok.id} (answers 200), ${failing.id} (answers 500, retrySchedule [${FAILING_SCHEDULE}]); _operations: ${operations.id}`;
    });

    await step('delivery', async () => {
      const endpoint = need(ok, 'the endpoints');
      okMessage = await publish({ run, target: 'ok' });
      const published = Date.now();
      const [request] = await waitFor(`the delivery of ${okMessage}`, timeoutMs, async () => {
        const found = await received('ok', okMessage);
        return found.length > 0 ? found : undefined;
      });
      const arrivedMs = Date.now() - published;
      const payload = verified(need(request, 'a delivery'), endpoint.secret);
      if (payload.type !== type || payload.data?.run !== run) throw new Error(`verified, but the body is not the event published: ${request?.body.slice(0, 200)}`);
      return `${okMessage} arrived after ~${arrivedMs} ms; signature verified with standardwebhooks`;
    });

    await step('retry', async () => {
      const endpoint = need(failing, 'the endpoints');
      need(publishKey, 'the publish key');
      failedMessage = await publish({ run, target: 'fail' });
      const id = failedMessage;
      const requests = await waitFor(`two attempts of ${id} at the failing endpoint`, timeoutMs, async () => {
        const found = await received(FAILING_LABEL, id);
        return found.length >= 2 ? found : undefined;
      });
      for (const request of requests) verified(request, endpoint.secret);
      const attempts = await waitFor(`attempts 1 and 2 of ${id} in the attempt log`, timeoutMs, async () => {
        const found = await attemptsOf(endpoint, id);
        return found.some((a) => a.attemptNumber === 2) ? found : undefined;
      });
      // At least once: an attempt may be logged twice, so look for both numbers rather than exactly two entries.
      const wrong = attempts.filter((a) => a.status !== 'failed' || a.statusCode !== 500);
      const numbers = new Set(attempts.map((a) => a.attemptNumber));
      if (wrong.length > 0 || !numbers.has(1) || !numbers.has(2)) {
        throw new Error(`unexpected attempt log: ${JSON.stringify(attempts)}`);
      }
      const gap = (Date.parse(requests[1]?.receivedAt ?? '') - Date.parse(requests[0]?.receivedAt ?? '')) / 1000;
      return `${id}: attempt 1 and its retry (attempt 2, ${gap.toFixed(1)} s later) both answered 500 and are in the attempt log`;
    });

    await step('dead-letter', async () => {
      const endpoint = need(failing, 'the retry');
      const ops = need(operations, 'the endpoints');
      const id = need(failedMessage, 'the retry');
      let peeked = 0;
      let inQueue = 0;
      const evidence = await waitFor(
        `${id} dead-lettered`,
        timeoutMs,
        async () => {
          const answer = expectStatus(await call(`${api}/v1/dead-letters?limit=10`, admin), 200, 'GET /v1/dead-letters');
          const { items, approximateCount } = answer.body as { approximateCount: number; items: { reason?: string; message?: { subscriptionId?: string; message?: { id?: string } } }[] };
          peeked = items.length;
          inQueue = approximateCount;
          const letter = items.find((item) => item.message?.message?.id === id && item.message.subscriptionId === endpoint.id);
          if (letter) return `in GET /v1/dead-letters ("${letter.reason}")`;
          const [notice] = (await received('ops')).filter((r) => r.body.includes(id));
          if (notice) {
            const data = verified(notice, ops.secret).data ?? {};
            if (data.messageId !== id || data.attempts !== 2) throw new Error(`unexpected hookpost.message.exhausted: ${notice.body.slice(0, 300)}`);
            return `hookpost.message.exhausted received (attempts 2, "${String(data.reason)}"); GET /v1/dead-letters answers (${inQueue} letters)`;
          }
          return undefined;
        },
        () => `GET /v1/dead-letters showed ${peeked} of about ${inQueue} letters, none of them this one; no hookpost.message.exhausted for it`,
      );
      return `${id}: ${evidence}`;
    });

    await step('attempt-log', async () => {
      const endpoint = need(ok, 'the delivery');
      const id = need(okMessage, 'the delivery');
      const attempts = await attemptsOf(endpoint, id);
      const first = attempts.find((a) => a.attemptNumber === 1);
      if (first?.status !== 'succeeded' || first.statusCode !== 200 || attempts.some((a) => a.status !== 'succeeded')) {
        throw new Error(`expected attempt 1 of ${id} to have succeeded (200), got ${JSON.stringify(attempts)}`);
      }
      return `${id}: attempt 1 succeeded (200)`;
    });

    await step('stats', async () => {
      const good = need(ok, 'the delivery');
      const bad = need(failing, 'the retry');
      need(failedMessage, 'the retry');
      const stats = async (endpoint: Endpoint) =>
        expectStatus(await call(t(`/subscriptions/${endpoint.id}/stats`), admin), 200, 'GET …/stats').body as { attempts: number; succeeded: number; failed: number };
      const [okStats, failStats] = [await stats(good), await stats(bad)];
      if (okStats.succeeded < 1 || failStats.failed < 2 || failStats.succeeded !== 0) {
        throw new Error(`stats do not match the attempts: ok ${JSON.stringify(okStats)}, failing ${JSON.stringify(failStats)}`);
      }
      return `ok: ${okStats.succeeded}/${okStats.attempts} succeeded; failing: ${failStats.failed}/${failStats.attempts} failed`;
    });

    await step('rotate-secret', async () => {
      const endpoint = need(ok, 'the delivery');
      need(okMessage, 'the delivery');
      const answer = expectStatus(await call(t(`/subscriptions/${endpoint.id}/rotate-secret`), { method: 'POST', ...admin }), 200, 'POST …/rotate-secret');
      const secret = String((answer.body as { secret?: unknown }).secret);
      if (!secret.startsWith('whsec_') || secret === endpoint.secret) throw new Error(`rotation answered no new secret: ${answer.text.slice(0, 100)}`);
      const old = endpoint.secret;
      endpoint.secret = secret;
      // Consumers see the rotation within their subscription cache (5 s by default): publish until a delivery carries the new secret's signature.
      const deadline = Date.now() + timeoutMs;
      for (let publishes = 1; ; publishes += 1) {
        const id = await publish({ run, target: 'ok' });
        const [request] = await waitFor(`the delivery of ${id}`, timeoutMs, async () => {
          const found = await received('ok', id);
          return found.length > 0 ? found : undefined;
        });
        const delivery = need(request, 'a delivery');
        const verifiesWith = (candidate: string) => {
          try {
            verified(delivery, candidate);
            return true;
          } catch {
            return false;
          }
        };
        if (verifiesWith(secret)) {
          verified(delivery, old); // the previous secret keeps signing for 24 h
          return `new secret; ${id} verified with it (and with the previous one, ${signaturesIn(delivery)} signatures) after ${publishes} publish(es)`;
        }
        // Signed with the previous secret only: a consumer has not seen the rotation yet. Anything else is broken.
        verified(delivery, old);
        if (Date.now() > deadline) throw new Error(`deliveries still do not verify with the new secret after ${publishes} publishes`);
        await sleep(1000);
      }
    });

    await step('portal', async () => {
      need(ok, 'the endpoints');
      const session = expectStatus(await call(t('/portal-sessions'), { method: 'POST', ...admin, body: {} }), 201, 'POST …/portal-sessions');
      const { url, token: portalToken } = session.body as { url: string; token: string };
      const page = await call(url);
      if (page.status !== 200) throw new Error(`GET ${url.split('#')[0]}: expected 200, got ${page.status}`);
      const me = expectStatus(await call(`${api}/v1/me`, { key: portalToken }), 200, 'GET /v1/me with the portal token');
      const principal = me.body as { scope?: string; tenant?: string };
      if (principal.scope !== 'tenant' || principal.tenant !== tenant) throw new Error(`the portal token stands for ${JSON.stringify(principal)}, not tenant ${tenant}`);
      const listed = expectStatus(await call(t('/subscriptions'), { key: portalToken }), 200, 'GET …/subscriptions with the portal token');
      const count = (listed.body as { items: unknown[] }).items.length;
      if (count !== 2) throw new Error(`the portal lists ${count} endpoints, expected 2`);
      return `portal page answers 200; its token is tenant ${tenant} and lists its ${count} endpoints`;
    });
  } finally {
    await step('cleanup', async () => {
      const problems: string[] = [];
      const removed: string[] = [];
      const remove = async (url: string, what: string) => {
        try {
          const answer = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          if (answer.status === 204 || answer.status === 404) removed.push(what);
          else problems.push(`DELETE ${what}: ${answer.status}`);
        } catch (error) {
          problems.push(`DELETE ${what}: ${(error as Error).message}`);
        }
      };
      for (const endpoint of created.endpoints) {
        await remove(`${api}/v1/tenants/${encodeURIComponent(endpoint.tenant)}/subscriptions/${endpoint.id}`, `endpoint ${endpoint.id}`);
      }
      if (created.eventType) await remove(`${api}/v1/event-types/${encodeURIComponent(created.eventType)}`, `event type ${created.eventType}`);
      if (created.apiKeyId) await remove(`${api}/v1/api-keys/${created.apiKeyId}`, `API key ${created.apiKeyId}`);
      await receiver?.close();
      if (problems.length > 0) throw new Error(problems.join('; '));
      if (removed.length === 0) return 'nothing was created';
      problems.push(...(await leftovers(api, key, created, tenant)));
      if (problems.length > 0) throw new Error(`still there after deleting: ${problems.join('; ')}`);
      return `deleted ${removed.join(', ')}; none listed any more (attempts and kept messages expire with their TTL, a dead letter stays in the DLQ)`;
    });
  }

  printTable(api);
  return rows.every((r) => r.result === 'PASS') ? 0 : 1;
}

/** What the API still lists of what this run created (re-read after the deletes, without any cache in the way). */
async function leftovers(api: string, key: string, created: Created, tenant: string): Promise<string[]> {
  const found: string[] = [];
  const get = (path: string) => call(`${api}${path}`, { key, interruptible: false });
  const all = async (path: string) => {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const answer = expectStatus(await get(`${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), 200, `GET ${path}`);
      const page = answer.body as { items: Record<string, unknown>[]; nextCursor?: string };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  if (created.eventType && (await get(`/v1/event-types/${encodeURIComponent(created.eventType)}`)).status !== 404) found.push(`event type ${created.eventType}`);
  for (const endpoint of created.endpoints) {
    const listed = await all(`/v1/tenants/${encodeURIComponent(endpoint.tenant)}/subscriptions`);
    if (listed.some((s) => s.id === endpoint.id)) found.push(`endpoint ${endpoint.id}`);
  }
  if ((await all('/v1/tenants')).some((t) => t.tenant === tenant)) found.push(`tenant ${tenant} in GET /v1/tenants`);
  if (created.apiKeyId && (await all('/v1/api-keys')).some((k) => k.id === created.apiKeyId)) found.push(`API key ${created.apiKeyId}`);
  return found;
}

process.exitCode = await main();
