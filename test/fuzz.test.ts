/**
 * Property-based: arbitrary JSON at the API of one local stack (fauxqs + DynamoDB Local + a receiver on
 * 127.0.0.1). Published `data` is generated as JSON text — any nesting up to and past the depth limit,
 * any Unicode (astral, U+FFFE/U+FFFF, lone surrogate escapes), integers past 2^53 and numbers like 1e400
 * — and sent as written. Holds: no 5xx while the dependencies are up; every 2xx publish is delivered
 * with `data` identical to the published text; every refusal has the error shape and enqueues nothing.
 * Subscription create/PATCH get arbitrary header maps, event-type PUT arbitrary bodies: never a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_JSON_DEPTH } from '#shared/core/platform/json-text.ts';
import type { QueueMessage } from '#shared/core/platform/queue-message.ts';
import type { ApiCall } from './helpers/api.ts';
import { waitFor } from './helpers/api.ts';
import type { Receiver } from './helpers/receiver.ts';
import { type ApiTestContext, errorShape, startApiTest } from './api/setup.ts';

const NUM_RUNS = 40;

let t: ApiTestContext;
let receiver: Receiver;
/** Every event put on the queue (kind "event"), by message id. */
const queuedEvents = new Map<string, string>();

beforeAll(async () => {
  t = await startApiTest();
  expect((await t.admin('PUT', '/v1/event-types/fuzz.event', { description: 'fuzzed' })).status).toBe(201);
  receiver = await t.receiver();
  const sub = await t.admin('POST', '/v1/tenants/fuzz/subscriptions', { url: `${receiver.url}/hook`, eventTypes: ['fuzz.event'] });
  expect(sub.status).toBe(201);
  const { queue } = t.stack.runtime.ports;
  const record = (message: QueueMessage) => {
    if (message.kind === 'event') queuedEvents.set(message.message.id, message.message.dataJson);
  };
  const enqueue = queue.enqueue.bind(queue);
  const enqueueBatch = queue.enqueueBatch.bind(queue);
  vi.spyOn(queue, 'enqueue').mockImplementation(async (message, delay) => {
    record(message);
    return enqueue(message, delay);
  });
  vi.spyOn(queue, 'enqueueBatch').mockImplementation(async (messages) => {
    for (const message of messages) record(message);
    return enqueueBatch(messages);
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await t?.stop();
});

async function send(method: string, path: string, text: string): Promise<ApiCall> {
  const response = await fetch(`${t.stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json' },
    body: text,
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body: body ? JSON.parse(body) : undefined };
}

/** JSON text with its nesting depth (a scalar is 0, `[]` is 1). */
interface JsonText {
  text: string;
  depth: number;
}

const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\uFFFE\uFFFF', 'Zoë 😀', '𝄞', '\u2028\u2029', '\u0000\u001f\u007f', '"\\', '\ud800', '\udfff'),
);

const scalar: fc.Arbitrary<JsonText> = fc
  .oneof(
    anyString.map((s) => JSON.stringify(s)),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.constantFrom('0.1', '1e400', '-1e-400', '1.000', '-0', '12345678901234567890', '0.30000000000000000000001', 'true', 'false', 'null'),
  )
  .map((text) => ({ text, depth: 0 }));

const { value } = fc.letrec<{ value: JsonText }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({
      text: `[${items.map((i) => i.text).join(',')}]`,
      depth: 1 + Math.max(0, ...items.map((i) => i.depth)),
    })),
    fc.array(fc.tuple(anyString, tie('value')), { maxLength: 4 }).map((members) => ({
      text: `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v.text}`).join(',')}}`,
      depth: 1 + Math.max(0, ...members.map(([, v]) => v.depth)),
    })),
  ),
}));

/** An object (the only shape `data` may have), sometimes wrapped in arrays to near or past the limit. */
const data: fc.Arbitrary<JsonText> = fc
  .tuple(
    fc.array(fc.tuple(anyString, value), { maxLength: 5 }),
    fc.oneof(fc.constant(0), fc.integer({ min: MAX_JSON_DEPTH - 4, max: MAX_JSON_DEPTH + 4 }), fc.constant(3_000)),
    fc.constantFrom('', ' ', '\n\t'),
  )
  .map(([members, wrap, space]) => {
    const inner = members.map(([k, v]) => `${space}${JSON.stringify(k)}${space}:${space}${wrap > 0 ? `${'['.repeat(wrap)}${v.text}${']'.repeat(wrap)}` : v.text}`);
    const depth = 1 + Math.max(0, ...members.map(([, v]) => v.depth + wrap));
    return { text: `{${inner.join(',')}${space}}`, depth };
  });

const eventText = (d: JsonText) => `{"type":"fuzz.event","tenant":"fuzz","data":${d.text}}`;

/** The delivered body is `{"type":…,"timestamp":…,"data":<as published>}`. */
const deliveredData = (body: string) => body.slice(body.indexOf(',"data":') + ',"data":'.length, -1);

function expectRefusal(response: ApiCall): void {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.body).toMatchObject(errorShape);
}

