/**
 * `npm run bench`: Hookpost's delivery engine against the raw HTTP limit of this machine.
 *
 * A receiver runs in its own process on 127.0.0.1. In this process, interleaved rounds of:
 * - baseline: an undici Pool loop that JSON-stringifies, HMAC-signs (node:crypto) and POSTs each event;
 * - hookpost: `dispatch()` — subscription matching, Standard Webhooks signing, the real HTTP sender
 *   (`createHttpSender`, as the consumer builds it), outcome classification and attempt recording into
 *   the in-memory store;
 * both at the same concurrency with the same 1 KiB events. The last line is `delivery-ratio <median
 * over the rounds of hookpost deliveries/s ÷ baseline deliveries/s in that round>` (each round runs
 * both sides back to back, in alternating order).
 *
 * Two more cases run after the rounds, each on its own line before that one:
 * - `filtered`: an endpoint whose payload filter matches every other event; its throughput in events
 *   and deliveries per second, and the POSTs and attempt records made (none for the other half);
 * - `rate-limited`: an endpoint with `rateLimit` (200 by default) paced by the in-memory limiter; the
 *   deliveries per second it achieved against the limit, and the most sends in any one second.
 *
 * The code measured is bundled first the way the Lambda functions are (esbuild, minified, no keepNames),
 * then run with plain `node`: under tsx every function also pays for esbuild's `keepNames` helper,
 * which production code does not. `--source` measures the TypeScript as tsx runs it instead.
 *
 *   npm run bench -- --rounds 25 --events 5000 --concurrency 50
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { DEFAULTS } from '#shared/core/platform/settings.ts';
import { dispatch, type DispatchDeps } from '#shared/core/engine/dispatch.ts';
import type { Message, Subscription } from '#shared/core/platform/domain.ts';
import type { EventQueue, Transport } from '#shared/core/platform/ports.ts';
import { createHttpSender } from '#shared/adapters/http/sender.ts';
import { newMessageId } from '#shared/core/platform/ids.ts';
import {
  MemoryAttemptStore,
  MemoryDeadLetterQueue,
  MemoryEventQueue,
  MemoryMessageStore,
  MemoryRateLimiter,
} from '#shared/adapters/memory.ts';
import { PROJECT_ROOT, startReceiverProcess } from './receiver-process.ts';

const { values: flags } = parseArgs({
  options: {
    // Many short rounds: each round's ratio is taken between two runs a quarter second apart. Seven runs
    // of one code gave 0.92–1.03 with 25 rounds here; three with 5 rounds gave 0.83–0.99.
    rounds: { type: 'string', default: '25' },
    events: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    // For profiling one side alone (`node --cpu-prof --import tsx bench/run.ts --only hookpost`); no ratio then.
    only: { type: 'string' },
    'rate-limit': { type: 'string', default: '200' },
    source: { type: 'boolean', default: false },
    bundled: { type: 'boolean', default: false }, // set by the bundling step itself
  },
});
const ROUNDS = positive(flags.rounds, 'rounds');
const EVENTS = positive(flags.events, 'events');
const CONCURRENCY = positive(flags.concurrency, 'concurrency');
const RATE_LIMIT = positive(flags['rate-limit'], 'rate-limit');
/** Five seconds' worth at the limit, or fewer when the rounds are small (the smoke test's). */
const RATE_LIMITED_EVENTS = Math.min(EVENTS, 5 * RATE_LIMIT);
const SIDES = flags.only === undefined ? (['baseline', 'hookpost'] as const) : ([side(flags.only)] as const);
const WARMUP_EVENTS = Math.min(5000, EVENTS);
const PAYLOAD_BYTES = 1024;
const USER_AGENT = 'Hookpost/bench';

function side(value: string): 'baseline' | 'hookpost' {
  if (value !== 'baseline' && value !== 'hookpost') throw new Error(`--only must be baseline or hookpost, got "${value}"`);
  return value;
}

