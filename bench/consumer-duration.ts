/**
 * The consumer's Lambda duration, measured rather than assumed: the deployed consumer bundle
 * (functions/consumer.ts built as cdk/bundling.ts builds it) runs in its own `node` process, the way
 * the Lambda runtime hosts it, and is handed SQS events the way the event source mapping hands them
 * (records of `{kind:'event'}` queue bodies, batch of 1 or 10) with a Lambda-shaped context. Behind it
 * is the local stack's DynamoDB Local (subscriptions, attempt log) and a receiver in a third process
 * that answers each delivery after 100 ms, a typical endpoint. What is timed is the handler's promise,
 * which is what Lambda bills; the first invocation of a process (connections, cache fill) is
 * reported apart as the cold invocation. Afterwards the attempt-log items in the table are sized as
 * DynamoDB bills them (write units per started KB per item), per delivery.
 *
 * `npm run cost` runs this and prices the result; it is not a tuning loop (DynamoDB Local answers
 * slower than DynamoDB does in-region, and this CPU is not a Lambda's 512 MB share of one).
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { NODE_OPTIONS } from '../cdk/bundling.ts';
import { documentClient, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import { queryPages } from '#shared/adapters/aws/dynamodb-pages.ts';
import { newMessageId } from '#shared/core/platform/ids.ts';
import { serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { settingsEnvironment } from '#shared/core/platform/settings.ts';
import { startLocalStack, type LocalStack } from '#shared/local/stack.ts';
import { benchOutDir, bundleFunction, LAMBDA_RUNTIME_ENV } from './bundle.ts';
import { stackApi } from './local-api.ts';
import { PROJECT_ROOT, startReceiverProcess } from './receiver-process.ts';

export interface DurationOptions {
  /** How long the receiver takes to answer each delivery. @default 100 */
  endpointMs?: number;
  /** Timed invocations per (fan-out, batch size), after one warm invocation. @default 12 */
  invocations?: number;
  fanOuts?: readonly number[];
  batchSizes?: readonly number[];
  /** Bytes of filler in each event's data (the cost model's 1 KiB event). @default 900 */
  eventBytes?: number;
}

export interface DurationSample {
  fanOut: number;
  batchSize: number;
  /** The first invocation in a fresh process for this tenant's endpoints (connection set-up, cache misses). */
  firstMs: number;
  /** Median and 90th percentile of the timed invocations. */
  medianMs: number;
  p90Ms: number;
  invocations: number;
  /** DynamoDB write units the attempt log took per delivery (items as stored, billed per started KB). */
  attemptWruPerDelivery: number;
}

export interface DurationReport {
  endpointMs: number;
  /** Import of the bundle in the fresh process (the cold start's own init). */
  importMs: number;
  /** Largest resident set seen in the function process. */
  maxRssMb: number;
  samples: DurationSample[];
}

/** The process the Lambda runtime would be: imports the handler, then invokes it on each IPC message. */
const RUNNER = `const t0 = performance.now();
const { handler } = await import(process.env.HOOKPOST_BENCH_BUNDLE);
const importMs = performance.now() - t0;
let maxRss = process.memoryUsage().rss;
process.on('message', async ({ id, event }) => {
  const context = {
    functionName: 'hookpost-consumer', functionVersion: '$LATEST', memoryLimitInMB: '512',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hookpost-consumer',
    awsRequestId: id, logGroupName: '/aws/lambda/hookpost-consumer', logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000,
    done() {}, fail() {}, succeed() {},
  };
  const started = performance.now();
  try {
    const response = await handler(event, context);
    const ms = performance.now() - started;
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    process.send({ id, ms, failures: response?.batchItemFailures?.length ?? 0, maxRss });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, importMs });
`;

interface FunctionProcess {
  importMs: number;
  invoke(event: SQSEvent): Promise<{ ms: number; failures: number; maxRss: number }>;
  stop(): void;
}

