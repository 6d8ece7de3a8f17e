/**
 * `npm run capacity`: how many events/s and deliveries/s one Hookpost stack sustains, as a function of
 * the consumer's max concurrency, batch size, endpoint latency and fan-out, and the AWS quotas that cap
 * it. A model, no AWS calls: the stack's own defaults come from cdk/stack-props.ts; the AWS quotas are
 * remembered defaults (no network here), not fetched — check them in the Service Quotas console.
 * docs/capacity.md explains the formulas and checks the local analogue against measured runs.
 *
 *   npm run capacity
 */
import { DEFAULTS } from '../cdk/stack-props.ts';

/** AWS default quotas per account and region, as remembered (2026); most are adjustable. */
export const QUOTAS = {
  /** Lambda concurrent executions, all functions of the account together. */
  lambdaConcurrency: 1_000,
  /** Lambda SQS event source: concurrency added per minute while a queue has a backlog. */
  sqsScalingPerMinute: 300,
  /** Lambda SQS event source: the largest maxConcurrency (ScalingConfig) one mapping takes. */
  eventSourceMaxConcurrency: 1_000,
  /** SQS standard queue: in-flight (received, not deleted) messages. API calls are not capped in practice. */
  sqsInFlight: 120_000,
  /** DynamoDB on-demand: table-level throughput quota, write request units per second. */
  dynamoTableWrus: 40_000,
  /** DynamoDB: one partition's writes per second (the attempt log keys by subscription: one endpoint's ceiling). */
  dynamoPartitionWrus: 1_000,
  /** DynamoDB on-demand: what a new table absorbs at once before it adapts (or pre-warm it with warm throughput). */
  dynamoNewTableWrus: 4_000,
  /** API Gateway: account-level request rate across HTTP APIs in a region, and its burst. */
  apiGatewayAccountRps: 10_000,
  apiGatewayAccountBurst: 5_000,
} as const;

/** What one consumer invocation costs besides waiting for endpoints (assumptions; see docs/capacity.md). */
export const MODEL = {
  /** Receive/delete, subscription lookup (cached), one attempt PutItem, SDK overhead: per invocation. Same as bench/cost.ts. */
  invocationOverheadMs: 30,
  /** CPU per further delivery in the same invocation (signing, HTTP, record): 512 MB ≈ a third of a vCPU. Same as bench/cost.ts. */
  perDeliveryMs: 5,
  /** Ingest per single publish (validate, cached type lookup, one SendMessage). Same as bench/cost.ts. */
  ingestSingleMs: 15,
  /** Ingest per batch publish of 100 events. Same as bench/cost.ts. */
  ingestBatchMs: 60,
} as const;

export interface Scenario {
  maxConcurrency: number;
  batchSize: number;
  endpointLatencyMs: number;
  fanOut: number;
}

/**
 * One invocation takes a batch of `batchSize` events; their `batchSize × fanOut` deliveries run
 * concurrently, so it lasts the endpoint latency plus overhead plus CPU for each delivery after the first.
 */
export const invocationMs = (s: Scenario) => MODEL.invocationOverheadMs + s.endpointLatencyMs + (s.batchSize * s.fanOut - 1) * MODEL.perDeliveryMs;

export interface Capacity {
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  /** What caps it: the consumer's concurrency, or the first AWS quota it runs into. */
  boundBy: string;
}

/** The consumer's ceiling (maxConcurrency instances back to back), then the quotas that cut it further. */
export function capacity(s: Scenario, publish: 'single' | 'batch' = 'batch'): Capacity {
  const byConsumer = (s.maxConcurrency * s.batchSize * 1000) / invocationMs(s);
  const apiRps = Math.min(DEFAULTS.apiThrottleRateLimit, QUOTAS.apiGatewayAccountRps);
  const limits: Array<[string, number]> = [
    [`consumer maxConcurrency ${s.maxConcurrency}`, byConsumer],
    [`DynamoDB table ${QUOTAS.dynamoTableWrus} WRU/s (1 per attempt)`, QUOTAS.dynamoTableWrus / s.fanOut],
    [`API stage throttle ${apiRps} req/s (${publish} publish)`, publish === 'batch' ? apiRps * 100 : apiRps],
    [`Lambda account concurrency ${QUOTAS.lambdaConcurrency}`, (QUOTAS.lambdaConcurrency * s.batchSize * 1000) / invocationMs(s)],
  ];
  const [boundBy, eventsPerSecond] = limits.reduce((low, next) => (next[1] < low[1] ? next : low));
  return { eventsPerSecond, deliveriesPerSecond: eventsPerSecond * s.fanOut, boundBy };
}

