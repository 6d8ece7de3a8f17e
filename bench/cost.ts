/**
 * `npm run cost`: what one million events cost on AWS (us-east-1 list prices), derived from the stack's
 * own defaults (cdk/stack-props.ts), from what the code does per event, and from the consumer's Lambda
 * duration measured first (bench/consumer-duration.ts: the bundled consumer handler, a Lambda-like
 * host, DynamoDB Local, a receiver answering in 100 ms). No AWS calls: a model fed one measurement.
 *
 * Prices are the public us-east-1 list prices as remembered, not fetched (no network here): check them
 * against https://aws.amazon.com/<service>/pricing/ before quoting. Free tiers are ignored.
 *
 *   npm run cost -- --invocations 20
 */
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../cdk/stack-props.ts';
import { DEFAULTS as SETTINGS } from '#shared/core/platform/settings.ts';
import { type DurationReport, type DurationSample, measureConsumerDuration } from './consumer-duration.ts';

/** List price as of 2026, us-east-1, USD. Source: the AWS pricing page of each service (not fetched). */
const PRICE = {
  /** Lambda, arm64: per GB-second of duration (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda: per request. $0.20 per million. */
  lambdaRequest: 0.2 / 1e6,
  /** SQS standard: per request; every 64 KiB chunk of a request's payload is billed as one request. $0.40 per million. */
  sqsRequest: 0.4 / 1e6,
  /** SQS FIFO: per request (64 KiB chunks, as standard). $0.50 per million. */
  sqsFifoRequest: 0.5 / 1e6,
  /** DynamoDB on-demand: per write request unit (1 KB); $0.625 per million since the Nov 2024 price cut. */
  dynamoWru: 0.625 / 1e6,
  /** DynamoDB on-demand: per read request unit (4 KB strongly consistent, 2 × 4 KB eventually consistent). $0.125 per million. */
  dynamoRru: 0.125 / 1e6,
  /** API Gateway HTTP API: per request, metered in 512 KB increments. $1.00 per million (first 300 M). */
  httpApiRequest: 1.0 / 1e6,
  /** CloudWatch Logs: ingestion per GB (standard class). */
  logsIngestGb: 0.5,
  /** X-Ray: per trace recorded. $5.00 per million. */
  xrayTrace: 5.0 / 1e6,
  /** Secrets Manager: per API call. $0.05 per 10,000. */
  secretsManagerCall: 0.05 / 10_000,
} as const;

/**
 * What the code does, per event or per invocation, and the few things the code cannot tell (marked
 * "assumption"). Everything else comes from DEFAULTS.
 */
const MODEL = {
  /** Bytes of the queued `{kind:'event',message}` for a 1 KiB `data`: well under one 64 KiB SQS chunk. */
  queuedMessageBytes: 1_400,
  /** SendMessageBatch takes 10 entries (shared/queues/sqs.ts MAX_SQS_BATCH_ENTRIES). */
  sqsBatchEntries: 10,
  /** Assumption: the receiving endpoint's typical response time; the duration harness's receiver answers after it. */
  endpointLatencyMs: 100,
  /** Assumption: ingest duration for one event (validate, cached type lookup, one SendMessage). */
  ingestSingleMs: 15,
  /** Assumption: ingest duration for 100 events (validate, 10 SendMessageBatch calls in parallel). */
  ingestBatchMs: 60,
  /** Assumption: share of subscription / event-type reads served by the in-function TTL cache (5 s). */
  cacheHitRate: 0.99,
  /** An eventually consistent read of a small item or a tenant's subscriptions (< 4 KB): 0.5 RRU. */
  rruPerMiss: 0.5,
  /** Lambda JSON platform records per invocation (platform.start + platform.report), bytes. */
  platformLogBytes: 700,
  /** One EMF line per consumer invocation (Powertools logMetrics flush; no PutMetricData calls), bytes. */
  emfBytes: 400,
  /** One API Gateway access-log line per HTTP request, bytes. */
  accessLogBytes: 350,
  /** X-Ray default sampling: 1 request/s reservoir, then 5 %; at volume ≈ 5 % of invocations are traced. */
  xraySampledShare: 0.05,
  /** The Lambda SQS event source's initial receivers (it adds more under load). */
  pollers: 5,
  /** Assumption: one ReceiveMessage round trip in-region. */
  receiveMs: 20,
} as const;

type Publish = 'single' | 'batch';

interface LineItem {
  service: string;
  usage: string;
  dollars: number;
}

