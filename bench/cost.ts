/**
 * `npm run cost`: what one million events cost on AWS (us-east-1 list prices), derived from the stack's
 * own defaults (cdk/stack-props.ts) and from what the code does per event. No AWS calls: a model.
 *
 * Prices are the public us-east-1 list prices as remembered, not fetched (no network here): check them
 * against https://aws.amazon.com/<service>/pricing/ before quoting. Free tiers are ignored.
 */
import { DEFAULTS } from '../cdk/stack-props.ts';

/** List price as of 2026, us-east-1, USD. Source: the AWS pricing page of each service (not fetched). */
const PRICE = {
  /** Lambda, arm64: per GB-second of duration (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda: per request. $0.20 per million. */
  lambdaRequest: 0.2 / 1e6,
  /** SQS standard: per request; every 64 KiB chunk of a request's payload is billed as one request. $0.40 per million. */
  sqsRequest: 0.4 / 1e6,
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
  /** Assumption: the receiving endpoint's typical response time. The consumer waits for it. */
  endpointLatencyMs: 100,
  /** Assumption: attempt-record put plus SDK overhead inside one consumer invocation. */
  consumerOverheadMs: 30,
  /** Assumption: each extra endpoint of the same event adds this much (deliveries run concurrently). */
  perExtraDeliveryMs: 5,
  /** Assumption: ingest duration for one event (validate, cached type lookup, one SendMessage). */
  ingestSingleMs: 15,
  /** Assumption: ingest duration for 100 events (validate, 10 SendMessageBatch calls in parallel). */
  ingestBatchMs: 60,
  /** Assumption: share of subscription / event-type reads served by the in-function TTL cache (5 s). */
  cacheHitRate: 0.99,
  /** An eventually consistent read of a small item or a tenant's subscriptions (< 4 KB): 0.5 RRU. */
  rruPerMiss: 0.5,
  /**
   * One PutItem per attempt (shared/adapters/aws/dynamodb.ts DynamoAttemptStore.record). The item is ~400 B
   * plus the response excerpt; 1 WRU while the endpoint answers with less than ~600 B (assumption).
   * Successful deliveries write nothing else (the message is kept only on a failure).
   */
  wruPerAttempt: 1,
  /** Lambda JSON platform records per invocation (platform.start + platform.report), bytes. */
  platformLogBytes: 700,
  /** One EMF line per consumer invocation (Powertools logMetrics flush; no PutMetricData calls), bytes. */
  emfBytes: 400,
  /** One API Gateway access-log line per HTTP request, bytes. */
  accessLogBytes: 350,
  /** X-Ray default sampling: 1 request/s reservoir, then 5 %; at volume ≈ 5 % of invocations are traced. */
  xraySampledShare: 0.05,
} as const;

type Publish = 'single' | 'batch';

interface LineItem {
  service: string;
  usage: string;
  dollars: number;
}

/** Line items for one million events published one way and each delivered to `fanOut` endpoints. */
function perMillion(fanOut: number, publish: Publish): LineItem[] {
  const events = 1e6;
  const perRequest = publish === 'batch' ? 100 : 1;
  const apiRequests = events / perRequest;
  const ingestGbS = apiRequests * ((publish === 'batch' ? MODEL.ingestBatchMs : MODEL.ingestSingleMs) / 1000) * (DEFAULTS.apiMemorySize / 1024);

  // Consumer: SQS event source batches of DEFAULTS.batchSize (full under load thanks to the batching window).
  const consumerInvocations = events / DEFAULTS.batchSize;
  const consumerMs = MODEL.endpointLatencyMs + MODEL.consumerOverheadMs + (fanOut - 1) * MODEL.perExtraDeliveryMs;
  const consumerGbS = consumerInvocations * (consumerMs / 1000) * (DEFAULTS.consumerMemorySize / 1024);

  // SQS: send (1 per event, or 1 per 10 with SendMessageBatch), one ReceiveMessage and one
  // DeleteMessageBatch per consumer batch; each well under 64 KiB, so one billed request each.
  const chunksPerBatch = Math.ceil((MODEL.queuedMessageBytes * MODEL.sqsBatchEntries) / 65_536);
  const sends = publish === 'batch' ? (events / MODEL.sqsBatchEntries) * chunksPerBatch : events;
  const receiveChunks = Math.ceil((MODEL.queuedMessageBytes * DEFAULTS.batchSize) / 65_536);
  const receives = consumerInvocations * receiveChunks;
  const deletes = consumerInvocations;

  const wru = events * fanOut * MODEL.wruPerAttempt;
  // Misses: the consumer's subscription query, the ingest's event-type get. Ingest checks the API key
  // itself, but a key's decision is cached 30 s per container (shared/auth.ts): ≈ 0 reads per event.
  const rru = events * 2 * (1 - MODEL.cacheHitRate) * MODEL.rruPerMiss;

  const logBytes =
    (apiRequests + consumerInvocations) * MODEL.platformLogBytes +
    consumerInvocations * MODEL.emfBytes +
    apiRequests * MODEL.accessLogBytes;
  const traces = (apiRequests + consumerInvocations) * MODEL.xraySampledShare;

  const gbS = ingestGbS + consumerGbS;
  const invocations = apiRequests + consumerInvocations;
  return [
    { service: 'API Gateway HTTP API', usage: `${fmtCount(apiRequests)} requests`, dollars: apiRequests * PRICE.httpApiRequest },
    { service: 'Lambda requests', usage: `${fmtCount(invocations)} invocations`, dollars: invocations * PRICE.lambdaRequest },
    { service: 'Lambda duration (arm64)', usage: `${fmtCount(gbS)} GB-s`, dollars: gbS * PRICE.lambdaArmGbSecond },
    { service: 'SQS send', usage: `${fmtCount(sends)} requests`, dollars: sends * PRICE.sqsRequest },
    { service: 'SQS receive + delete', usage: `${fmtCount(receives + deletes)} requests`, dollars: (receives + deletes) * PRICE.sqsRequest },
    { service: 'DynamoDB writes (attempt log)', usage: `${fmtCount(wru)} WRU`, dollars: wru * PRICE.dynamoWru },
    { service: 'DynamoDB reads (cache misses)', usage: `${fmtCount(rru)} RRU`, dollars: rru * PRICE.dynamoRru },
    { service: 'CloudWatch Logs ingestion', usage: `${(logBytes / 1e9).toFixed(3)} GB`, dollars: (logBytes / 1e9) * PRICE.logsIngestGb },
    { service: 'X-Ray traces', usage: `${fmtCount(traces)} traces`, dollars: traces * PRICE.xrayTrace },
    { service: 'Secrets Manager', usage: 'cached (≈ 0 calls)', dollars: 0 * PRICE.secretsManagerCall },
  ];
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n < 10 ? 2 : 0);
}