async function startFunctionProcess(bundleFile: string, runnerFile: string, env: Record<string, string>): Promise<FunctionProcess> {
  const child = fork(runnerFile, [], {
    cwd: path.dirname(runnerFile),
    env: { ...process.env, ...env, HOOKPOST_BENCH_BUNDLE: `file://${bundleFile}`, NODE_OPTIONS },
    // The function's own log lines (Powertools writes JSON to stdout) are not this report's; its
    // stderr (runtime warnings) is kept for the error message if it dies.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pending = new Map<string, (answer: { ms?: number; failures?: number; maxRss?: number; error?: string }) => void>();
  const importMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the consumer bundle did not start within 30 s')), 30_000);
    child.on('message', (message: { ready?: boolean; importMs?: number; id?: string; ms?: number; failures?: number; maxRss?: number; error?: string }) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve(message.importMs ?? Number.NaN);
      } else if (message.id) pending.get(message.id)?.(message);
    });
    child.once('exit', (code) => reject(new Error(`the consumer process exited (code ${code}): ${stderr}`)));
  });
  return {
    importMs,
    invoke: (event) =>
      new Promise((resolve, reject) => {
        const id = randomUUID();
        const timer = setTimeout(() => reject(new Error('an invocation took over 60 s')), 60_000);
        pending.set(id, (answer) => {
          clearTimeout(timer);
          pending.delete(id);
          if (answer.error !== undefined) reject(new Error(`the handler threw: ${answer.error}`));
          else resolve({ ms: answer.ms ?? Number.NaN, failures: answer.failures ?? 0, maxRss: answer.maxRss ?? 0 });
        });
        child.send({ id, event });
      }),
    stop: () => child.kill('SIGTERM'),
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const EVENT_TYPE = 'bench.duration';
const tenantOf = (fanOut: number, batchSize: number) => `duration-${fanOut}-${batchSize}`;

/** DynamoDB's size of a stored value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}

const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);

/** Write units the attempt-log items of these subscriptions took: one per started KB of each item. */
async function attemptLogWru(stack: LocalStack, subscriptionIds: string[]): Promise<number> {
  const client = dynamoDbClient(stack.settings.region, stack.settings.dynamoDbEndpoint);
  try {
    let wru = 0;
    for (const id of subscriptionIds) {
      const { items } = await queryPages(documentClient(client), {
        TableName: stack.settings.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ATTEMPTS#${id}` },
      });
      wru += items.reduce((sum: number, item) => sum + Math.ceil(itemBytes(item) / 1024), 0);
    }
    return wru;
  } finally {
    client.destroy();
  }
}

/** One Lambda SQS event: `size` events of `tenant`, as the event source mapping would hand them over. */
function sqsEvent(stack: LocalStack, tenant: string, size: number, filler: string, n: { next: number }): SQSEvent {
  const now = Date.now();
  const records: SQSRecord[] = Array.from({ length: size }, () => {
    const message = {
      id: newMessageId(now),
      type: EVENT_TYPE,
      tenant,
      timestamp: new Date(now).toISOString(),
      dataJson: JSON.stringify({ n: n.next++, note: filler }),
    };
    return {
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: serializeQueueBody({ kind: 'event', message }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(now), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(now) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: stack.settings.eventsQueueArn ?? '',
      awsRegion: stack.settings.region,
    };
  });
  return { Records: records };
}

export async function measureConsumerDuration(options: DurationOptions = {}): Promise<DurationReport> {
  const endpointMs = options.endpointMs ?? 100;
  const invocations = options.invocations ?? 12;
  const fanOuts = options.fanOuts ?? [1, 3];
  const batchSizes = options.batchSizes ?? [1, 10];
  const filler = randomBytes(options.eventBytes ?? 900).toString('base64url').slice(0, options.eventBytes ?? 900);
  const outDir = benchOutDir('hookpost-consumer-duration');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const receiver = await startReceiverProcess({ delayMs: endpointMs });
  // A local key for the signing secrets, which the bundled consumer is given too (KMS has no local endpoint).
  const stack = await startLocalStack({ allowPrivateTargets: true, localSecretsKey: randomBytes(32).toString('base64') });
  let fn: FunctionProcess | undefined;
  try {
    const bundle = await bundleFunction('consumer', path.join(PROJECT_ROOT, 'functions', 'consumer.ts'), outDir);
    const runner = path.join(outDir, 'runner.mjs');
    await writeFile(runner, RUNNER);
    await stackApi(stack, 'PUT', `/v1/event-types/${EVENT_TYPE}`, { description: 'consumer duration bench' });
    // Endpoints of their own per case, so each case's attempt-log items can be told apart.
    const endpoints = new Map<string, string[]>();
    for (const fanOut of fanOuts) {
      for (const batchSize of batchSizes) {
        const ids: string[] = [];
        for (let i = 0; i < fanOut; i++) {
          const created = (await stackApi(stack, 'POST', `/v1/tenants/${tenantOf(fanOut, batchSize)}/subscriptions`, {
            url: `${receiver.origin}/duration/${fanOut}/${batchSize}/${i}`,
            eventTypes: [EVENT_TYPE],
          })) as { id: string };
          ids.push(created.id);
        }
        endpoints.set(tenantOf(fanOut, batchSize), ids);
      }
    }
    // The function's environment as the stack sets it, pointed at this local stack's queues and table.
    const env = { ...LAMBDA_RUNTIME_ENV, ...settingsEnvironment(stack.settings), AWS_REGION: stack.settings.region };
    fn = await startFunctionProcess(bundle.file, runner, env);
    const counter = { next: 0 };
    const samples: DurationSample[] = [];
    let maxRss = 0;
    for (const fanOut of fanOuts) {
      for (const batchSize of batchSizes) {
        const tenant = tenantOf(fanOut, batchSize);
        const before = (await receiver.stats()).received;
        const times: number[] = [];
        for (let i = 0; i <= invocations; i++) {
          const result = await fn.invoke(sqsEvent(stack, tenant, batchSize, filler, counter));
          if (result.failures > 0) throw new Error(`fan-out ${fanOut}, batch ${batchSize}: ${result.failures} records failed`);
          maxRss = Math.max(maxRss, result.maxRss);
          times.push(result.ms);
        }
        const received = (await receiver.stats()).received - before;
        const expected = (invocations + 1) * batchSize * fanOut;
        if (received !== expected) throw new Error(`fan-out ${fanOut}, batch ${batchSize}: ${received} of ${expected} deliveries arrived`);
        const [firstMs = Number.NaN, ...timed] = times;
        const wru = await attemptLogWru(stack, endpoints.get(tenant) ?? []);
        samples.push({
          fanOut,
          batchSize,
          firstMs,
          medianMs: quantile(timed, 0.5),
          p90Ms: quantile(timed, 0.9),
          invocations,
          attemptWruPerDelivery: wru / expected,
        });
      }
    }
    return { endpointMs, importMs: fn.importMs, maxRssMb: maxRss / 2 ** 20, samples };
  } finally {
    fn?.stop();
    await stack.stop();
    await receiver.stop();
    await rm(outDir, { recursive: true, force: true });
  }
}