/** A measured figure at `fanOut` for invocations of `batchSize` records, interpolated between the measured sizes. */
function measured(report: DurationReport, fanOut: number, batchSize: number, figure: (s: DurationSample) => number): number {
  const samples = report.samples.filter((s) => s.fanOut === fanOut).sort((a, b) => a.batchSize - b.batchSize);
  const below = [...samples].reverse().find((s) => s.batchSize <= batchSize) ?? samples[0];
  const above = samples.find((s) => s.batchSize >= batchSize) ?? samples.at(-1);
  if (!below || !above) throw new Error(`nothing measured at fan-out ${fanOut}`);
  if (above.batchSize === below.batchSize) return figure(below);
  const share = (batchSize - below.batchSize) / (above.batchSize - below.batchSize);
  return figure(below) + share * (figure(above) - figure(below));
}

/** The consumer's measured duration (median ms) per invocation. */
const consumerMs = (report: DurationReport, fanOut: number, batchSize: number) => measured(report, fanOut, batchSize, (s) => s.medianMs);
/** Share of invocations X-Ray traces: none unless the stack turns tracing on (`tracing`, off by default). */
const TRACED_SHARE = DEFAULTS.tracing ? MODEL.xraySampledShare : 0;

/** The attempt log's measured write units per delivery: successes finishing together share packed items. */
const wruPerDelivery = (report: DurationReport, fanOut: number, batchSize: number) =>
  measured(report, fanOut, batchSize, (s) => s.attemptWruPerDelivery);

/** What the consumer side costs per million events delivered in invocations of `batchSize` records. */
function consumerSide(report: DurationReport, fanOut: number, batchSize: number) {
  const invocations = 1e6 / batchSize;
  const ms = consumerMs(report, fanOut, batchSize);
  const gbS = invocations * (ms / 1000) * (DEFAULTS.consumerMemorySize / 1024);
  // One ReceiveMessage and one DeleteMessageBatch per invocation; each under 64 KiB at these sizes.
  const receiveChunks = Math.ceil((MODEL.queuedMessageBytes * batchSize) / 65_536);
  const sqsRequests = invocations * (receiveChunks + 1);
  const logBytes = invocations * (MODEL.platformLogBytes + MODEL.emfBytes);
  const traces = invocations * TRACED_SHARE;
  const dollars =
    invocations * PRICE.lambdaRequest +
    gbS * PRICE.lambdaArmGbSecond +
    sqsRequests * PRICE.sqsRequest +
    (logBytes / 1e9) * PRICE.logsIngestGb +
    traces * PRICE.xrayTrace;
  return { invocations, ms, gbS, sqsRequests, logBytes, traces, dollars };
}

