/**
 * AWS's limits where the emulators may be lenient (issue 22 part 4; the table is in docs/reliability.md,
 * "AWS's limits, checked locally"). Three kinds of test:
 * - what fauxqs and DynamoDB Local refuse on their own (raw clients), so a newer emulator that stops
 *   enforcing one turns this red;
 * - what local mode adds where fauxqs is lenient (shared/adapters/aws/local-limits.ts, installed by
 *   sqsClient when an endpoint is given);
 * - that Hookpost stays inside a limit by construction, at the boundary, through its real code path.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_REGION, sqsClient } from '#shared/adapters/aws/clients.ts';
import { LAMBDA_MAX_RESPONSE_BYTES, lambdaResponseBytes, SQS_MAX_DELAY_SECONDS, sqsLimits } from '#shared/adapters/aws/local-limits.ts';
import { SqsDeadLetterQueue, SqsEventQueue, SqsFifoQueue } from '#shared/adapters/aws/sqs.ts';
import { dispatch } from '#shared/core/engine/dispatch.ts';
import type { Message } from '#shared/core/platform/domain.ts';
import { createFifoRouter, deliverInOrder, MAX_HOLD_SECONDS } from '#shared/core/engine/fifo.ts';
import { newMessageId, newSubscriptionId } from '#shared/core/platform/ids.ts';
import { MAX_PAYLOAD_BYTES_LIMIT, MAX_QUEUE_MESSAGE_BYTES } from '#shared/core/platform/ports.ts';
import { serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { createQueues, type LocalQueues } from '#shared/local/resources.ts';
import { startApiServer } from '#shared/local/server.ts';
import { type SqsLocal, startSqsLocal } from '#shared/local/sqs-local.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const NOW = Date.parse('2026-12-01T10:00:00Z');

/** The error a call ends in (undefined when it succeeds). */
const failure = (call: Promise<unknown>): Promise<{ name?: string; message?: string } | undefined> =>
  call.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

let fauxqs: SqsLocal;
/** fauxqs as it is: no local limits. */
let raw: SQSClient;
/** As local mode builds it (clients.ts): with the local limits. */
let local: SQSClient;
let queues: LocalQueues;

beforeAll(async () => {
  fauxqs = await startSqsLocal();
  raw = new SQSClient({ region: LOCAL_REGION, endpoint: fauxqs.endpoint, credentials: CREDENTIALS, useQueueUrlAsEndpoint: false });
  local = sqsClient(LOCAL_REGION, fauxqs.endpoint);
  queues = await createQueues(local);
});

afterAll(async () => {
  raw?.destroy();
  local?.destroy();
  await fauxqs?.stop();
});

const receiveOne = async (client: SQSClient, queueUrl: string) => {
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
  const handle = Messages[0]?.ReceiptHandle;
  if (!handle) throw new Error('nothing received');
  return handle;
};

const depth = async (queueUrl: string) => {
  const { Attributes = {} } = await raw.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
};

describe('what fauxqs refuses on its own', () => {
  it('a message over the queue\'s MaximumMessageSize (1 MiB, as the CDK stack creates the queues)', async () => {
    expect(await failure(raw.send(new SendMessageCommand({ QueueUrl: queues.eventsQueueUrl, MessageBody: 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES) })))).toBeUndefined();
    const error = await failure(raw.send(new SendMessageCommand({ QueueUrl: queues.eventsQueueUrl, MessageBody: 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES + 1) })));
    expect(error?.message).toMatch(/Message must be shorter than 1048576 bytes/);
  });

  it('a SendMessageBatch of 11 entries, or of entries summing past 1 MiB', async () => {
    const entries = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: 'x'.repeat(bytes) }));
    expect(await failure(raw.send(new SendMessageBatchCommand({ QueueUrl: queues.deadLetterQueueUrl, Entries: entries(11, 1) })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
    });
    expect(await failure(raw.send(new SendMessageBatchCommand({ QueueUrl: queues.deadLetterQueueUrl, Entries: entries(2, 600 * 1024) })))).toMatchObject({
      name: 'BatchRequestTooLong',
    });
  });

  it('a VisibilityTimeout over 43200 in one call, and a receive of more than 10', async () => {
    await raw.send(new SendMessageCommand({ QueueUrl: queues.slowQueueUrl, MessageBody: 'v' }));
    const handle = await receiveOne(raw, queues.slowQueueUrl);
    const error = await failure(raw.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.slowQueueUrl, ReceiptHandle: handle, VisibilityTimeout: 43_201 })));
    expect(error?.message).toMatch(/Must be between 0 and 43200/);
    expect((await failure(raw.send(new ReceiveMessageCommand({ QueueUrl: queues.slowQueueUrl, MaxNumberOfMessages: 11 }))))?.message).toMatch(
      /MaxNumberOfMessages is invalid/,
    );
  });
});