/** Waits for every accepted message, then checks its delivered data is the published text. */
async function expectDelivered(accepted: Map<string, string>): Promise<void> {
  await waitFor(`${accepted.size} deliveries`, () => {
    const seen = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
    return [...accepted.keys()].every((id) => seen.has(id));
  }, 30_000);
  for (const [id, text] of accepted) {
    const request = receiver.requests.find((r) => r.headers['webhook-id'] === id);
    expect(deliveredData(request?.body ?? '')).toBe(text);
  }
}

describe('fuzzing the API with arbitrary JSON', () => {
  it('publish: 202 and delivered exactly, or a 4xx in the error shape with nothing queued', async () => {
    const accepted = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(data, async (d) => {
        const before = queuedEvents.size;
        const response = await send('POST', '/v1/events', eventText(d));
        if (response.status === 202) {
          expect(d.depth).toBeLessThanOrEqual(MAX_JSON_DEPTH);
          expect(queuedEvents.get(response.body.id)).toBe(d.text);
          accepted.set(response.body.id, d.text);
          return;
        }
        expectRefusal(response);
        if (d.depth > MAX_JSON_DEPTH) expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: 'data' }));
        expect(queuedEvents.size).toBe(before);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(accepted.size).toBeGreaterThan(NUM_RUNS / 4);
    await expectDelivered(accepted);
  }, 60_000);

  it('batch publish: 207, each accepted item delivered exactly, each refused one in the error shape and not queued', async () => {
    const accepted = new Map<string, string>();
    const item = fc.tuple(data, fc.constantFrom('fuzz.event', 'fuzz.unknown'));
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 5 }), async (items) => {
        const before = queuedEvents.size;
        const text = `{"events":[${items.map(([d, type]) => `{"type":"${type}","tenant":"fuzz","data":${d.text}}`).join(',')}]}`;
        const response = await send('POST', '/v1/events/batch', text);
        expect(response.status).toBe(207);
        let ok = 0;
        response.body.results.forEach((result: { id?: string; error?: unknown }, i: number) => {
          const [d, type] = items[i] as [JsonText, string];
          if (result.id) {
            ok += 1;
            expect(type).toBe('fuzz.event');
            expect(d.depth).toBeLessThanOrEqual(MAX_JSON_DEPTH);
            expect(queuedEvents.get(result.id)).toBe(d.text);
            accepted.set(result.id, d.text);
          } else {
            expect(result).toMatchObject(errorShape);
            expect((result.error as { code: string }).code).not.toMatch(/internal|unavailable/);
          }
        });
        expect(queuedEvents.size - before).toBe(ok);
      }),
      { numRuns: NUM_RUNS },
    );
    await expectDelivered(accepted);
  }, 60_000);

  it('subscription create and PATCH with arbitrary header maps: 2xx or a 4xx in the error shape', async () => {
    const headerName = fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('x-ok', 'X-Trace-Id', 'expect', 'te', 'proxy-x', 'webhook-id'));
    const headerValue = fc.oneof(anyString, fc.string({ maxLength: 40 }), fc.constantFrom('a\r\nb', 'é', '\u0100', '\t ok'));
    const headers = fc.dictionary(headerName, headerValue, { maxKeys: 6 });
    const outcomes = { created: 0, refused: 0, patched: 0 };
    await fc.assert(
      fc.asyncProperty(headers, headers, async (first, second) => {
        const before = queuedEvents.size;
        const body = { url: `${receiver.url}/other`, eventTypes: ['fuzz.never'], headers: first };
        const response = await send('POST', '/v1/tenants/fuzz-subs/subscriptions', JSON.stringify(body));
        if (response.status !== 201) {
          expectRefusal(response);
          outcomes.refused += 1;
          return;
        }
        outcomes.created += 1;
        const path = `/v1/tenants/fuzz-subs/subscriptions/${response.body.id}`;
        const patched = await send('PATCH', path, JSON.stringify({ headers: second }));
        if (patched.status === 200) outcomes.patched += 1;
        else expectRefusal(patched);
        expect(queuedEvents.size).toBe(before);
        // Stay under the per-tenant cap however many runs are accepted.
        expect((await t.admin('DELETE', path)).status).toBe(204);
      }),
      { numRuns: NUM_RUNS },
    );
    // Both sides of the property were exercised.
    expect(outcomes.created).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 60_000);

  it('event-type PUT with arbitrary bodies: 2xx or a 4xx in the error shape, read back as stored', async () => {
    const body = fc.record(
      { description: fc.oneof(anyString, value.map((v) => JSON.parse(v.text))), schema: data, example: fc.oneof(value, data) },
      { requiredKeys: [] },
    );
    let n = 0;
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        n += 1;
        const parts = Object.entries(b).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'object' && v !== null && 'text' in v ? v.text : JSON.stringify(v)}`);
        const response = await send('PUT', `/v1/event-types/fuzz.type.${n}`, `{${parts.join(',')}}`);
        if (response.status !== 200 && response.status !== 201) {
          expectRefusal(response);
          return;
        }
        stored += 1;
        const read = await t.admin('GET', `/v1/event-types/fuzz.type.${n}`);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(response.body);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(n);
  }, 60_000);
});