/** Line items for one million events published one way and each delivered to `fanOut` endpoints. */
function perMillion(report: DurationReport, fanOut: number, publish: Publish): LineItem[] {
  const events = 1e6;
  const perRequest = publish === 'batch' ? 100 : 1;
  const apiRequests = events / perRequest;
  const ingestGbS = apiRequests * ((publish === 'batch' ? MODEL.ingestBatchMs : MODEL.ingestSingleMs) / 1000) * (DEFAULTS.apiMemorySize / 1024);

  // Consumer: SQS event source batches of DEFAULTS.batchSize (full under load thanks to the batching window).
  const consumer = consumerSide(report, fanOut, DEFAULTS.batchSize);

  // SQS: send (1 per event, or 1 per 10 with SendMessageBatch), one ReceiveMessage and one
  // DeleteMessageBatch per consumer batch; each well under 64 KiB, so one billed request each.
  const chunksPerBatch = Math.ceil((MODEL.queuedMessageBytes * MODEL.sqsBatchEntries) / 65_536);
  const sends = publish === 'batch' ? (events / MODEL.sqsBatchEntries) * chunksPerBatch : events;

  // The attempt log as measured: successes that finish together are packed into one item (core of
  // shared/adapters/aws/dynamodb-attempts.ts), so a batch of deliveries to one endpoint shares write units.
  const wru = events * fanOut * wruPerDelivery(report, fanOut, DEFAULTS.batchSize);
  // Misses: the consumer's subscription query, the ingest's event-type get and its read of the
  // tenant's routes (which endpoints are FIFO, core/engine/fifo.ts). Ingest checks the API key itself, but a
  // key's decision is cached 30 s per container (core/management/auth.ts): ≈ 0 reads per event.
  const rru = events * 3 * (1 - MODEL.cacheHitRate) * MODEL.rruPerMiss;

  const logBytes = apiRequests * (MODEL.platformLogBytes + MODEL.accessLogBytes) + consumer.logBytes;
  const traces = apiRequests * TRACED_SHARE + consumer.traces;

  const gbS = ingestGbS + consumer.gbS;
  const invocations = apiRequests + consumer.invocations;
  return [
    { service: 'API Gateway HTTP API', usage: `${fmtCount(apiRequests)} requests`, dollars: apiRequests * PRICE.httpApiRequest },
    { service: 'Lambda requests', usage: `${fmtCount(invocations)} invocations`, dollars: invocations * PRICE.lambdaRequest },
    { service: 'Lambda duration (arm64)', usage: `${fmtCount(gbS)} GB-s`, dollars: gbS * PRICE.lambdaArmGbSecond },
    { service: 'SQS send', usage: `${fmtCount(sends)} requests`, dollars: sends * PRICE.sqsRequest },
    { service: 'SQS receive + delete', usage: `${fmtCount(consumer.sqsRequests)} requests`, dollars: consumer.sqsRequests * PRICE.sqsRequest },
    { service: 'DynamoDB writes (attempt log)', usage: `${fmtCount(wru)} WRU`, dollars: wru * PRICE.dynamoWru },
    { service: 'DynamoDB reads (cache misses)', usage: `${fmtCount(rru)} RRU`, dollars: rru * PRICE.dynamoRru },
    { service: 'CloudWatch Logs ingestion', usage: `${(logBytes / 1e9).toFixed(3)} GB`, dollars: (logBytes / 1e9) * PRICE.logsIngestGb },
    { service: 'X-Ray traces', usage: DEFAULTS.tracing ? `${fmtCount(traces)} traces` : 'tracing off (stack default)', dollars: traces * PRICE.xrayTrace },
    { service: 'Secrets Manager', usage: 'cached (≈ 0 calls)', dollars: 0 * PRICE.secretsManagerCall },
  ];
}

/**
 * Records per invocation the Lambda SQS event source hands over at `rate` events/s (a model): it
 * starts with MODEL.pollers long-polling receivers that share the arrivals. With a batching window a
 * receiver gathers for up to the window (or until the batch is full); without one it takes what
 * arrived while its previous invocation ran (the function's duration plus a receive).
 */
function batchAt(report: DurationReport, rate: number, windowSeconds: number): { size: number; waitMeanMs: number; waitMaxMs: number } {
  const perPoller = rate / MODEL.pollers;
  // How long one receiver takes to see a full batch arrive.
  const fillMs = (DEFAULTS.batchSize / perPoller) * 1000;
  if (windowSeconds > 0) {
    const waitMaxMs = Math.min(windowSeconds * 1000, fillMs);
    return { size: Math.max(1, Math.min(DEFAULTS.batchSize, (perPoller * waitMaxMs) / 1000)), waitMeanMs: waitMaxMs / 2, waitMaxMs };
  }
  const cycleMs = consumerMs(report, 1, 1) + MODEL.receiveMs;
  const size = Math.max(1, Math.min(DEFAULTS.batchSize, (perPoller * cycleMs) / 1000));
  // A record that arrives while every receiver's invocation runs waits for one to come back.
  const waitMaxMs = size > 1 ? Math.min(cycleMs, fillMs) : MODEL.receiveMs;
  return { size, waitMeanMs: waitMaxMs / 2, waitMaxMs };
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n < 10 ? 2 : 0);
}

const dollars = (n: number) => `$${n.toFixed(n < 0.01 && n > 0 ? 4 : 2)}`;
const total = (items: LineItem[]) => items.reduce((sum, item) => sum + item.dollars, 0);
const ms = (n: number) => n.toFixed(0);

function printMeasurement(report: DurationReport): void {
  console.log(
    `consumer duration, measured (bundled consumer handler in its own node process; DynamoDB Local; receiver answers after ${report.endpointMs} ms; ` +
      `bundle import ${ms(report.importMs)} ms, max RSS ${report.maxRssMb.toFixed(0)} MB, Node ${process.version}, this machine):`,
  );
  console.log('');
  console.log('| fan-out | records per invocation | first invocation ms | median ms | p90 ms | median ms per delivery | attempt-log WRU per delivery |');
  console.log('|--------:|-----------------------:|--------------------:|----------:|-------:|-----------------------:|-----------------------------:|');
  for (const s of report.samples) {
    console.log(
      `| ${String(s.fanOut).padStart(7)} | ${String(s.batchSize).padStart(22)} | ${ms(s.firstMs).padStart(19)} | ${ms(s.medianMs).padStart(9)} | ${ms(s.p90Ms).padStart(6)} | ${(s.medianMs / (s.batchSize * s.fanOut)).toFixed(1).padStart(22)} | ${s.attemptWruPerDelivery.toFixed(2).padStart(28)} |`,
    );
  }
  console.log('');
}