function positive(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

interface RoundResult {
  perSecond: number;
  /** CPU time of this (sending) process per delivery; the receiver's is not included. */
  cpuMicros: number;
  p50Ms: number;
  p99Ms: number;
}

/** Events whose `data` serialises to about PAYLOAD_BYTES, each with its own id, built once for both sides. */
function makeMessages(count: number): Message[] {
  const filler = randomBytes(PAYLOAD_BYTES).toString('base64url').slice(0, PAYLOAD_BYTES - 80);
  return Array.from({ length: count }, (_, i) => ({
    id: newMessageId(),
    type: 'user.created',
    tenant: 'bench',
    timestamp: new Date().toISOString(),
    dataJson: JSON.stringify({ userId: `usr_${i}`, email: `user${i}@example.com`, note: filler }),
  }));
}

/**
 * Runs `work(i)` for i in [0, count) on `concurrency` workers; returns deliveries/s and latency percentiles.
 * `work` resolves true when the delivery succeeded; anything else aborts the benchmark.
 */
async function measure(count: number, work: (index: number) => Promise<boolean>): Promise<RoundResult> {
  const latencies = new Float64Array(count);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const started = performance.now();
      if (!(await work(i))) failures += 1;
      latencies[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (failures > 0) throw new Error(`${failures} of ${count} deliveries failed`);
  latencies.sort();
  return {
    perSecond: count / (elapsedMs / 1000),
    cpuMicros: (cpu.user + cpu.system) / count,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const receiver = await startReceiverProcess();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const secretKey = Buffer.from(secret.slice(6), 'base64');
  const url = `${receiver.origin}/webhooks/bench`;
  const messages = makeMessages(EVENTS);
  const warmupMessages = makeMessages(WARMUP_EVENTS);

  // Baseline: what any sender has to do per event, with nothing else.
  const pool = new Pool(receiver.origin, { connections: CONCURRENCY, keepAliveTimeout: 4_000 });
  const baseline = (batch: Message[]) => async (i: number) => {
    const message = batch[i] as Message;
    const body = `{"type":${JSON.stringify(message.type)},"timestamp":${JSON.stringify(message.timestamp)},"data":${message.dataJson}}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', secretKey).update(`${message.id}.${timestamp}.${body}`).digest('base64');
    const response = await pool.request({
      path: '/webhooks/bench',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': message.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      },
      body,
    });
    await response.body.text();
    return response.statusCode === 200;
  };

  // Hookpost: the consumer's dispatch with in-memory stores. The receiver is on loopback, so private
  // targets are allowed, exactly as in local mode.
  const http = createHttpSender({ allowPrivateTargets: true });
  const now = new Date().toISOString();
  const subscription = (id: string, eventTypes: string[]): Subscription => ({
    id,
    tenant: 'bench',
    url,
    eventTypes,
    description: 'benchmark endpoint',
    headers: {},
    enabled: true,
    secrets: [{ secret }],
    createdAt: now,
    updatedAt: now,
  });
  // One subscription matches (by prefix pattern); the other is skipped by the same matching code.
  const subscriptions = [subscription('sub_bench', ['user.*']), subscription('sub_other', ['invoice.paid'])];
  type BenchDeps = DispatchDeps & { attempts: MemoryAttemptStore; failed: number };
  const deps = (endpoints = subscriptions, overrides: Partial<Omit<DispatchDeps, 'attempts'>> = {}): BenchDeps => {
    const d: BenchDeps = {
      transport: http,
      clock: { now: () => Date.now() },
      deliveryTimeoutMs: 10_000,
      userAgent: USER_AGENT,
      subscriptions: {
        forTenant: async () => endpoints,
        get: async (_tenant, id) => endpoints.find((s) => s.id === id),
        disable: async () => {},
        markFailing: async () => {},
        markHealthy: async () => {},
      },
      attempts: new MemoryAttemptStore(),
      messages: new MemoryMessageStore(),
      queue: new MemoryEventQueue(),
      deadLetters: new MemoryDeadLetterQueue(),
      retryScheduleSeconds: DEFAULTS.retryScheduleSeconds,
      throttledMinimumSeconds: 60,
      disableAfterFailingMs: DEFAULTS.disableAfterFailingMs,
      slowLaneAfterMs: DEFAULTS.slowLaneAfterMs,
      slowLaneHoldMs: DEFAULTS.slowLaneHoldMs,
      rateLimitInlineWaitMs: DEFAULTS.rateLimitInlineWaitMs,
      notifier: { publish: async () => {} },
      failed: 0,
      count: (metric) => {
        if (metric !== 'DeliverySucceeded' && metric !== 'DeliveryRateLimited') d.failed += 1;
      },
      ...overrides,
    };
    return d;
  };
  const hookpost = (batch: Message[], d = deps()) => {
    return async (i: number) => {
      const failedBefore = d.failed;
      await dispatch(d, { kind: 'event', message: batch[i] as Message });
      // A retry queued or a dead letter is a failed delivery.
      return d.failed === failedBefore;
    };
  };

  /** The real sender, noting when each POST starts. */
  const recording = () => {
    const sentAt: number[] = [];
    const sender: Transport = {
      post: (request) => {
        sentAt.push(performance.now());
        return http.post(request);
      },
    };
    return { sender, sentAt };
  };

  /**
   * An endpoint whose filter matches every other event (`data.half`): the events it refuses must cost
   * no POST and no attempt record, so it should deliver its half faster than the plain case delivers all.
   */
  const filteredCase = async (): Promise<string> => {
    const halves = makeMessages(EVENTS).map((message, i) => ({ ...message, dataJson: `{"half":${i % 2 === 0},${message.dataJson.slice(1)}` }));
    const { sender, sentAt } = recording();
    const d = deps([{ ...subscription('sub_filtered', ['user.*']), filter: { data: { half: true } } }], { transport: sender });
    const result = await measure(EVENTS, hookpost(halves, d));
    const matched = Math.ceil(EVENTS / 2);
    const posts = sentAt.length;
    if (posts !== matched || d.attempts.attempts.length !== matched) throw new Error(`filtered: ${posts} POSTs and ${d.attempts.attempts.length} attempts for ${matched} matching events`);
    return `filtered events=${EVENTS} matched=${matched} posts=${posts} attempts=${d.attempts.attempts.length} skipped-without-work=${EVENTS - posts} events-per-second=${result.perSecond.toFixed(0)} deliveries-per-second=${((result.perSecond * matched) / EVENTS).toFixed(0)}`;
  };

  /**
   * An endpoint with a rate limit, paced by the in-memory limiter (the same slots as the DynamoDB one,
   * without the round trip). A delivery handed back to the queue is dispatched again after its delay,
   * as the queue would.
   */
  const rateLimitedCase = async (): Promise<string> => {
    const { sender, sentAt } = recording();
    const returning: Promise<void>[] = [];
    let handedBack = 0;
    const requeue: EventQueue = {
      enqueue: async (queued, delaySeconds = 0) => {
        handedBack += 1;
        returning.push(new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000)).then(() => dispatch(d, queued)));
      },
      enqueueBatch: async () => {
        throw new Error('not used by dispatch');
      },
    };
    const d = deps([{ ...subscription('sub_limited', ['user.*']), rateLimit: RATE_LIMIT }], {
      transport: sender,
      queue: requeue,
      rateLimiter: new MemoryRateLimiter(),
    });
    await measure(RATE_LIMITED_EVENTS, hookpost(makeMessages(RATE_LIMITED_EVENTS), d));
    while (returning.length > 0) await Promise.all(returning.splice(0));
    if (sentAt.length !== RATE_LIMITED_EVENTS || d.failed > 0) throw new Error(`rate-limited: ${sentAt.length} of ${RATE_LIMITED_EVENTS} sent, ${d.failed} failed`);
    sentAt.sort((a, b) => a - b);
    const spanSeconds = ((sentAt.at(-1) ?? 0) - (sentAt[0] ?? 0)) / 1000;
    // n sends paced 1/limit apart span (n - 1)/limit seconds.
    const achieved = spanSeconds > 0 ? (sentAt.length - 1) / spanSeconds : 0;
    let busiest = 0;
    for (let i = 0, j = 0; i < sentAt.length; i++) {
      while (j < sentAt.length && (sentAt[j] as number) < (sentAt[i] as number) + 1000) j++;
      busiest = Math.max(busiest, j - i);
    }
    return `rate-limited limit=${RATE_LIMIT} deliveries=${sentAt.length} handed-back=${handedBack} seconds=${spanSeconds.toFixed(2)} achieved-per-second=${achieved.toFixed(1)} busiest-second=${busiest}`;
  };

  const extra: string[] = [];
  const results: Record<'baseline' | 'hookpost', RoundResult[]> = { baseline: [], hookpost: [] };
  try {
    // Warm both paths (JIT, sockets) before anything is measured, twice each and interleaved: with one
    // short warm-up the first round's baseline still ran colder than its hookpost (that round's ratio
    // stood well above the others' in run after run).
    for (let pass = 0; pass < 2; pass++) {
      if (SIDES.includes('baseline')) await measure(WARMUP_EVENTS, baseline(warmupMessages));
      if (SIDES.includes('hookpost')) await measure(WARMUP_EVENTS, hookpost(warmupMessages));
    }

    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first so a drift in machine load does not favour one side.
      const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        const result =
          side === 'baseline' ? await measure(EVENTS, baseline(messages)) : await measure(EVENTS, hookpost(messages));
        results[side].push(result);
      }
    }
    if (SIDES.includes('hookpost')) {
      extra.push(await filteredCase());
      extra.push(await rateLimitedCase());
    }
  } finally {
    await Promise.allSettled([pool.close(), http.close()]);
    await receiver.stop();
  }

  printReport(results, extra);
}

function printReport(results: Record<'baseline' | 'hookpost', RoundResult[]>, extra: string[]): void {
  const fmt = (n: number, digits = 0) => n.toFixed(digits);
  console.log(
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${os.platform()} ${os.arch()}`,
  );
  console.log(`code: ${flags.bundled ? 'esbuild bundle (minified, as deployed)' : 'TypeScript via tsx (--source)'}`);
  console.log(
    `${ROUNDS} rounds × ${EVENTS} deliveries of ${PAYLOAD_BYTES} B events, concurrency ${CONCURRENCY}, keep-alive, receiver in a separate process on 127.0.0.1`,
  );
  console.log('');
  console.log('| side     | round | deliveries/s | p50 ms | p99 ms | sender CPU µs/delivery |');
  console.log('|----------|------:|-------------:|-------:|-------:|-----------------------:|');
  for (const side of SIDES) {
    results[side].forEach((r, i) => {
      console.log(`| ${side.padEnd(8)} | ${String(i + 1).padStart(5)} | ${fmt(r.perSecond).padStart(12)} | ${fmt(r.p50Ms, 2).padStart(6)} | ${fmt(r.p99Ms, 2).padStart(6)} | ${fmt(r.cpuMicros).padStart(22)} |`);
    });
  }
  console.log('');
  console.log('| side     | deliveries/s min – median – max | p50 ms (median) | p99 ms (median) | CPU µs/delivery (median) |');
  console.log('|----------|---------------------------------|----------------:|----------------:|-------------------------:|');
  for (const side of SIDES) {
    const rates = results[side].map((r) => r.perSecond);
    const range = `${fmt(Math.min(...rates))} – ${fmt(median(rates))} – ${fmt(Math.max(...rates))}`;
    console.log(
      `| ${side.padEnd(8)} | ${range.padEnd(31)} | ${fmt(median(results[side].map((r) => r.p50Ms)), 2).padStart(15)} | ${fmt(median(results[side].map((r) => r.p99Ms)), 2).padStart(15)} | ${fmt(median(results[side].map((r) => r.cpuMicros))).padStart(24)} |`,
    );
  }
  if (extra.length > 0) console.log(['', ...extra].join('\n'));
  if (SIDES.length < 2) return;
  console.log('');
  // Each round runs both sides back to back, so a round's own ratio cancels a drift in machine speed
  // that a ratio of the two sides' medians would take in whole when it hits one side's runs more.
  const perRound = results.hookpost.map((h, i) => h.perSecond / (results.baseline[i]?.perSecond ?? Number.NaN));
  const ofMedians = median(results.hookpost.map((r) => r.perSecond)) / median(results.baseline.map((r) => r.perSecond));
  console.log(`per-round ratios ${perRound.map((r) => r.toFixed(2)).join(' ')}; ratio of the medians ${ofMedians.toFixed(2)}`);
  console.log(`delivery-ratio ${median(perRound).toFixed(2)}`);
}

/** Bundles this file like the Lambda functions are bundled and runs it with the same arguments. */
async function runBundled(): Promise<number> {
  // Under node_modules so the bundle resolves the @aws-sdk packages it leaves external, as Lambda's runtime provides them.
  const outfile = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'hookpost-bench', 'run.mjs');
  await build({
    entryPoints: [import.meta.filename],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    external: ['@aws-sdk/*', 'esbuild'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const child = spawn(process.execPath, [outfile, ...process.argv.slice(2), '--bundled'], {
    stdio: 'inherit',
    env: { ...process.env, HOOKPOST_ROOT: PROJECT_ROOT },
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const run = flags.source || flags.bundled ? main().then(() => 0) : runBundled();
run.then((code) => process.exit(code)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
