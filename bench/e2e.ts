/**
 * `npm run bench:e2e`: events per second through the whole local stack (`npm run dev`'s
 * startLocalStack: API server → fauxqs → Lambda-like poller → consumer → DynamoDB Local attempt log →
 * receiver), publishing through `POST /v1/events/batch` (100 per request), at fan-out 1 and 3.
 * Beside it, fauxqs's own SendMessageBatch / ReceiveMessage / DeleteMessageBatch loop on the same
 * machine: the ceiling any SQS consumer could reach here.
 *
 * Latency, publish → receiver (the event's `timestamp`, stamped when ingest accepts it, to its arrival
 * at the receiver): at a low rate (`--rate` events/s published one per request, for `--seconds`) and at
 * saturation (every delivery of the fan-out 1 throughput run, whose batches arrive faster than they
 * are delivered, so later events also wait their turn in the queue).
 *
 *   npm run bench:e2e -- --events 2000 --rate 10 --seconds 20
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { LOCAL_REGION, sqsClient } from '#shared/adapters/aws/clients.ts';
import { startSqsLocal } from '#shared/local/sqs-local.ts';
import { startLocalStack, type LocalStack } from '#shared/local/stack.ts';
import { stackApi } from './local-api.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';

const { values: flags } = parseArgs({
  options: { events: { type: 'string', default: '2000' }, rate: { type: 'string', default: '10' }, seconds: { type: 'string', default: '20' } },
});
const EVENTS = Math.max(100, Math.floor(Number(flags.events) / 100) * 100 || 2000);
const LOW_RATE = Math.max(1, Number(flags.rate) || 10);
const LOW_RATE_SECONDS = Math.max(2, Number(flags.seconds) || 20);
const BATCH = 100;
/** Batch requests in flight at once. */
const PUBLISHERS = 4;
/** Everything stops after this long, delivered or not. */
const DEADLINE_MS = 120_000;
const POLLERS = 2; // the local poller's default number of receive loops
const EVENT_TYPE = 'bench.event';
const filler = randomBytes(1024).toString('base64url').slice(0, 900);

interface Result {
  label: string;
  events: number;
  deliveries: number;
  seconds: number;
  /** Publish → receiver ms of every delivery in the run. */
  latencies?: number[];
}

interface LatencyRow {
  label: string;
  deliveries: number;
  latencies: number[];
}