function printBatchingWindow(report: DurationReport): void {
  // Everything but the consumer side and the attempt log (whose packing depends on the batch size).
  const fixed = total(perMillion(report, 1, 'batch')) - consumerSide(report, 1, DEFAULTS.batchSize).dollars - attemptLog(report, DEFAULTS.batchSize);
  function attemptLog(r: DurationReport, size: number): number {
    return 1e6 * wruPerDelivery(r, 1, size) * PRICE.dynamoWru;
  }
  console.log(
    `maxBatchingWindow 0 s vs 1 s (fan-out 1, batch publish; a model over the measured durations, ${MODEL.pollers} receivers, ` +
      `${MODEL.receiveMs} ms per receive; wait = time a record spends in the event source before the function gets it):`,
  );
  console.log('');
  console.log('| events/s | window | records per invocation | wait mean ms | wait max ms | consumer + attempt log $/M | total $/M |');
  console.log('|---------:|-------:|-----------------------:|-------------:|------------:|---------------------------:|----------:|');
  for (const rate of [10, 100, 1000]) {
    for (const window of [0, 1]) {
      const batch = batchAt(report, rate, window);
      const side = consumerSide(report, 1, batch.size).dollars + attemptLog(report, batch.size);
      console.log(
        `| ${String(rate).padStart(8)} | ${`${window} s`.padStart(6)} | ${batch.size.toFixed(1).padStart(22)} | ${ms(batch.waitMeanMs).padStart(12)} | ${ms(batch.waitMaxMs).padStart(11)} | ${dollars(side).padStart(26)} | ${dollars(fixed + side).padStart(9)} |`,
      );
    }
  }
  console.log('');
}

