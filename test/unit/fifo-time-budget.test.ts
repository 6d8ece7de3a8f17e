/**
 * The FIFO batch handler against Lambda's time limit (createFifoBatchHandler with deliverInOrder on
 * memory ports): a group stops taking records once the invocation's time left is less than the next
 * record's deadline plus the margin, and hands the rest back unattempted. Time is a fake clock that
 * each POST moves on by the endpoint's answer time; `getRemainingTimeInMillis` reads that clock.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryFifoQueue } from '#shared/adapters/memory.ts';
import { createFifoBatchHandler } from '#shared/adapters/lambda/sqs-batch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import { deliverInOrder, FIFO_FINISH_MARGIN_MS } from '#shared/core/engine/fifo.ts';
import { type DeliveryMessage, serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { testEngine, testSubscription } from '../helpers/dispatch.ts';

const START = Date.parse('2026-12-01T10:00:00Z');
const FUNCTION_TIMEOUT_MS = 60_000;
const ANSWER_MS = 7_000;

const messageOf = (n: number): Message => ({
  id: `msg_${n}`,
  type: 'order.paid',
  tenant: 't1',
  timestamp: new Date(START).toISOString(),
  dataJson: JSON.stringify({ n }),
});

function recordOf(n: number, receiveCount: number): SQSRecord {
  const delivery: DeliveryMessage = { kind: 'delivery', message: messageOf(n), subscriptionId: 'sub_f', attempt: 1, dueAt: 0 };
  return {
    messageId: `m${n}`,
    receiptHandle: `r${n}`,
    body: serializeQueueBody(delivery),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(START),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(START),
      MessageGroupId: 'sub_f',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fifo.fifo',
    awsRegion: 'us-east-1',
  };
}

/** An endpoint that answers 200 after ANSWER_MS of fake time; each invocation gets FUNCTION_TIMEOUT_MS from its start. */
function fifoConsumer(subscription: Subscription) {
  let now = START;
  const clock = { now: () => now };
  const engine = testEngine([subscription], () => {
    now += ANSWER_MS;
    return { kind: 'response', statusCode: 200, headers: {}, bodyExcerpt: 'ok', durationMs: ANSWER_MS };
  }, clock, { deliveryTimeoutMs: 10_000 });
  const queue = new MemoryFifoQueue();
  const handler = createFifoBatchHandler((queued, receipt) => deliverInOrder(engine.deps, queued, receipt), queue);
  const invoke = (ns: number[], receiveCount: number, withContext = true) => {
    const invokedAt = now;
    const context = { getRemainingTimeInMillis: () => FUNCTION_TIMEOUT_MS - (now - invokedAt) };
    const event = { Records: ns.map((n) => recordOf(n, receiveCount)) };
    return withContext ? handler(event, context) : handler(event);
  };
  const posted = () => engine.sent.map((req) => JSON.parse(req.body).data.n as number);
  return { invoke, queue, posted, attempts: engine.attempts };
}

const ALL = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) => response.batchItemFailures.map((f) => f.itemIdentifier);

describe('a FIFO batch and the invocation’s time left', () => {
  it('stops taking records when the time left is under the endpoint’s deadline plus the margin, and hands the rest back unattempted', async () => {
    // 30 s per attempt + 5 s margin = 35 s needed: 60 → 53 → 46 → 39 s left lets records 1–4 run; at 32 s, 5–10 go back.
    expect(FIFO_FINISH_MARGIN_MS).toBe(5_000);
    const { invoke, queue, posted, attempts } = fifoConsumer(testSubscription('sub_f', new Date(START).toISOString(), { eventTypes: ['order.*'], ordering: 'fifo', timeoutMs: 30_000 }));

    const first = await invoke(ALL, 1);
    expect(posted()).toEqual([1, 2, 3, 4]);
    expect(failedIds(first)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    // Handed back visible at once (not after the visibility timeout), still in order behind nothing.
    expect(queue.held).toEqual([5, 6, 7, 8, 9, 10].map((n) => ({ receiptHandle: `r${n}`, seconds: 0 })));

    // The next invocations take the rest; being received again does not count as an attempt.
    const second = await invoke([5, 6, 7, 8, 9, 10], 2);
    expect(posted()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(failedIds(second)).toEqual(['m9', 'm10']);
    const third = await invoke([9, 10], 3);
    expect(failedIds(third)).toEqual([]);
    expect(posted()).toEqual(ALL);
    expect(attempts.attempts.map((a) => [a.messageId, a.attemptNumber])).toEqual(ALL.map((n) => [`msg_${n}`, 1]));
  });

  it('uses the default delivery timeout for an endpoint without its own, and has no limit without a context (the local poller)', async () => {
    // 10 s + 5 s = 15 s needed: records 1–7 run (18 s left after the 6th), the 8th sees 11 s and goes back.
    const sub = testSubscription('sub_f', new Date(START).toISOString(), { eventTypes: ['order.*'], ordering: 'fifo' });
    const limited = fifoConsumer(sub);
    expect(failedIds(await limited.invoke(ALL, 1))).toEqual(['m8', 'm9', 'm10']);
    expect(limited.posted()).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const local = fifoConsumer(sub);
    expect(failedIds(await local.invoke(ALL, 1, false))).toEqual([]);
    expect(local.posted()).toEqual(ALL);
  });

  it('always takes a group’s first record, which starts with the invocation’s whole budget (handing it back could never end)', async () => {
    const sub = testSubscription('sub_f', new Date(START).toISOString(), { eventTypes: ['order.*'], ordering: 'fifo', timeoutMs: 30_000 });
    const engine = testEngine([sub], () => ({ kind: 'response', statusCode: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 1 }), { now: () => START });
    const handler = createFifoBatchHandler((queued, receipt) => deliverInOrder(engine.deps, queued, receipt), new MemoryFifoQueue());
    const response = await handler({ Records: [recordOf(1, 1), recordOf(2, 1)] }, { getRemainingTimeInMillis: () => 1_000 });
    expect(engine.sent).toHaveLength(1);
    expect(failedIds(response)).toEqual(['m2']);
  });
});