const dollars = (n: number) => `$${n.toFixed(n < 0.01 && n > 0 ? 4 : 2)}`;
const total = (items: LineItem[]) => items.reduce((sum, item) => sum + item.dollars, 0);

function main(): void {
  const scenarios = [1, 3].flatMap((fanOut) => (['single', 'batch'] as const).map((publish) => ({ fanOut, publish })));
  const results = scenarios.map((s) => ({ ...s, items: perMillion(s.fanOut, s.publish) }));

  console.log('Hookpost on AWS: cost per million events, us-east-1 list prices as of 2026 (remembered, not fetched; free tiers ignored)');
  console.log(
    `stack defaults: consumer ${DEFAULTS.consumerMemorySize} MB / API functions ${DEFAULTS.apiMemorySize} MB on arm64, SQS batch ${DEFAULTS.batchSize} ` +
      `(window ${DEFAULTS.maxBatchingWindow.toSeconds()} s), subscription cache ${DEFAULTS.subscriptionCacheTtl.toSeconds()} s, ` +
      'metrics as EMF (no PutMetricData)',
  );
  console.log(
    `assumptions: 1 KiB events, endpoint answers in ${MODEL.endpointLatencyMs} ms with < 600 B, every delivery succeeds first time, ` +
      `${MODEL.cacheHitRate * 100} % cache hits, X-Ray samples ${MODEL.xraySampledShare * 100} %`,
  );
  console.log('');
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
  console.log('compared with (list prices as remembered; assumptions stated):');
  console.log('  EventBridge API Destinations: $1.00/M events put + $0.20/M invocations per target, no signing → fan-out 1: $1.20, fan-out 3: $1.60');
  console.log('  Hookdeck (assumption: ~$3.30 per 100k events beyond a plan, i.e. ~$33/M, plus a monthly plan fee)');
  console.log('  Svix (assumption: Professional plan ~$490/month, then ~$0.0001 per message, i.e. ~$100/M, fan-out counted per message)');
  console.log('  Not per event: SQS empty long-polls by the Lambda event source (~5 pollers, ≈ $0.3/month), Secrets Manager $0.40/secret/month, CloudWatch alarms and dashboard.');
  console.log('  With an Idempotency-Key on single publishes: +2 WRU per event (claim + complete) ≈ +$1.25/M.');
  console.log('');
  for (const r of results) {
    console.log(`per-million fan-out=${r.fanOut} publish=${r.publish} ${dollars(total(r.items))}`);
  }
  const goal = results.find((r) => r.fanOut === 1 && r.publish === 'batch');
  if (goal) {
    const t = total(goal.items);
    const biggest = [...goal.items].sort((a, b) => b.dollars - a.dollars)[0];
    console.log(
      `goal ≤ $1.00/M at fan-out 1 with batch publish: ${t <= 1 ? 'met' : 'missed'} (${dollars(t)}; largest item: ${biggest?.service} ${dollars(biggest?.dollars ?? 0)})`,
    );
  }
}

main();
