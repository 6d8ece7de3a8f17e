/**
 * Any valid JSON in, delivered exactly, against the local stack (fauxqs + DynamoDB Local + receivers on
 * 127.0.0.1): Unicode past U+FFFF and U+FFFE/U+FFFF through SQS, numbers digit for digit, the depth
 * limit, and the first-failure path of the largest and deepest accepted event (kept as text, retried
 * on schedule, dead-lettered with context, redelivered identical). docs/api.md "Limits".
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LOCAL_REGION, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import { keys } from '#shared/adapters/aws/dynamodb.ts';
import { newAttemptId, newMessageId } from '#shared/core/platform/ids.ts';
import { MAX_JSON_DEPTH } from '#shared/core/platform/json-text.ts';
import { MAX_PAYLOAD_BYTES_LIMIT } from '#shared/core/platform/ports.ts';
import { type ApiCall, waitFor } from './helpers/api.ts';
import type { Receiver, RecordedRequest } from './helpers/receiver.ts';
import { type ApiTestContext, errorShape, headersOf, startApiTest } from './api/setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  // The largest payload limit the CDK stack accepts, so "the largest accepted event" is the real one.
  t = await startApiTest({ maxPayloadBytes: MAX_PAYLOAD_BYTES_LIMIT, retryScheduleSeconds: [1, 1] });
  for (const type of ['data.exact', 'data.big']) {
    expect((await t.admin('PUT', `/v1/event-types/${type}`, { description: type })).status).toBe(201);
  }
});

afterAll(() => t?.stop());

/** POSTs raw JSON text, so numbers and escapes reach the API exactly as written. */
async function postText(path: string, text: string): Promise<ApiCall> {
  const response = await fetch(`${t.stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json' },
    body: text,
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body: body ? JSON.parse(body) : undefined };
}

async function subscribe(tenant: string, receiver: Receiver) {
  const created = await t.admin('POST', `/v1/tenants/${tenant}/subscriptions`, { url: `${receiver.url}/hook`, eventTypes: ['data.*'] });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

/** The delivered body's `data` text: the body is `{"type":…,"timestamp":…,"data":<as published>}`. */
const deliveredDataText = (body: string) => body.slice(body.indexOf(',"data":') + ',"data":'.length, -1);

/** `levels` arrays around `leaf`. */
const nested = (levels: number, leaf: string) => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;

describe('exact data', () => {
  it('delivers Unicode past U+FFFF, U+FFFE/U+FFFF and numbers past 2^53 exactly as published, signed', async () => {
    const r = await t.receiver();
    const sub = await subscribe('exact', r);
    const dataText =
      '{"name":"Zoë 😀","odd":"\uFFFE\uFFFF","id":12345678901234567890,"f":0.1,"huge":1e400,"tiny":-1.000e-400,"esc":"\\u00e9\\ud83d\\ude00","list":[ 1 , 2.50 ]}';

    const published = await postText('/v1/events', `{"type":"data.exact","tenant":"exact","data":${dataText}}`);

    expect(published.status).toBe(202);
    const request = await waitFor('the delivery', () => r.requests[0]) as RecordedRequest;
    expect(deliveredDataText(request.body)).toBe(dataText);
    expect(new Webhook(sub.secret).verify(request.body, headersOf(request))).toMatchObject({ type: 'data.exact', data: { name: 'Zoë 😀' } });
  });

  it('keeps each batch item its own text, and a too-deep item fails alone', async () => {
    const r = await t.receiver();
    await subscribe('exact-batch', r);
    const items = ['{"id":98765432109876543210}', '{"s":"𝄞 \uFFFF"}'];
    const tooDeep = `{"a":${nested(2_000, '1')}}`;
    const text = `{"events":[${items.map((d) => `{"type":"data.exact","tenant":"exact-batch","data":${d}}`).join(',')},{"type":"data.exact","tenant":"exact-batch","data":${tooDeep}}]}`;

    const published = await postText('/v1/events/batch', text);

    expect(published.status).toBe(207);
    expect(published.body.results[2]).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'data' }] } });
    await waitFor('both deliveries', () => r.requests.length === 2);
    expect(r.requests.map((request) => deliveredDataText(request.body)).sort()).toEqual([...items].sort());
  });
});

describe('the depth limit', () => {
  it(`accepts data ${MAX_JSON_DEPTH} levels deep and refuses ${MAX_JSON_DEPTH + 1} or 2,000 with 422 at data`, async () => {
    const at = (depth: number) => postText('/v1/events', `{"type":"data.exact","tenant":"depth","data":{"a":${nested(depth - 1, '1')}}}`);
    expect((await at(MAX_JSON_DEPTH)).status).toBe(202);
    for (const depth of [MAX_JSON_DEPTH + 1, 2_000]) {
      const refused = await at(depth);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ ...errorShape, error: { code: 'validation_failed', details: [{ path: 'data' }] } });
    }
    // A repeated key hides a too-deep member from JSON.parse, but its text would still be delivered.
    const hidden = await postText('/v1/events', `{"type":"data.exact","tenant":"depth","data":{"a":${nested(2_000, '1')},"a":0}}`);
    expect(hidden.status).toBe(422);
    expect(hidden.body.error.details).toEqual([{ path: 'data', message: expect.stringMatching(/64 levels/) }]);
  });

  it('refuses an event-type example or schema past the limit on PUT and POST, and stores nothing', async () => {
    const deep = nested(2_000, '{}');
    for (const [method, path, body] of [
      ['PUT', '/v1/event-types/deep.example', `{"description":"d","example":${deep}}`],
      ['PUT', '/v1/event-types/deep.schema', `{"description":"d","schema":{"allOf":${deep}}}`],
      ['POST', '/v1/event-types', `{"type":"deep.post","description":"d","example":{"a":${deep}}}`],
    ] as const) {
      const response = await fetch(`${t.stack.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: expect.stringMatching(/^(example|schema)$/) }] } });
    }
    for (const type of ['deep.example', 'deep.schema', 'deep.post']) expect((await t.admin('GET', `/v1/event-types/${type}`)).status).toBe(404);
  });

  it('stores an example with numbers past 2^53 and 40 levels deep (more than a DynamoDB map holds)', async () => {
    const example = JSON.parse(`{"id":12345678901234567890,"deep":${nested(40, '"leaf"')}}`);
    expect((await t.admin('PUT', '/v1/event-types/deep.ok', { description: 'd', example })).status).toBe(201);
    expect((await t.admin('GET', '/v1/event-types/deep.ok')).body.example).toEqual(example);
  });
});