/** What the per-endpoint delivery controls add, per million deliveries to endpoints that use them. */
function printDeliveryControls(report: DurationReport): void {
  const gbSecond = DEFAULTS.consumerMemorySize / 1024;
  const limiter = 1e6 * PRICE.dynamoWru;
  const inlineWait = 1e6 * (SETTINGS.rateLimitInlineWaitMs / 1000 / DEFAULTS.batchSize) * gbSecond * PRICE.lambdaArmGbSecond;
  const requeue = 1e6 * (PRICE.sqsRequest * (1 + 2 / DEFAULTS.batchSize) + PRICE.lambdaRequest / DEFAULTS.batchSize);
  // A FIFO endpoint's deliveries go one after another: the function waits for each in turn.
  const fifoDuration = 1e6 * (consumerMs(report, 1, 1) / 1000) * gbSecond * PRICE.lambdaArmGbSecond;
  const fifoQueue = 1e6 * PRICE.sqsFifoRequest * (1 / MODEL.sqsBatchEntries + 2 / DEFAULTS.batchSize);
  const fifoInvocations = (1e6 / DEFAULTS.batchSize) * PRICE.lambdaRequest;
  console.log('delivery controls, per million deliveries to endpoints that use them (on top of the table above):');
  console.log(`  filter: events it refuses cost no attempt write and no HTTP: −${dollars(PRICE.dynamoWru * 1e6 * wruPerDelivery(report, 1, DEFAULTS.batchSize))} per million refused`);
  console.log(`  rateLimit, under the limit: one limiter write (UpdateItem, 1 WRU) per delivery: +${dollars(limiter)}`);
  console.log(
    `  rateLimit, at the limit: a wait of up to ${SETTINGS.rateLimitInlineWaitMs} ms inside the invocation (a batch's deliveries wait together): up to +${dollars(inlineWait)}; ` +
      `a longer wait goes back to the queue once: +${dollars(requeue)} (send, receive/delete share, invocation share)`,
  );
  console.log(
    `  ordering fifo: one FIFO send per delivery (batched by 10 at batch publish) and its receive/delete: +${dollars(fifoQueue)}; ` +
      `deliveries one at a time, so the function waits out each endpoint answer (${ms(consumerMs(report, 1, 1))} ms measured): +${dollars(fifoDuration)} duration, +${dollars(fifoInvocations)} invocations`,
  );
  console.log('');
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { invocations: { type: 'string', default: '12' } } });
  const report = await measureConsumerDuration({
    endpointMs: MODEL.endpointLatencyMs,
    invocations: Math.max(3, Number(flags.invocations) || 12),
  });
  const scenarios = [1, 3].flatMap((fanOut) => (['single', 'batch'] as const).map((publish) => ({ fanOut, publish })));
  const results = scenarios.map((s) => ({ ...s, items: perMillion(report, s.fanOut, s.publish) }));

  console.log('Hookpost on AWS: cost per million events, us-east-1 list prices as of 2026 (remembered, not fetched; free tiers ignored)');
  console.log(
    `stack defaults: consumer ${DEFAULTS.consumerMemorySize} MB / API functions ${DEFAULTS.apiMemorySize} MB on arm64, SQS batch ${DEFAULTS.batchSize} ` +
      `(window ${DEFAULTS.maxBatchingWindow.toSeconds()} s), subscription cache ${DEFAULTS.subscriptionCacheMs / 1000} s, ` +
      'metrics as EMF (no PutMetricData)',
  );
  console.log(
    `assumptions: 1 KiB events, endpoint answers in ${MODEL.endpointLatencyMs} ms with < 600 B, every delivery succeeds first time, ` +
      `${MODEL.cacheHitRate * 100} % cache hits, ` +
        (DEFAULTS.tracing
          ? `X-Ray samples ${MODEL.xraySampledShare * 100} %`
          : `X-Ray off (the default; \`tracing: true\` samples ${MODEL.xraySampledShare * 100} % at $5 per million traces)`) +
        '; consumer duration measured (below)',
  );
  console.log('');
  printMeasurement(report);
  const header = results.map((r) => `fan-out ${r.fanOut}, ${r.publish}`.padStart(18));
  console.log(`| ${'line item'.padEnd(30)} | ${header.join(' | ')} |`);
  console.log(`|${'-'.repeat(32)}|${header.map((h) => `${'-'.repeat(h.length + 1)}:`).join('|')}|`);
  const first = results[0];
  if (!first) return;
  first.items.forEach((item, i) => {
    const cells = results.map((r) => dollars(r.items[i]?.dollars ?? 0).padStart(18));
    console.log(`| ${item.service.padEnd(30)} | ${cells.join(' | ')} |`);
  });
  console.log(`| ${'total'.padEnd(30)} | ${results.map((r) => dollars(total(r.items)).padStart(18)).join(' | ')} |`);
  console.log('');
  console.log('usage behind the fan-out 1 columns (per million events):');
  for (const r of results.filter((x) => x.fanOut === 1)) {
    console.log(`  ${r.publish.padEnd(6)} ${r.items.map((item) => `${item.service}: ${item.usage}`).join('; ')}`);
  }
  console.log('');
  printBatchingWindow(report);
  printDeliveryControls(report);
  console.log('compared with (list prices as remembered; assumptions stated):');
  console.log('  EventBridge API Destinations: $1.00/M events put + $0.20/M invocations per target, no signing → fan-out 1: $1.20, fan-out 3: $1.60');
  console.log('  Hookdeck (assumption: ~$3.30 per 100k events beyond a plan, i.e. ~$33/M, plus a monthly plan fee)');
  console.log('  Svix (assumption: Professional plan ~$490/month, then ~$0.0001 per message, i.e. ~$100/M, fan-out counted per message)');
  console.log('  Not per event: SQS empty long-polls by the Lambda event source (~5 pollers, ≈ $0.3/month), Secrets Manager $0.40/secret/month, CloudWatch alarms and dashboard.');
  console.log('  With an Idempotency-Key on single publishes: +2 WRU per event (claim + complete) ≈ +$1.25/M.');
  console.log('  A failed attempt is its own item (1 WRU, more with a long excerpt); the first failure of a message also keeps the message (1+ WRU).');
  console.log('');
  for (const r of results) {
    console.log(`per-million fan-out=${r.fanOut} publish=${r.publish} ${dollars(total(r.items))}`);
  }
  const goal = results.find((r) => r.fanOut === 1 && r.publish === 'batch');
  if (goal) {
    const t = total(goal.items);
    const biggest = [...goal.items].sort((a, b) => b.dollars - a.dollars)[0];
    console.log(
      `goal ≤ $0.96/M at fan-out 1 with batch publish: ${t <= 0.96 ? 'met' : 'missed'} (${dollars(t)}; largest item: ${biggest?.service} ${dollars(biggest?.dollars ?? 0)})`,
    );
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