describe('what fauxqs lets through and local mode refuses, as AWS does', () => {
  it('DelaySeconds over 900 (SendMessage and SendMessageBatch)', async () => {
    const send = (client: SQSClient, delay: number) =>
      failure(client.send(new SendMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MessageBody: 'd', DelaySeconds: delay })));
    expect(await send(raw, SQS_MAX_DELAY_SECONDS + 1)).toBeUndefined(); // fauxqs: lenient
    expect(await send(local, SQS_MAX_DELAY_SECONDS)).toBeUndefined();
    expect(await send(local, SQS_MAX_DELAY_SECONDS + 1)).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    });
    const batch = failure(
      local.send(new SendMessageBatchCommand({ QueueUrl: queues.deadLetterQueueUrl, Entries: [{ Id: 'a', MessageBody: 'd', DelaySeconds: 1000 }] })),
    );
    expect(await batch).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('a FIFO MessageDeduplicationId or MessageGroupId past 128 characters', async () => {
    const send = (client: SQSClient, group: string, dedup: string) =>
      failure(client.send(new SendMessageCommand({ QueueUrl: queues.fifoQueueUrl, MessageBody: 'f', MessageGroupId: group, MessageDeduplicationId: dedup })));
    expect(await send(raw, 'g', 'd'.repeat(129))).toBeUndefined(); // fauxqs: lenient
    expect(await send(local, 'g', 'd'.repeat(129))).toMatchObject({ name: 'InvalidParameterValue', message: expect.stringMatching(/MessageDeduplicationId.*1 to 128/) });
    expect(await send(local, 'g'.repeat(129), 'd')).toMatchObject({ name: 'InvalidParameterValue', message: expect.stringMatching(/MessageGroupId/) });
    expect(await send(local, 'g'.repeat(128), 'd'.repeat(128))).toBeUndefined();
  });

  it('a visibility change that keeps a message hidden past 12 hours from its receive', async () => {
    let now = NOW;
    const sqs = sqsLimits(() => now).install(new SQSClient({ region: LOCAL_REGION, endpoint: fauxqs.endpoint, credentials: CREDENTIALS, useQueueUrlAsEndpoint: false }));
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.slowQueueUrl, MessageBody: 'twelve hours' }));
      const handle = await receiveOne(sqs, queues.slowQueueUrl);
      now += 60_000;
      const change = (seconds: number) => failure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.slowQueueUrl, ReceiptHandle: handle, VisibilityTimeout: seconds })));
      expect(await change(43_200 - 59)).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value 43141 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      });
      expect(await change(43_200 - 60)).toBeUndefined();
    } finally {
      sqs.destroy();
    }
  });
});

