/**
 * `npm run bench:isolation`: do hanging endpoints slow the healthy ones? One local stack
 * (startLocalStack: API → fauxqs → Lambda-like pollers → consumer → DynamoDB Local → receiver), 100
 * tenants with one endpoint each, a steady publish rate spread evenly over them, two phases side by side:
 *
 *   A  all 100 endpoints answer 200 at once;
 *   B  the same load, with 10 of the endpoints moved (PATCH url) to a server that reads each request
 *      and never answers, so every attempt to them is held until the delivery deadline.
 *
 * For the 90 endpoints that stay healthy it prints, per phase, the deliveries/s that arrived while the
 * phase was publishing and the publish→receive latency p50/p99 of the phase's events (an event not
 * received GRACE seconds after the phase ended counts with the time it had waited, and a percentile
 * at or above such a wait is shown as ">…", a lower bound), then `p99-ratio <B p99 ÷ A p99>` and
 * `isolation-ratio <B deliveries/s ÷ A deliveries/s>`.
 *
 * It runs the two phases twice, each time on a new stack: with the default settings (a 10 s delivery
 * deadline, the slow lane after 5 s), then with a short deadline (`--timeout-ms`, 2 s: the slow lane
 * after 1 s), and prints each run's ratios. `--settings defaults` or `--settings short` runs one.
 *
 *   npm run bench:isolation -- --rate 50 --seconds 30 --timeout-ms 2000 --warmup 5
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startLocalStack, type LocalStack } from '#shared/local/stack.ts';
import { stackApi } from './local-api.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    'timeout-ms': { type: 'string', default: '2000' },
    grace: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    settings: { type: 'string', default: 'both' },
  },
});
const RATE = Math.max(10, Number(flags.rate) || 50);
const PHASE_S = Math.max(2, Number(flags.seconds) || 30);
const TIMEOUT_MS = Math.max(100, Number(flags['timeout-ms']) || 2000);
const GRACE_S = Math.max(1, Number(flags.grace) || 10);
const WARMUP_S = Math.max(0, Number(flags.warmup ?? 5));
if (!['both', 'defaults', 'short'].includes(flags.settings)) throw new Error(`--settings is both, defaults or short, got ${flags.settings}`);
const ENDPOINTS = 100;
const HANGING = 10;
const TICK_MS = 200;
const EVENT_TYPE = 'bench.isolation';

interface PhaseResult {
  label: string;
  published: number;
  deliveredInPhase: number;
  perSecond: number;
  p50: string;
  p99: string;
  p99Ms: number;
  late: number;
  duplicates: number;
}

const tenantOf = (endpoint: number) => `iso-${endpoint}`;
/** Events go round-robin over the endpoints; the first HANGING endpoints are the ones that hang in phase B. */
const endpointOf = (n: number) => n % ENDPOINTS;
const isHealthyEndpoint = (endpoint: number) => endpoint >= HANGING;

function percentile(sorted: Array<{ ms: number; censored: boolean }>, p: number): { ms: number; text: string } {
  if (sorted.length === 0) return { ms: Number.NaN, text: 'n/a' };
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  const item = sorted[index] ?? { ms: Number.NaN, censored: false };
  // A censored wait (not received by the cut-off) is only a lower bound, so is any percentile at or above it.
  const lowerBound = sorted.slice(0, index + 1).some((s) => s.censored);
  return { ms: item.ms, text: `${lowerBound ? '>' : ''}${item.ms.toFixed(0)}` };
}

async function runPhase(
  stack: LocalStack,
  receiver: ReceiverProcess,
  label: string,
  firstN: number,
  seconds = PHASE_S,
  graceSeconds = GRACE_S,
): Promise<{ result: PhaseResult; nextN: number }> {
  await receiver.latencies(); // forget arrivals of earlier phases
  const publishedAt = new Map<number, number>();
  let n = firstN;
  const perTick = (RATE * TICK_MS) / 1000;
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
    const events = Array.from({ length: Math.round(perTick * (tick + 1)) - Math.round(perTick * tick) }, () => {
      const number = n++;
      publishedAt.set(number, Date.now());
      return { type: EVENT_TYPE, tenant: tenantOf(endpointOf(number)), data: { n: number } };
    });
    if (events.length > 0) inFlight.push(stackApi(stack, 'POST', '/v1/events/batch', { events }));
    const nextTickAt = started + (tick + 1) * TICK_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextTickAt - Date.now())));
  }
  const ended = Date.now();
  await Promise.all(inFlight);
  await new Promise((resolve) => setTimeout(resolve, graceSeconds * 1000));
  const cutoff = Date.now();

  const flat = await receiver.latencies();
  const arrived = new Map<number, { arrivedAt: number; ms: number }>();
  let duplicates = 0;
  for (let i = 0; i < flat.length; i += 3) {
    const [arrivedAt = 0, ms = 0, number = -1] = [flat[i], flat[i + 1], flat[i + 2]];
    if (number < firstN || number >= n || !isHealthyEndpoint(endpointOf(number))) continue;
    if (arrived.has(number)) duplicates += 1;
    else arrived.set(number, { arrivedAt, ms }); // at-least-once: the first arrival counts
  }
  const healthy = [...publishedAt.keys()].filter((number) => isHealthyEndpoint(endpointOf(number)));
  const latencies = healthy
    .map((number) => {
      const got = arrived.get(number);
      return got ? { ms: got.ms, censored: false } : { ms: cutoff - (publishedAt.get(number) ?? cutoff), censored: true };
    })
    .sort((a, b) => a.ms - b.ms);
  const deliveredInPhase = [...arrived.values()].filter((a) => a.arrivedAt >= started && a.arrivedAt <= ended).length;
  const p99 = percentile(latencies, 99);
  return {
    result: {
      label,
      published: healthy.length,
      deliveredInPhase,
      perSecond: deliveredInPhase / ((ended - started) / 1000),
      p50: percentile(latencies, 50).text,
      p99: p99.text,
      p99Ms: p99.ms,
      late: latencies.filter((l) => l.censored).length,
      duplicates,
    },
    nextN: n,
  };
}