describe('the largest and deepest accepted event on its first failure', () => {
  it('is kept, retried on schedule, dead-lettered with context, and redelivered identical', async () => {
    // Arrange: the endpoint fails every attempt, answering with characters SQS cannot carry raw.
    const errorBody = `down 😀 \uFFFF ${'ë'.repeat(3_000)}`;
    const r = await t.receiver(...Array.from({ length: 3 }, () => ({ status: 500, body: errorBody })));
    const sub = await subscribe('big', r);
    // data: MAX_JSON_DEPTH levels, a number past 2^53, and 2-byte characters (the worst case once
    // escaped for the queue) filling the request up to maxPayloadBytes exactly.
    const head = '{"type":"data.big","tenant":"big","data":';
    const open = `{"id":12345678901234567890,"f":1e400,"deep":${'['.repeat(MAX_JSON_DEPTH - 1)}"`;
    const close = `"${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    const room = MAX_PAYLOAD_BYTES_LIMIT - Buffer.byteLength(`${head}${open}${close}}`);
    const dataText = `${open}${'x'.repeat(room % 2)}${'ë'.repeat(Math.floor(room / 2))}${close}`;
    const body = `${head}${dataText}}`;
    expect(Buffer.byteLength(body)).toBe(MAX_PAYLOAD_BYTES_LIMIT);
    expect((await postText('/v1/events', `${body} `)).status).toBe(413); // one byte more is refused

    // Act
    const published = await postText('/v1/events', body);

    // Assert: three attempts about 1 s apart (the schedule), not one per visibility timeout.
    expect(published.status).toBe(202);
    const messageId: string = published.body.id;
    const letter = await waitFor(
      'the dead letter',
      async () => {
        const listed = await t.admin('GET', '/v1/dead-letters?limit=10');
        return listed.body.items.find((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === messageId);
      },
      30_000,
    );
    expect(r.requests).toHaveLength(3);
    const gaps = r.requests.slice(1).map((request, i) => request.receivedAt - (r.requests[i] as { receivedAt: number }).receivedAt);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(900);
    for (const request of r.requests) expect(deliveredDataText(request.body)).toBe(dataText);
    expect(letter.reason).toMatch(/failed 3 attempts; last: endpoint answered 500/);
    expect(letter.lastAttempt).toMatchObject({ messageId, attemptNumber: 3, statusCode: 500 });
    expect(letter.lastAttempt.response).toContain('down 😀 \uFFFF ëë');
    expect(letter.message.message.dataJson).toBe(dataText);
    expect(letter.message.message.data).toMatchObject({ f: null }); // parsed for reading (1e400 is Infinity, shown as null)
    const attempts = await t.admin('GET', `/v1/tenants/big/subscriptions/${sub.id}/attempts?limit=10`);
    expect(attempts.body.items.map((a: { attemptNumber: number }) => a.attemptNumber).sort()).toEqual([1, 2, 3]);

    // Redelivered from the kept copy (the endpoint answers 200 now): identical data, valid signature.
    const redelivered = await t.admin('POST', `/v1/tenants/big/messages/${messageId}/redeliver`);
    expect(redelivered.status).toBe(202);
    const again = await waitFor('the redelivery', () => r.requests[3]) as RecordedRequest;
    expect(deliveredDataText(again.body)).toBe(dataText);
    expect(again.headers['webhook-id']).toBe(messageId);
    expect(() => new Webhook(sub.secret).verify(again.body, headersOf(again))).not.toThrow();
  }, 60_000);
});

describe('redelivery batches', () => {
  /** Ten near-limit messages (2-byte characters: 3 bytes each on the queue) with a failed attempt each. */
  async function tenFailed(tenant: string, r: Receiver) {
    const sub = await subscribe(tenant, r);
    const dataJson = `{"n":12345678901234567890,"s":"${'ë'.repeat(Math.floor((MAX_PAYLOAD_BYTES_LIMIT - 100) / 2))}"}`;
    const now = Date.now();
    const ids = Array.from({ length: 10 }, (_, i) => newMessageId(now - 60_000 + i)).sort();
    for (const [i, id] of ids.entries()) {
      const timestamp = new Date(now - 60_000 + i).toISOString();
      await t.stack.runtime.ports.messages.keep({ id, type: 'data.big', tenant, timestamp, dataJson });
      await t.stack.runtime.ports.attempts.record({
        id: newAttemptId(now - 60_000 + i),
        messageId: id,
        subscriptionId: sub.id,
        tenant,
        eventType: 'data.big',
        attemptNumber: 1,
        status: 'failed',
        statusCode: 500,
        durationMs: 1,
        timestamp,
      });
    }
    return { sub, ids, dataJson };
  }

  it('recovers 10 near-limit messages in one call, split by serialized bytes, each delivered identical', async () => {
    const r = await t.receiver();
    const { sub, ids, dataJson } = await tenFailed('recover-big', r);

    const recovered = await t.admin('POST', `/v1/tenants/recover-big/subscriptions/${sub.id}/recover`, {
      since: new Date(Date.now() - 3_600_000).toISOString(),
    });

    expect(recovered.status).toBe(202);
    expect([...recovered.body.messages].sort()).toEqual(ids);
    await waitFor('ten deliveries', () => r.requests.length === 10, 30_000);
    expect(new Set(r.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set(ids));
    for (const request of r.requests) expect(deliveredDataText(request.body)).toBe(dataJson);
  }, 60_000);

  it('on a partial failure answers 503 naming what was queued and what was not', async () => {
    const r = await t.receiver();
    const { sub, ids } = await tenFailed('recover-partial', r);
    const queue = t.stack.runtime.ports.queue;
    const real = queue.enqueueBatch.bind(queue);
    let calls = 0;
    const spy = vi.spyOn(queue, 'enqueueBatch').mockImplementation(async (messages) => {
      calls += 1;
      if (calls === 2) throw Object.assign(new Error('down'), { name: 'QueueDown' });
      return real(messages);
    });
    try {
      const recovered = await t.admin('POST', `/v1/tenants/recover-partial/subscriptions/${sub.id}/recover`, {
        since: new Date(Date.now() - 3_600_000).toISOString(),
      });
      expect(recovered.status).toBe(503);
      expect(recovered.body).toMatchObject({ ...errorShape, error: { code: 'dependency_unavailable', message: expect.stringMatching(/took 9 of 10/) } });
      const details = recovered.body.error.details as { path: string; message: string }[];
      const queued = details.filter((d) => d.path === 'queued').map((d) => d.message.split(' ')[0]);
      const notQueued = details.filter((d) => d.path === 'notQueued').map((d) => d.message);
      expect(queued).toHaveLength(9);
      expect(notQueued).toHaveLength(1);
      expect([...queued, notQueued[0]?.split(' ')[0]].sort()).toEqual(ids);
      expect(notQueued[0]).toMatch(new RegExp(` ${sub.id}$`));
      await waitFor('the nine queued deliveries', () => r.requests.length === 9, 30_000);
      expect(r.requests.map((request) => request.headers['webhook-id']).sort()).toEqual([...queued].sort());
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});

describe('what was written before data was kept as text', () => {
  it('reads a queued body with a parsed data, a kept message and an event type stored as maps', async () => {
    const db = DynamoDBDocumentClient.from(dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint')));
    const TableName = t.stack.settings.tableName;
    try {
      const r = await t.receiver();
      const sub = await subscribe('legacy', r);
      const timestamp = new Date().toISOString();
      // An event queued by the previous version: `data` parsed, no dataJson.
      const queuedId = newMessageId();
      await t.stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: t.stack.settings.eventsQueueUrl,
          MessageBody: JSON.stringify({ kind: 'event', message: { id: queuedId, type: 'data.exact', tenant: 'legacy', timestamp, data: { old: [1, 'ë'] } } }),
        }),
      );
      const first = (await waitFor('the old queued event', () => r.requests.find((q) => q.headers['webhook-id'] === queuedId))) as RecordedRequest;
      expect(deliveredDataText(first.body)).toBe('{"old":[1,"ë"]}');

      // A message kept as a map, redelivered.
      const keptId = newMessageId();
      await db.send(
        new PutCommand({ TableName, Item: { ...keys.message('legacy', keptId), id: keptId, type: 'data.exact', tenant: 'legacy', timestamp, data: { kept: { n: 5 } } } }),
      );
      expect((await t.admin('POST', `/v1/tenants/legacy/messages/${keptId}/redeliver?subscription=${sub.id}`)).status).toBe(202);
      const second = (await waitFor('the redelivery', () => r.requests.find((q) => q.headers['webhook-id'] === keptId))) as RecordedRequest;
      expect(deliveredDataText(second.body)).toBe('{"kept":{"n":5}}');

      // An event type with schema and example as maps.
      const at = new Date().toISOString();
      await db.send(
        new PutCommand({
          TableName,
          Item: { ...keys.eventType('legacy.type'), type: 'legacy.type', description: 'd', schema: { type: 'object' }, example: { a: 1 }, createdAt: at, updatedAt: at },
        }),
      );
      expect((await t.admin('GET', '/v1/event-types/legacy.type')).body).toMatchObject({ schema: { type: 'object' }, example: { a: 1 } });
    } finally {
      db.destroy();
    }
  });
});