describe('what DynamoDB Local refuses on its own', () => {
  const endpoint = inject('dynamoDbEndpoint');
  const db = new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: CREDENTIALS });
  const TableName = `aws-limits-${process.pid}`;
  const item = (pk: string, sk: string, bytes: number) => ({ pk: { S: pk }, sk: { S: sk }, v: { S: 'x'.repeat(bytes) } });

  beforeAll(async () => {
    await db.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  });
  afterAll(() => db.destroy());

  it('an item over 400 KB (put or update), and key values past 2048 / 1024 bytes', async () => {
    expect(await failure(db.send(new PutItemCommand({ TableName, Item: item('a', '1', 400 * 1024 - 20) })))).toBeUndefined();
    expect(await failure(db.send(new PutItemCommand({ TableName, Item: item('a', '2', 400 * 1024 + 1) })))).toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
    const grow = new UpdateItemCommand({ TableName, Key: { pk: { S: 'a' }, sk: { S: '1' } }, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': { S: 'y'.repeat(2000) } } });
    expect(await failure(db.send(grow))).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Item size to update has exceeded/) });
    expect(await failure(db.send(new PutItemCommand({ TableName, Item: item('p'.repeat(2049), '1', 1) })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(db.send(new PutItemCommand({ TableName, Item: item('b', 's'.repeat(1025), 1) })))).toMatchObject({ name: 'ValidationException' });
  });

  it('an expression over 4 KB, more than 100 IN operands, nesting past 32 levels', async () => {
    const n = 400;
    const update = new UpdateItemCommand({
      TableName,
      Key: { pk: { S: 'c' }, sk: { S: '1' } },
      UpdateExpression: `SET ${Array.from({ length: n }, (_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(Array.from({ length: n }, (_, i) => [`#a${i}`, `attr${i}`])),
      ExpressionAttributeValues: Object.fromEntries(Array.from({ length: n }, (_, i) => [`:v${i}`, { S: 'v' }])),
    });
    expect(await failure(db.send(update))).toMatchObject({ message: expect.stringMatching(/Expression size has exceeded the maximum allowed size/) });
    const operands = Array.from({ length: 101 }, (_, i) => `:v${i}`);
    const query = new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :p',
      FilterExpression: `v IN (${operands.join(',')})`,
      ExpressionAttributeValues: { ':p': { S: 'q' }, ...Object.fromEntries(operands.map((name, i) => [name, { S: String(i) }])) },
    });
    expect(await failure(db.send(query))).toMatchObject({ message: expect.stringMatching(/IN operator is provided with too many operands/) });
    let nested: Record<string, unknown> = { S: 'x' };
    for (let i = 0; i < 33; i += 1) nested = { M: { a: nested } };
    const deep = new PutItemCommand({ TableName, Item: { pk: { S: 'n' }, sk: { S: '1' }, v: nested as never } });
    expect(await failure(db.send(deep))).toMatchObject({ message: expect.stringMatching(/Nesting Levels have exceeded/) });
  });

  it('a Query page past 1 MB (it stops and answers LastEvaluatedKey)', async () => {
    for (let i = 0; i < 5; i += 1) await db.send(new PutItemCommand({ TableName, Item: item('q', String(i), 300 * 1024) }));
    const page = await db.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } } }));
    expect(page.Count).toBeLessThan(5);
    expect(page.LastEvaluatedKey).toBeDefined();
  });

  it('a TransactWriteItems of 101 items or past 4 MB', async () => {
    const puts = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ Put: { TableName, Item: item(`tx${bytes}`, String(i), bytes) } }));
    expect(await failure(db.send(new TransactWriteItemsCommand({ TransactItems: puts(101, 1) })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(db.send(new TransactWriteItemsCommand({ TransactItems: puts(12, 390 * 1024) })))).toMatchObject({
      message: expect.stringMatching(/Transaction payload size cannot exceed 4MB/),
    });
  });
});