/** The receiver's `[arrival, publish→arrival ms, n]` triples → the latencies. */
const latenciesOf = (triples: number[]) => triples.filter((_, i) => i % 3 === 1);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function throughStack(stack: LocalStack, receiver: ReceiverProcess, fanOut: number): Promise<Result> {
  const tenant = `bench-fanout-${fanOut}`;
  for (let i = 0; i < fanOut; i++) {
    await stackApi(stack, 'POST', `/v1/tenants/${tenant}/subscriptions`, {
      url: `${receiver.origin}/${tenant}/${i}`,
      eventTypes: [EVENT_TYPE],
      description: `bench endpoint ${i + 1} of ${fanOut}`,
    });
  }
  const before = (await receiver.stats()).received;
  const expected = before + EVENTS * fanOut;
  await receiver.latencies(); // from here on

  let firstAcceptAt: number | undefined;
  let nextBatch = 0;
  const publisher = async () => {
    for (let b = nextBatch++; b < EVENTS / BATCH; b = nextBatch++) {
      const events = Array.from({ length: BATCH }, (_, i) => ({
        type: EVENT_TYPE,
        tenant,
        data: { n: b * BATCH + i, note: filler },
      }));
      const json = await stackApi(stack, 'POST', '/v1/events/batch', { events });
      firstAcceptAt ??= Date.now();
      const results = (json as { results?: Array<{ id?: string }> }).results ?? [];
      if (results.length !== BATCH || results.some((r) => !r.id)) {
        throw new Error(`a batch was not fully accepted: ${JSON.stringify(results.find((r) => !r.id))}`);
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));

  let stats = await receiver.stats();
  while (stats.received < expected && Date.now() - started < DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = await receiver.stats();
  }
  if (stats.received < expected) {
    throw new Error(`fan-out ${fanOut}: ${stats.received - before} of ${EVENTS * fanOut} deliveries within ${DEADLINE_MS / 1000} s`);
  }
  return {
    label: `hookpost local, fan-out ${fanOut}`,
    events: EVENTS,
    deliveries: EVENTS * fanOut,
    seconds: (stats.lastReceivedAt - (firstAcceptAt ?? started)) / 1000,
    latencies: latenciesOf(await receiver.latencies()),
  };
}

/** Events published one per request at `LOW_RATE`/s to one endpoint; every one's publish → receiver time. */
async function atLowRate(stack: LocalStack, receiver: ReceiverProcess): Promise<LatencyRow> {
  const tenant = 'bench-low-rate';
  await stackApi(stack, 'POST', `/v1/tenants/${tenant}/subscriptions`, { url: `${receiver.origin}/${tenant}`, eventTypes: [EVENT_TYPE] });
  const events = Math.round(LOW_RATE * LOW_RATE_SECONDS);
  const before = (await receiver.stats()).received;
  await receiver.latencies();
  const started = Date.now();
  const published: Promise<unknown>[] = [];
  for (let n = 0; n < events; n++) {
    // On a schedule, not after the previous answer: a slow answer does not slow the rate.
    const due = started + (n * 1000) / LOW_RATE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    published.push(stackApi(stack, 'POST', '/v1/events', { type: EVENT_TYPE, tenant, data: { n, note: filler } }));
  }
  await Promise.all(published);
  let stats = await receiver.stats();
  while (stats.received < before + events && Date.now() - started < DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = await receiver.stats();
  }
  if (stats.received < before + events) throw new Error(`low rate: ${stats.received - before} of ${events} deliveries within ${DEADLINE_MS / 1000} s`);
  return { label: `${LOW_RATE} events/s, one per request, fan-out 1`, deliveries: events, latencies: latenciesOf(await receiver.latencies()) };
}

/** fauxqs alone: batches of 10 sent and, concurrently, received and deleted by POLLERS loops. */
async function fauxqsCeiling(): Promise<Result> {
  const sqsLocal = await startSqsLocal();
  const sqs = sqsClient(LOCAL_REGION, sqsLocal.endpoint);
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${Date.now()}` }));
    if (!QueueUrl) throw new Error('fauxqs created no queue');
    const body = JSON.stringify({ kind: 'event', message: { id: 'msg_x', type: EVENT_TYPE, tenant: 't', data: { note: filler } } });
    const started = Date.now();
    let sentBatches = 0;
    const sender = async () => {
      for (let b = sentBatches++; b < EVENTS / 10; b = sentBatches++) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: body })),
          }),
        );
      }
    };
    let done = 0;
    let lastDeleteAt = started;
    const consumer = async () => {
      while (done < EVENTS && Date.now() - started < DEADLINE_MS) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) continue;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        done += Messages.length;
        lastDeleteAt = Date.now();
      }
    };
    await Promise.all([...Array.from({ length: PUBLISHERS }, sender), ...Array.from({ length: POLLERS }, consumer)]);
    if (done < EVENTS) throw new Error(`fauxqs: ${done} of ${EVENTS} messages within ${DEADLINE_MS / 1000} s`);
    return { label: `fauxqs raw send/receive/delete (${POLLERS} receivers)`, events: EVENTS, deliveries: EVENTS, seconds: (lastDeleteAt - started) / 1000 };
  } finally {
    sqs.destroy();
    await sqsLocal.stop();
  }
}

async function main(): Promise<void> {
  const receiver = await startReceiverProcess({ latencies: true });
  const results: Result[] = [];
  let lowRate: LatencyRow | undefined;
  try {
    const stack = await startLocalStack({ allowPrivateTargets: true });
    try {
      await stackApi(stack, 'PUT', `/v1/event-types/${EVENT_TYPE}`, { description: 'benchmark event' });
      lowRate = await atLowRate(stack, receiver);
      for (const fanOut of [1, 3]) results.push(await throughStack(stack, receiver, fanOut));
    } finally {
      await stack.stop();
    }
    results.push(await fauxqsCeiling());
  } finally {
    await receiver.stop();
  }

  console.log(`machine: ${os.cpus().length} cores, Node ${process.version}; ${EVENTS} events of ~1 KiB, published ${BATCH} per request, ${PUBLISHERS} requests in flight`);
  console.log('');
  console.log('| path                                         | events | deliveries | seconds | events/s | deliveries/s |');
  console.log('|----------------------------------------------|-------:|-----------:|--------:|---------:|-------------:|');
  for (const r of results) {
    console.log(
      `| ${r.label.padEnd(44)} | ${String(r.events).padStart(6)} | ${String(r.deliveries).padStart(10)} | ${r.seconds.toFixed(2).padStart(7)} | ${(r.events / r.seconds).toFixed(0).padStart(8)} | ${(r.deliveries / r.seconds).toFixed(0).padStart(12)} |`,
    );
  }
  console.log('');
  console.log('hookpost rows: first accepted batch to last delivery received; fauxqs row: first send to last delete.');
  console.log('');
  const latencyRows: LatencyRow[] = [
    ...(lowRate ? [lowRate] : []),
    ...results
      .filter((r) => r.latencies)
      .map((r) => ({ label: `saturation: ${r.label.replace('hookpost local, ', '')}, ${BATCH} per request`, deliveries: r.deliveries, latencies: r.latencies ?? [] })),
  ];
  console.log('publish → receiver latency (event timestamp at ingest to arrival at the receiver):');
  console.log('');
  console.log('| load                                                 | deliveries | p50 ms | p99 ms | max ms |');
  console.log('|------------------------------------------------------|-----------:|-------:|-------:|-------:|');
  for (const row of latencyRows) {
    const [p50, p99, max] = [0.5, 0.99, 1].map((q) => quantile(row.latencies, q).toFixed(0));
    console.log(`| ${row.label.padEnd(52)} | ${String(row.deliveries).padStart(10)} | ${p50?.padStart(6)} | ${p99?.padStart(6)} | ${max?.padStart(6)} |`);
  }
  for (const row of latencyRows) {
    if (row.latencies.length !== row.deliveries) throw new Error(`${row.label}: ${row.latencies.length} latencies for ${row.deliveries} deliveries`);
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
