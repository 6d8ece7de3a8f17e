import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  type SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_REGION, sqsClient } from '#shared/adapters/aws/clients.ts';
import { type Poller, type PollerOptions, startPoller } from '#shared/local/poller.ts';
import { createQueues, type LocalQueues, type QueueOptions } from '#shared/local/resources.ts';
import { type SqsLocal, startSqsLocal } from '#shared/local/sqs-local.ts';
import { queueDepth } from '../helpers/stack.ts';

interface Harness extends LocalQueues {
  sqs: SQSClient;
  start(handler: PollerOptions['handler'], options?: Partial<PollerOptions>): Poller;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(queueOptions: QueueOptions = {}): Promise<Harness> {
  const sqsLocal: SqsLocal = await startSqsLocal();
  const sqs = sqsClient(LOCAL_REGION, sqsLocal.endpoint);
  cleanups.push(async () => {
    sqs.destroy();
    await sqsLocal.stop();
  });
  const queues = await createQueues(sqs, queueOptions);
  return {
    ...queues,
    sqs,
    start(handler, options = {}) {
      const poller = startPoller({ sqs, queueUrl: queues.eventsQueueUrl, queueArn: queues.eventsQueueArn, handler, ...options });
      cleanups.push(() => poller.stop());
      return poller;
    },
  };
}

async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
  }
}