describe('Hookpost stays inside, through its real code path', () => {
  const event = (dataJson: string): Message => ({
    id: newMessageId(NOW),
    type: 'order.paid',
    tenant: 't1',
    timestamp: new Date(NOW).toISOString(),
    dataJson,
  });

  it('a retry wait past 15 minutes (a Retry-After of 20 hours too) is sent as DelaySeconds 900 and hops', async () => {
    const queue = new SqsEventQueue(local, queues.slowQueueUrl);
    const before = await depth(queues.slowQueueUrl);
    const subscription = testSubscription('sub_wait', new Date(NOW).toISOString(), { eventTypes: ['order.*'], retrySchedule: [36_000] });
    const { deps } = testEngine(
      [subscription],
      () => ({ kind: 'response', statusCode: 503, headers: { 'retry-after': String(20 * 3600) }, bodyExcerpt: '', durationMs: 1 }),
      { now: () => NOW },
      { queue, retryScheduleSeconds: [36_000] },
    );
    const message = event('{"n":1}');
    await dispatch(deps, { kind: 'delivery', message, subscriptionId: subscription.id, attempt: 1, dueAt: 0 });
    // A delivery due in two hours hops through the queue 900 s at a time.
    await dispatch(deps, { kind: 'delivery', message, subscriptionId: subscription.id, attempt: 2, dueAt: NOW + 2 * 3600_000 });
    expect(await depth(queues.slowQueueUrl)).toBe(before + 2);
  });

  it("one largest event to four FIFO endpoints: the FIFO router's batches stay under 1 MiB", async () => {
    const subscriptions = Array.from({ length: 4 }, () => newSubscriptionId(NOW));
    const router = createFifoRouter({
      routes: { listByTenant: async () => subscriptions.map((id) => ({ id, tenant: 't1', enabled: true, eventTypes: ['order.*'], ordering: 'fifo' as const })) },
      queue: new SqsFifoQueue(local, queues.fifoQueueUrl),
      clock: { now: () => NOW },
      cacheMs: 1,
    });
    const before = await depth(queues.fifoQueueUrl);
    const big = event(JSON.stringify({ s: 'x'.repeat(MAX_PAYLOAD_BYTES_LIMIT - 10) }));
    expect(await router.route([big])).toEqual([subscriptions]);
    expect(await depth(queues.fifoQueueUrl)).toBe(before + 4);
  });

  it('a FIFO record held for the longest wait, after the longest invocation (900 s), stays within 12 hours of its receive', async () => {
    let now = NOW;
    const sqs = sqsLimits(() => now).install(new SQSClient({ region: LOCAL_REGION, endpoint: fauxqs.endpoint, credentials: CREDENTIALS, useQueueUrlAsEndpoint: false }));
    try {
      const subscription = testSubscription(newSubscriptionId(NOW), new Date(NOW).toISOString(), { eventTypes: ['order.*'], ordering: 'fifo', retrySchedule: [86_400] });
      const delivery = { kind: 'delivery' as const, message: event('{"n":2}'), subscriptionId: subscription.id, attempt: 1, dueAt: 0 };
      const fifo = new SqsFifoQueue(sqs, queues.fifoQueueUrl);
      await fifo.enqueueBatch([delivery]);
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.fifoQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const received = Messages.find((m) => m.Body === serializeQueueBody(delivery));
      expect(received?.ReceiptHandle).toBeDefined();
      const { deps } = testEngine([subscription], () => ({ kind: 'response', statusCode: 500, headers: {}, bodyExcerpt: '', durationMs: 1 }), { now: () => now });
      const outcome = await deliverInOrder(deps, delivery, { receiveCount: 1 });
      expect(outcome).toEqual({ kind: 'hold', seconds: MAX_HOLD_SECONDS });
      now += 900_000; // Lambda's longest timeout: the batch ran that long before the hold.
      expect(await failure(fifo.hold(received?.ReceiptHandle as string, MAX_HOLD_SECONDS))).toBeUndefined();
    } finally {
      sqs.destroy();
    }
  });

  it('a local redrive (by hand) of large dead letters moves them in batches under 1 MiB', async () => {
    const queue = async (name: string) => {
      const { QueueUrl } = await local.send(new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: String(MAX_QUEUE_MESSAGE_BYTES) } }));
      return QueueUrl as string;
    };
    const [from, to] = await Promise.all([queue('aws-limits-dlq'), queue('aws-limits-events')]);
    for (let i = 0; i < 3; i += 1) await local.send(new SendMessageCommand({ QueueUrl: from, MessageBody: `${i}${'y'.repeat(400 * 1024)}` }));
    const dlq = new SqsDeadLetterQueue(local, from, { eventsQueueUrl: to, moveByHand: true });
    expect(await dlq.redrive()).toEqual({ mode: 'local', moved: 3 });
    expect(await depth(to)).toBe(3);
  });
});

describe("what the local API server adds: Lambda's 6 MB response", () => {
  it('a response over 6 MiB as a Lambda result is answered 500 as API Gateway would; one just under is sent', async () => {
    // Quotes count twice once the body is escaped into the Lambda result.
    const bodyOf = (bytes: number) => JSON.stringify({ s: '"'.repeat(Math.floor((bytes - 10) / 2)) });
    let body = '';
    const server = await startApiServer({ fetch: async () => new Response(body, { headers: { 'content-type': 'application/json' } }) });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      body = bodyOf(LAMBDA_MAX_RESPONSE_BYTES / 2 - 1024); // 3 MiB less 1 KiB of text, just under 6 MiB escaped
      expect(lambdaResponseBytes({ statusCode: 200, headers: { 'content-type': 'application/json' }, body })).toBeLessThanOrEqual(LAMBDA_MAX_RESPONSE_BYTES);
      const under = await fetch(server.url);
      expect(under.status).toBe(200);
      expect((await under.text()).length).toBe(body.length);
      body = bodyOf(LAMBDA_MAX_RESPONSE_BYTES / 2 + 1024); // 3 MiB and 1 KiB of text, over 6 MiB escaped
      expect(Buffer.byteLength(body)).toBeLessThan(LAMBDA_MAX_RESPONSE_BYTES);
      const over = await fetch(server.url);
      expect(over.status).toBe(500);
      expect(await over.json()).toEqual({ message: 'Internal Server Error' });
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
      await server.stop();
    }
  });
});