/** The consumer concurrency that sustains `eventsPerSecond` (with 20 % headroom), rounded up to a multiple of 10. */
export function concurrencyFor(eventsPerSecond: number, s: Omit<Scenario, 'maxConcurrency'>): number {
  const perInstance = (s.batchSize * 1000) / invocationMs({ ...s, maxConcurrency: 1 });
  return Math.max(2, Math.ceil((1.2 * eventsPerSecond) / perInstance / 10) * 10);
}

/**
 * Hanging endpoints without a slow lane: a batch that holds one delivery to them lasts the delivery
 * timeout. `hangingShare` is the share of queue records that go to hanging endpoints.
 */
export function withHanging(s: Scenario, hangingShare: number, timeoutMs: number, normalInvocationMs = invocationMs(s)) {
  const stalled = 1 - (1 - hangingShare) ** s.batchSize;
  const meanMs = stalled * timeoutMs + (1 - stalled) * normalInvocationMs;
  const records = (s.maxConcurrency * s.batchSize * 1000) / meanMs;
  return { stalledShare: stalled, recordsPerSecond: records, healthyPerSecond: records * (1 - hangingShare) };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

function main(): void {
  const batchSize = DEFAULTS.batchSize;
  console.log('Hookpost capacity model: one stack, one region (docs/capacity.md)');
  console.log(
    `AWS quotas are remembered account defaults (2026), NOT fetched: Lambda ${QUOTAS.lambdaConcurrency} concurrent, SQS event source +${QUOTAS.sqsScalingPerMinute}/min up to ${QUOTAS.eventSourceMaxConcurrency} per mapping, SQS ${QUOTAS.sqsInFlight.toLocaleString('en-US')} in flight, DynamoDB ${QUOTAS.dynamoTableWrus.toLocaleString('en-US')} WRU/s per table (${QUOTAS.dynamoPartitionWrus} per partition, ~${QUOTAS.dynamoNewTableWrus.toLocaleString('en-US')} at once on a new on-demand table), API Gateway ${QUOTAS.apiGatewayAccountRps.toLocaleString('en-US')} req/s (burst ${QUOTAS.apiGatewayAccountBurst.toLocaleString('en-US')}) per account`,
  );
  console.log(
    `stack defaults (cdk/stack-props.ts): maxConcurrency ${DEFAULTS.maxConcurrency}, slowLaneMaxConcurrency ${DEFAULTS.slowLaneMaxConcurrency}, batchSize ${batchSize}, apiThrottleRateLimit ${DEFAULTS.apiThrottleRateLimit} req/s (burst ${DEFAULTS.apiThrottleBurstLimit}), deliveryTimeoutMs ${DEFAULTS.deliveryTimeoutMs}`,
  );
  console.log(
    `model: invocation = ${MODEL.invocationOverheadMs} ms + endpoint latency + ${MODEL.perDeliveryMs} ms × (batch × fan-out − 1); events/s = maxConcurrency × batch / invocation, then capped by the quotas; batch publishes (100 per request)`,
  );
  console.log('');
  console.log('| maxConcurrency | batch | endpoint ms | fan-out | invocation ms | events/s | deliveries/s | bound by                                     |');
  console.log('|---------------:|------:|------------:|--------:|--------------:|---------:|-------------:|----------------------------------------------|');
  for (const maxConcurrency of [10, 50, 200, 1000]) {
    for (const endpointLatencyMs of [50, 200, 1000]) {
      for (const fanOut of [1, 3, 10]) {
        const s = { maxConcurrency, batchSize, endpointLatencyMs, fanOut };
        const c = capacity(s);
        console.log(
          `| ${String(maxConcurrency).padStart(14)} | ${String(batchSize).padStart(5)} | ${String(endpointLatencyMs).padStart(11)} | ${String(fanOut).padStart(7)} | ${String(Math.round(invocationMs(s))).padStart(13)} | ${fmt(c.eventsPerSecond).padStart(8)} | ${fmt(c.deliveriesPerSecond).padStart(12)} | ${c.boundBy.padEnd(44)} |`,
        );
      }
    }
  }
  console.log('');
  console.log('batch size at maxConcurrency 10, endpoint 200 ms, fan-out 1 (a larger batch needs maxBatchingWindow ≥ 1 s):');
  for (const size of [1, 10, 50, 100]) {
    const s = { maxConcurrency: 10, batchSize: size, endpointLatencyMs: 200, fanOut: 1 };
    console.log(`  batch ${String(size).padStart(3)}: ${fmt(capacity(s).eventsPerSecond)} events/s (invocation ${Math.round(invocationMs(s))} ms)`);
  }
  console.log('');
  const typical = { batchSize, endpointLatencyMs: 200, fanOut: 3 };
  for (const target of [1_000, 10_000]) {
    const maxConcurrency = concurrencyFor(target, typical);
    const deliveries = target * typical.fanOut;
    const ingestSingle = Math.ceil((target * MODEL.ingestSingleMs) / 1000);
    const notes = [
      `maxConcurrency=${maxConcurrency}`,
      `apiThrottleRateLimit≥${Math.ceil(target / 100)} (batch publishes) or ≥${target} (single; ingest then needs ~${ingestSingle} concurrent)`,
      `apiThrottleBurstLimit≥${Math.max(DEFAULTS.apiThrottleBurstLimit, Math.ceil(target / 50))}`,
      `slowLaneMaxConcurrency≥${Math.max(DEFAULTS.slowLaneMaxConcurrency, Math.ceil(maxConcurrency / 10))}`,
    ];
    const warnings = [
      deliveries > QUOTAS.dynamoNewTableWrus ? `DynamoDB ${deliveries} WRU/s is above what a new on-demand table takes at once: set warm throughput or ramp up` : '',
      target > QUOTAS.apiGatewayAccountRps ? 'single publishes exceed the API Gateway account rate: publish in batches or raise the quota' : '',
      maxConcurrency + DEFAULTS.slowLaneMaxConcurrency + ingestSingle > QUOTAS.lambdaConcurrency * 0.8
        ? 'Lambda account concurrency: request an increase'
        : `Lambda: ${maxConcurrency + DEFAULTS.slowLaneMaxConcurrency} consumer + ingest within the ${QUOTAS.lambdaConcurrency} default; the event source reaches it in ~${Math.max(1, Math.ceil(maxConcurrency / QUOTAS.sqsScalingPerMinute))} min`,
    ].filter(Boolean);
    console.log(`props for ${target} events/s (fan-out ${typical.fanOut}, endpoints 200 ms, ${deliveries} deliveries/s): ${notes.join(', ')}; ${warnings.join('; ')}`);
  }
  console.log('');
  // Local analogue: 2 receive loops (the poller's default), batches of 10, the loopback receiver.
  // Per-invocation time fitted from the bench:e2e rows in docs/performance.md (fan-out 1: 221 events/s, fan-out 3: 170).
  const localPerDeliveryMs = (20_000 / 170 - 20_000 / 221) / 20;
  const localOverheadMs = 20_000 / 221 - 10 * localPerDeliveryMs;
  const localBatchMs = (deliveries: number) => localOverheadMs + deliveries * localPerDeliveryMs;
  const local = { maxConcurrency: 2, batchSize: 10, endpointLatencyMs: 0, fanOut: 1 };
  // Phase B: 10 % of the events go to hanging endpoints; their retries (5 s later) queue behind the backlog.
  const hangingRecordShare = 0.1;
  const predicted = withHanging(local, hangingRecordShare, 2000, localBatchMs(10));
  console.log(
    `local analogue (2 loops × 10, fitted: ${localOverheadMs.toFixed(0)} ms per batch + ${localPerDeliveryMs.toFixed(2)} ms per delivery): ${fmt(2 * 10_000 / localBatchMs(10))} events/s at fan-out 1, ${fmt(2 * 10_000 / localBatchMs(30))} at fan-out 3`,
  );
  console.log(
    `local check, bench:isolation phase B without slow lane: predicted ${fmt(predicted.healthyPerSecond)} healthy deliveries/s (${(predicted.stalledShare * 100).toFixed(0)} % of batches wait the 2 s deadline), measured 18.6 over the whole phase, including its first seconds before the backlog formed (docs/performance.md)`,
  );
}

if (process.argv[1]?.endsWith('capacity.ts')) main();