async function eventually(assertion: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const quiet = () => {};

describe('startPoller', () => {
  it('delivers batches of at most batchSize with Lambda-shaped records', async () => {
    // Arrange
    const h = await harness();
    const bodies = Array.from({ length: 15 }, (_, i) => JSON.stringify({ n: i }));
    await sendBodies(h.sqs, h.eventsQueueUrl, bodies);
    await h.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.eventsQueueUrl,
        MessageBody: 'with attributes',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'retry' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    const batches: SQSRecord[][] = [];

    // Act
    h.start(async (event) => void batches.push(event.Records), { batchSize: 4 });
    await eventually(() => expect(batches.flat()).toHaveLength(16));

    // Assert
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(4);
    expect(batches.flat().map((record) => record.body).sort()).toEqual([...bodies, 'with attributes'].sort());
    const record = batches.flat().find((r) => r.body === bodies[0]);
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: bodies[0],
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: md5(bodies[0] ?? ''),
      eventSource: 'aws:sqs',
      eventSourceARN: h.eventsQueueArn,
      awsRegion: 'us-east-1',
    });
    const withAttributes = batches.flat().find((r) => r.body === 'with attributes');
    expect(withAttributes?.messageAttributes).toEqual({
      kind: { stringValue: 'retry', stringListValues: [], binaryListValues: [], dataType: 'String' },
      raw: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(withAttributes?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it('deletes every record the handler did not report as failed', async () => {
    const h = await harness();
    await sendBodies(h.sqs, h.eventsQueueUrl, ['a', 'b', 'c']);
    let handled = 0;

    h.start(async (event) => {
      handled += event.Records.length;
      return { batchItemFailures: [] };
    });

    await eventually(async () => {
      expect(handled).toBe(3);
      expect(await queueDepth(h.sqs, h.eventsQueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });
  });

  it('redelivers only the failed record, with ApproximateReceiveCount 2, after the visibility timeout', async () => {
    // Arrange
    const h = await harness({ visibilityTimeoutSeconds: 1 });
    await sendBodies(h.sqs, h.eventsQueueUrl, ['ok-1', 'fail', 'ok-2']);
    const seen: SQSRecord[] = [];

    // Act
    h.start(async (event): Promise<SQSBatchResponse> => {
      seen.push(...event.Records);
      const failed = event.Records.filter((r) => r.body === 'fail' && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    });

    // Assert
    await eventually(() => expect(seen).toHaveLength(4));
    const again = seen.slice(3);
    expect(again.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([['fail', '2']]);
    await eventually(async () => expect(await queueDepth(h.sqs, h.eventsQueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 }));
  });

  it('lets the queue move a record that always fails to the DLQ after maxReceiveCount receives', async () => {
    // Arrange
    const h = await harness({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    await sendBodies(h.sqs, h.eventsQueueUrl, ['poison', 'fine']);
    const receives: Record<string, number> = {};

    // Act
    h.start(async (event) => {
      for (const r of event.Records) receives[r.body] = (receives[r.body] ?? 0) + 1;
      return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
    });

    // Assert
    let deadLetters: string[] = [];
    await eventually(async () => {
      const { Messages } = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: h.deadLetterQueueUrl, MaxNumberOfMessages: 10 }));
      deadLetters = [...deadLetters, ...(Messages ?? []).map((m) => m.Body ?? '')];
      expect(deadLetters).toEqual(['poison']);
    });
    expect(receives).toEqual({ poison: 2, fine: 1 });
    expect(await queueDepth(h.sqs, h.eventsQueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('deletes nothing when the handler throws, so the whole batch comes back', async () => {
    // Arrange
    const h = await harness({ visibilityTimeoutSeconds: 1 });
    await sendBodies(h.sqs, h.eventsQueueUrl, ['x', 'y']);
    const calls: SQSEvent[] = [];
    const errors: unknown[] = [];

    // Act
    h.start(
      async (event) => {
        calls.push(event);
        if (calls.length === 1) throw new Error('handler crashed');
      },
      { batchSize: 10, concurrency: 1, onError: (error) => errors.push(error) },
    );

    // Assert
    await eventually(() => expect(calls.flatMap((c) => c.Records)).toHaveLength(4));
    const second = calls.slice(1).flatMap((c) => c.Records);
    expect(second.map((r) => r.body).sort()).toEqual(['x', 'y']);
    expect(second.every((r) => r.attributes.ApproximateReceiveCount === '2')).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ message: 'handler crashed' })]);
  });

  it('treats a batchItemFailures entry naming no record of the batch as a failed batch, as Lambda does', async () => {
    const h = await harness({ visibilityTimeoutSeconds: 1 });
    await sendBodies(h.sqs, h.eventsQueueUrl, ['p', 'q']);
    const counts: string[] = [];

    h.start(
      async (event) => {
        counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        return counts.length <= 2 ? { batchItemFailures: [{ itemIdentifier: '' }] } : undefined;
      },
      { concurrency: 1 },
    );

    await eventually(() => expect(counts).toEqual(['1', '1', '2', '2']));
  });

  it('stop() cuts the long poll short and waits for the batch in flight', async () => {
    // Arrange
    const h = await harness();
    await sendBodies(h.sqs, h.eventsQueueUrl, ['slow']);
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let finished = false;
    const startedAt = Date.now();
    const poller = h.start(
      async () => {
        entered();
        await new Promise((resolve) => setTimeout(resolve, 500));
        finished = true;
      },
      // The other two loops sit in a 20 s long poll: stop() must abort it, not wait it out.
      { waitTimeSeconds: 20, concurrency: 3 },
    );
    await inHandler;

    // Act
    await poller.stop();

    // Assert: stopped before any of those long polls (begun after startedAt) could have ended by itself
    expect(finished).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(19_000);
    expect(await queueDepth(h.sqs, h.eventsQueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('backs off when receiving fails instead of spinning', async () => {
    const h = await harness();
    const errors: { stage: string; at: number }[] = [];
    const poller = startPoller({
      sqs: h.sqs,
      queueUrl: `${h.eventsQueueUrl}-missing`,
      queueArn: h.eventsQueueArn,
      handler: async () => {},
      concurrency: 1,
      onError: (_error, stage) => errors.push({ stage, at: performance.now() }),
    });

    await eventually(() => expect(errors.length).toBeGreaterThanOrEqual(4));
    await poller.stop();

    // Waits of 200, 400, 800 ms between failed receives: each at least that (a busy machine only adds).
    const gaps = errors.slice(1, 4).map((e, i) => e.at - errors[i]!.at);
    for (const [i, backoff] of [200, 400, 800].entries()) expect(gaps[i], `wait after failure ${i + 1}`).toBeGreaterThanOrEqual(backoff - 5);
    expect(new Set(errors.map((e) => e.stage))).toEqual(new Set(['receive']));
  });

  it('rejects a batch size SQS cannot serve', async () => {
    const h = await harness();
    expect(() => h.start(quiet as never, { batchSize: 11 })).toThrow(/batchSize must be an integer from 1 to 10/);
  });
});

/**
 * What the FIFO consumer relies on from fauxqs, as from SQS FIFO: a message group is handed out only
 * while none of its messages is in flight, in send order, and a visibility change on the one in flight
 * (a held record) keeps the group waiting that long while other groups go on.
 */
describe('the FIFO queue on fauxqs', () => {
  const receive = async (sqs: SQSClient, queueUrl: string) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }),
      )
    ).Messages ?? [];

  it('locks a group while one of its messages is in flight, keeps send order, and honours a held visibility', async () => {
    const h = await harness({ fifoVisibilityTimeoutSeconds: 30 });
    await h.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.fifoQueueUrl,
        Entries: ['a1', 'a2', 'a3', 'b1'].map((body, i) => ({ Id: String(i), MessageBody: body, MessageGroupId: body[0], MessageDeduplicationId: body })),
      }),
    );

    const first = await receive(h.sqs, h.fifoQueueUrl);
    const a1 = first.find((m) => m.Body === 'a1');
    expect(first.map((m) => m.Body).sort()).toEqual(['a1', 'b1']); // never a2 while a1 is in flight
    expect(a1?.Attributes?.MessageGroupId).toBe('a');
    expect(await receive(h.sqs, h.fifoQueueUrl)).toEqual([]); // both groups are locked

    // Holding a1 for 1 s keeps group a waiting that long, then a1 (not a2) comes back first.
    await h.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: h.fifoQueueUrl, ReceiptHandle: a1?.ReceiptHandle, VisibilityTimeout: 1 }));
    expect(await receive(h.sqs, h.fifoQueueUrl)).toEqual([]);
    let again: Awaited<ReturnType<typeof receive>> = [];
    await eventually(async () => {
      again = await receive(h.sqs, h.fifoQueueUrl);
      expect(again.length).toBeGreaterThan(0);
    });
    expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['a1', '2']]);
  });
});