async function queueDepth(stack: LocalStack, queueUrl: string | undefined): Promise<string> {
  if (!queueUrl) return 'n/a';
  const { Attributes = {} } = await stack.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return `${Attributes.ApproximateNumberOfMessages ?? '?'} visible + ${Attributes.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight`;
}

/** The delivery settings of one run: the defaults, or the short deadline. */
interface RunSettings {
  name: 'defaults' | 'short';
  deliveryTimeoutMs?: number;
}

interface RunResult {
  settings: RunSettings;
  phases: PhaseResult[];
  depths: string;
  deadlineText: string;
}

async function runSettings(receiver: ReceiverProcess, settings: RunSettings): Promise<RunResult> {
  const stack = await startLocalStack({ allowPrivateTargets: true, deliveryTimeoutMs: settings.deliveryTimeoutMs });
  try {
    await stackApi(stack, 'PUT', `/v1/event-types/${EVENT_TYPE}`, { description: 'isolation benchmark event' });
    const ids: string[] = [];
    for (let endpoint = 0; endpoint < ENDPOINTS; endpoint++) {
      const created = (await stackApi(stack, 'POST', `/v1/tenants/${tenantOf(endpoint)}/subscriptions`, {
        url: `${receiver.origin}/${tenantOf(endpoint)}`,
        eventTypes: [EVENT_TYPE],
        description: `isolation endpoint ${endpoint}`,
      })) as { id: string };
      ids.push(created.id);
    }
    // Not measured: the first seconds of a new stack (compilation, connection pools, DynamoDB Local
    // warming up) would otherwise weigh on phase A's p99 and make every ratio look better than it is.
    const warm = await runPhase(stack, receiver, 'warm-up', 0, WARMUP_S, 2);
    const a = await runPhase(stack, receiver, 'A: 100 healthy', warm.nextN);
    for (let endpoint = 0; endpoint < HANGING; endpoint++) {
      await stackApi(stack, 'PATCH', `/v1/tenants/${tenantOf(endpoint)}/subscriptions/${ids[endpoint]}`, {
        url: `${receiver.hangOrigin}/${tenantOf(endpoint)}`,
      });
    }
    const b = await runPhase(stack, receiver, `B: ${HANGING} of 100 hang`, a.nextN);
    const { slowQueueUrl } = stack;
    return {
      settings,
      phases: [a.result, b.result],
      depths: `queues at the end: events ${await queueDepth(stack, stack.eventsQueueUrl)}; slow lane ${await queueDepth(stack, slowQueueUrl)}`,
      deadlineText: `delivery timeout ${stack.settings.deliveryTimeoutMs} ms, slow lane after ${stack.settings.slowLaneAfterMs} ms`,
    };
  } finally {
    await stack.stop();
  }
}

function report(run: RunResult): void {
  console.log('');
  console.log(`settings: ${run.settings.name} (${run.deadlineText})`);
  console.log('| phase             | events published | delivered during phase | deliveries/s | p50 ms | p99 ms | not received by cut-off | received twice |');
  console.log('|-------------------|-----------------:|-----------------------:|-------------:|-------:|-------:|------------------------:|---------------:|');
  for (const r of run.phases) {
    console.log(
      `| ${r.label.padEnd(17)} | ${String(r.published).padStart(16)} | ${String(r.deliveredInPhase).padStart(22)} | ${r.perSecond.toFixed(1).padStart(12)} | ${r.p50.padStart(6)} | ${r.p99.padStart(6)} | ${String(r.late).padStart(23)} | ${String(r.duplicates).padStart(14)} |`,
    );
  }
  console.log(run.depths);
  const [a, b] = run.phases;
  if (!a || !b) throw new Error('a phase did not finish');
  console.log(`p99-ratio (${run.settings.name}) ${(b.p99Ms / a.p99Ms).toFixed(2)}`);
  console.log(`isolation-ratio (${run.settings.name}) ${(b.perSecond / a.perSecond).toFixed(2)}`);
}

async function main(): Promise<void> {
  const runs: RunSettings[] = [
    { name: 'defaults' },
    { name: 'short', deliveryTimeoutMs: TIMEOUT_MS },
  ].filter((run): run is RunSettings => flags.settings === 'both' || flags.settings === run.name);
  const receiver = await startReceiverProcess({ isolation: true });
  const results: RunResult[] = [];
  try {
    for (const run of runs) results.push(await runSettings(receiver, run));
  } finally {
    await receiver.stop();
  }
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${os.platform()} ${os.arch()}`);
  console.log(
    `load: ${RATE} events/s spread over ${ENDPOINTS} tenants × 1 endpoint, ${WARMUP_S} s of warm-up (not measured), ${PHASE_S} s per phase, latency cut-off ${GRACE_S} s after each phase`,
  );
  console.log('columns are for the 90 endpoints that stay healthy in both phases');
  for (const run of results) report(run);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
