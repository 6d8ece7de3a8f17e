/**
 * Every tunable of the Hookpost stack, its default, and the checks that reject conflicting values.
 * A prop the functions read is passed on as the setting of the same name (shared/core/platform/settings.ts),
 * so it has that setting's name, unit (`…Ms`, `…Seconds`, `…Days`, `…Bytes`) and default, and its
 * environment variable is the setting's; a prop that only shapes AWS resources is a `Duration`.
 */
import { Duration, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_TRACING } from './bundling.ts';
import { MAX_PAYLOAD_BYTES_LIMIT } from '#shared/core/platform/ports.ts';
import { DEFAULTS as SETTINGS } from '#shared/core/platform/settings.ts';

/** Hookpost's own props, all optional. */
export interface HookpostProps {
  /**
   * Seconds to wait before each retry after the first attempt; the delivery is dead-lettered after the last.
   * @default [5, 300, 1800, 7200, 18000, 36000, 36000] (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)
   */
  readonly retryScheduleSeconds?: readonly number[];
  /**
   * Milliseconds one HTTP attempt to an endpoint may take before it counts as failed.
   * @default 10000 (10 s)
   */
  readonly deliveryTimeoutMs?: number;
  /**
   * Largest accepted event body; larger requests get 413. At most 327680 (320 KiB): escaped to ASCII for
   * SQS a byte of data takes up to 3, and a kept message must fit one DynamoDB item.
   * @default 262144 (256 KiB)
   */
  readonly maxPayloadBytes?: number;
  /**
   * Days an attempt record (and idempotency/message record) is kept before DynamoDB TTL deletes it.
   * @default 30
   */
  readonly attemptTtlDays?: number;
  /**
   * Endpoints one tenant may have: each multiplies every event of the tenant, so a tenant key cannot
   * fan one event out without bound. Creating one more answers 422.
   * @default 100
   */
  readonly maxSubscriptionsPerTenant?: number;
  /**
   * Milliseconds a subscription may fail without a single success before it is disabled (and announced
   * on the alarm topic). At least an hour, and shorter than the slow lane's 13-day retention.
   * @default 432000000 (5 days)
   */
  readonly disableAfterFailingMs?: number;
  /**
   * Milliseconds a function instance caches a tenant's subscriptions.
   * @default 5000 (5 s)
   */
  readonly subscriptionCacheMs?: number;
  /**
   * Messages the consumer receives per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers messages before invoking the consumer.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most consumer instances the SQS event source runs at once, so a flood cannot take the account's concurrency.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Most consumer instances the slow lane's event source runs at once. The slow lane carries the
   * deliveries to endpoints that recently timed out or were slow, so this bounds how much of the
   * consumer's concurrency hanging endpoints can hold, apart from `maxConcurrency`.
   * @default 5
   */
  readonly slowLaneMaxConcurrency?: number;
  /**
   * An attempt that times out or takes at least this many milliseconds sends its endpoint's deliveries to the slow lane.
   * @default 5000 (5 s)
   */
  readonly slowLaneAfterMs?: number;
  /**
   * Milliseconds an endpoint stays in the slow lane after its last slow attempt (a prompt success ends it sooner).
   * @default 300000 (5 min)
   */
  readonly slowLaneHoldMs?: number;
  /**
   * Receives of one events-queue message before SQS moves it to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long SQS keeps an unprocessed message on the events queue (the dead-letter queue always keeps 14 days,
   * longer than this, because SQS keeps a message's original enqueue time when it is dead-lettered).
   * @default Duration.days(4)
   */
  readonly queueRetention?: Duration;
  /**
   * Consumer function timeout; the events queue's visibility timeout is six times this.
   * @default Duration.seconds(60)
   */
  readonly consumerTimeout?: Duration;
  /**
   * Consumer function memory (MiB).
   * @default 512
   */
  readonly consumerMemorySize?: number;
  /**
   * Memory (MiB) of the ingest and management functions.
   * @default 512
   */
  readonly apiMemorySize?: number;
  /**
   * Steady-state requests per second the HTTP API stage accepts before answering 429.
   * @default 100
   */
  readonly apiThrottleRateLimit?: number;
  /**
   * Burst of requests the HTTP API stage accepts above the rate limit.
   * @default 200
   */
  readonly apiThrottleBurstLimit?: number;
  /**
   * Retention of function and API access logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * X-Ray tracing of the functions (Lambda active tracing, and the Powertools tracer recording each
   * AWS SDK call as a subsegment). Off, the bundles do not hold the X-Ray SDK at all (about 120 KiB, an
   * eighth of the consumer's import time, docs/performance.md), and there is no X-Ray charge.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Powertools log level of the functions.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Address subscribed to the alarm topic; none when unset.
   * @default - no email subscription
   */
  readonly alarmEmail?: string;
  /**
   * Age of the oldest events-queue message that raises the backlog alarm.
   * @default Duration.minutes(30)
   */
  readonly oldestEventAgeAlarmThreshold?: Duration;
  /**
   * Age of the oldest slow-lane message that raises the slow-lane backlog alarm (the slow lane is
   * expected to lag: its endpoints hang, so this is looser than the events queue's).
   * @default Duration.hours(1)
   */
  readonly slowLaneOldestAgeAlarmThreshold?: Duration;
  /**
   * Age of the oldest FIFO-queue message that raises the FIFO backlog alarm. A FIFO endpoint's group
   * waits at a failing event for its whole schedule (about 28 h with the default one), so this says
   * "an ordered endpoint has been stuck this long", or that the FIFO consumer is not draining.
   * @default Duration.hours(12)
   */
  readonly fifoOldestAgeAlarmThreshold?: Duration;
  /**
   * Percentage of failed delivery attempts (failed / (failed + succeeded), per 5 minutes) that raises the failure-rate alarm.
   * @default 25
   */
  readonly deliveryFailureRateAlarmPercent?: number;
  /**
   * HTTP API 5xx responses per 5 minutes above which the API alarm fires.
   * @default 5
   */
  readonly api5xxAlarmThreshold?: number;
  /**
   * Origins allowed to frame the tenant portal (its Content-Security-Policy frame-ancestors), e.g.
   * `['https://app.example.com']`. The admin console is never framable.
   * @default [] (the portal cannot be framed either; it still opens as a link)
   */
  readonly portalFrameAncestors?: readonly string[];
  /**
   * Secret holding the key (base64, ≥ 32 bytes) that signs portal links; putting a new value in it
   * revokes every outstanding link within the functions' 5-minute key cache.
   * @default - a generated secret
   */
  readonly portalSigningKeySecret?: ISecret;
  /**
   * Public base URL of the API for portal links (e.g. a custom domain).
   * @default - the URL the portal-sessions request was sent to
   */
  readonly publicUrl?: string;
  /**
   * Deploys a receiver for `npm run smoke`: a public Lambda function URL (output `SmokeReceiverUrl`)
   * that records what is posted to it in a small table of its own (kept a day) and gives it back only
   * to whoever knows the random token in the path. Pass its URL as `--receiver-url`; turn it off again
   * after checking.
   * @default false
   */
  readonly smokeReceiver?: boolean;
}

export interface HookpostStackProps extends StackProps, HookpostProps {}

/** The props without a default: unset means none (no email subscription, a generated secret, the request's URL). */
const WITHOUT_DEFAULT = ['alarmEmail', 'portalSigningKeySecret', 'publicUrl'] as const;
type WithoutDefault = (typeof WITHOUT_DEFAULT)[number];

/** The props with every default filled in. */
export type ResolvedHookpostProps = Readonly<Required<Omit<HookpostProps, WithoutDefault>> & Pick<HookpostProps, WithoutDefault>>;

/** Every default, in one place; the functions' settings take theirs from shared/core/platform/settings.ts, so the stack and the code cannot disagree. */
export const DEFAULTS = {
  retryScheduleSeconds: SETTINGS.retryScheduleSeconds,
  deliveryTimeoutMs: SETTINGS.deliveryTimeoutMs,
  maxPayloadBytes: SETTINGS.maxPayloadBytes,
  attemptTtlDays: SETTINGS.attemptTtlDays,
  maxSubscriptionsPerTenant: SETTINGS.maxSubscriptionsPerTenant,
  disableAfterFailingMs: SETTINGS.disableAfterFailingMs,
  subscriptionCacheMs: SETTINGS.subscriptionCacheMs,
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(1),
  maxConcurrency: 10,
  slowLaneMaxConcurrency: 5,
  slowLaneAfterMs: SETTINGS.slowLaneAfterMs,
  slowLaneHoldMs: SETTINGS.slowLaneHoldMs,
  maxReceiveCount: 5,
  queueRetention: Duration.days(4),
  consumerTimeout: Duration.seconds(60),
  consumerMemorySize: 512,
  apiMemorySize: 512,
  apiThrottleRateLimit: 100,
  apiThrottleBurstLimit: 200,
  logRetention: RetentionDays.ONE_MONTH,
  logLevel: 'INFO',
  tracing: DEFAULT_TRACING,
  oldestEventAgeAlarmThreshold: Duration.minutes(30),
  slowLaneOldestAgeAlarmThreshold: Duration.hours(1),
  fifoOldestAgeAlarmThreshold: Duration.hours(12),
  deliveryFailureRateAlarmPercent: 25,
  api5xxAlarmThreshold: 5,
  portalFrameAncestors: [],
  smokeReceiver: false,
} as const satisfies Required<Omit<HookpostProps, WithoutDefault>>;

/** API Gateway HTTP API stops waiting for an integration after 30 s; the management function stays under it. */
export const MANAGEMENT_TIMEOUT = Duration.seconds(29);
/** The SQS maximum; dead letters wait for an operator. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/**
 * The slow lane keeps deliveries as long as SQS allows short of the DLQ's 14 days: a backlog of a dead
 * endpoint's deliveries must outlive `disableAfterFailingMs` (5 days), after which they are dead-lettered
 * as the subscription is disabled, rather than expire from the queue unseen.
 */
export const SLOW_LANE_RETENTION = Duration.days(13);
/** Lambda rule: the SQS visibility timeout should be at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`Hookpost stack: ${message}`);
}

function isInt(value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Fills in defaults and throws a clear error for values AWS would reject or that contradict each other. */
export function resolveHookpostProps(props: HookpostStackProps = {}): ResolvedHookpostProps {
  // Only Hookpost's own props, and only those given: StackProps (env, description…) stay with the Stack.
  const defined = Object.fromEntries(
    [...Object.keys(DEFAULTS), ...WITHOUT_DEFAULT]
      .map((key) => [key, props[key as keyof HookpostStackProps]] as const)
      .filter(([, value]) => value !== undefined),
  );
  const p: ResolvedHookpostProps = { ...DEFAULTS, ...defined };

  check(p.retryScheduleSeconds.length > 0, 'retryScheduleSeconds must list at least one retry delay');
  check(
    p.retryScheduleSeconds.every((s) => isInt(s, 0)),
    `retryScheduleSeconds must be whole, non-negative seconds, got [${p.retryScheduleSeconds.join(', ')}]`,
  );

  const deliveryMs = p.deliveryTimeoutMs;
  const consumerSeconds = p.consumerTimeout.toSeconds();
  check(isInt(deliveryMs, 1), `deliveryTimeoutMs must be a positive whole number, got ${deliveryMs}`);
  check(
    isInt(consumerSeconds, 1, LAMBDA_MAX_TIMEOUT_SECONDS),
    `consumerTimeout must be 1..${LAMBDA_MAX_TIMEOUT_SECONDS} s (Lambda maximum), got ${consumerSeconds} s`,
  );
  check(
    consumerSeconds * VISIBILITY_TIMEOUT_FACTOR <= SQS_MAX_VISIBILITY_SECONDS,
    `consumerTimeout × ${VISIBILITY_TIMEOUT_FACTOR} must fit the SQS visibility maximum of ${SQS_MAX_VISIBILITY_SECONDS} s`,
  );
  // A batch delivers in parallel but still needs a whole attempt plus bookkeeping inside one invocation.
  check(
    deliveryMs * 2 <= consumerSeconds * 1000,
    `deliveryTimeoutMs (${deliveryMs}) must be at most half of consumerTimeout (${consumerSeconds} s) so an attempt and its bookkeeping fit in one invocation`,
  );
  // "Send Test Event" makes the attempt inside the management function, which API Gateway cuts off at 30 s.
  check(
    deliveryMs + 4000 <= MANAGEMENT_TIMEOUT.toMilliseconds(),
    `deliveryTimeoutMs (${deliveryMs}) must leave 4 s under the ${MANAGEMENT_TIMEOUT.toSeconds()} s management timeout for test sends`,
  );

  check(
    isInt(p.maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT),
    `maxPayloadBytes must be 1..${MAX_PAYLOAD_BYTES_LIMIT} so any accepted event fits one SQS message once escaped to ASCII (up to 3 bytes per byte of data, plus its envelope) and a DynamoDB item when kept for redelivery, got ${p.maxPayloadBytes}`,
  );
  check(
    isInt(p.disableAfterFailingMs, Duration.hours(1).toMilliseconds()),
    `disableAfterFailingMs must be a whole number of milliseconds, at least an hour (3600000), got ${p.disableAfterFailingMs}`,
  );
  check(
    p.disableAfterFailingMs < SLOW_LANE_RETENTION.toMilliseconds(),
    `disableAfterFailingMs must be shorter than the slow lane's ${SLOW_LANE_RETENTION.toDays()}-day retention, so a dead endpoint's waiting deliveries are dead-lettered, not expired`,
  );
  check(
    isInt(p.maxSubscriptionsPerTenant, 1, 10_000),
    `maxSubscriptionsPerTenant must be a whole number 1..10000, got ${p.maxSubscriptionsPerTenant}`,
  );
  check(isInt(p.attemptTtlDays, 1, 3650), `attemptTtlDays must be a whole number of days 1..3650, got ${p.attemptTtlDays}`);
  check(isInt(p.subscriptionCacheMs, 1), `subscriptionCacheMs must be a positive whole number, got ${p.subscriptionCacheMs}`);

  // Limits of the Lambda SQS event source: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
  const windowSeconds = p.maxBatchingWindow.toSeconds();
  check(isInt(p.batchSize, 1, 10_000), `batchSize must be 1..10000, got ${p.batchSize}`);
  check(isInt(windowSeconds, 0, 300), `maxBatchingWindow must be 0..300 s, got ${windowSeconds} s`);
  check(p.batchSize <= 10 || windowSeconds >= 1, `batchSize ${p.batchSize} > 10 needs a maxBatchingWindow of at least 1 s`);
  check(isInt(p.maxConcurrency, 2, 1000), `maxConcurrency must be 2..1000, got ${p.maxConcurrency}`);
  check(isInt(p.slowLaneMaxConcurrency, 2, 1000), `slowLaneMaxConcurrency must be 2..1000, got ${p.slowLaneMaxConcurrency}`);
  check(isInt(p.slowLaneAfterMs, 1), `slowLaneAfterMs must be a positive whole number, got ${p.slowLaneAfterMs}`);
  check(isInt(p.slowLaneHoldMs, 1000), `slowLaneHoldMs must be a whole number, at least 1000 (1 s), got ${p.slowLaneHoldMs}`);
  // Fewer receives dead-letter messages that were only throttled: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
  check(
    isInt(p.maxReceiveCount, 5, 1000),
    `maxReceiveCount must be at least 5 (AWS guidance for Lambda consumers) and at most 1000, got ${p.maxReceiveCount}`,
  );
  const retentionSeconds = p.queueRetention.toSeconds();
  check(
    isInt(retentionSeconds, 60, DEAD_LETTER_RETENTION.toSeconds() - 86_400),
    `queueRetention must be 60 s..13 days, a day shorter than the 14-day dead-letter retention, got ${retentionSeconds} s`,
  );

  check(isInt(p.consumerMemorySize, 128, 10_240), `consumerMemorySize must be 128..10240 MiB, got ${p.consumerMemorySize}`);
  check(isInt(p.apiMemorySize, 128, 10_240), `apiMemorySize must be 128..10240 MiB, got ${p.apiMemorySize}`);

  check(
    Number.isFinite(p.apiThrottleRateLimit) && p.apiThrottleRateLimit > 0,
    `apiThrottleRateLimit must be positive, got ${p.apiThrottleRateLimit}`,
  );
  check(isInt(p.apiThrottleBurstLimit, 1), `apiThrottleBurstLimit must be a positive integer, got ${p.apiThrottleBurstLimit}`);

  check(
    p.alarmEmail === undefined || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(p.alarmEmail),
    `alarmEmail is not an email address: "${p.alarmEmail}"`,
  );
  check(
    isInt(p.oldestEventAgeAlarmThreshold.toSeconds(), 60, retentionSeconds),
    'oldestEventAgeAlarmThreshold must be at least 60 s and within queueRetention',
  );
  check(
    isInt(p.slowLaneOldestAgeAlarmThreshold.toSeconds(), 60, retentionSeconds),
    'slowLaneOldestAgeAlarmThreshold must be at least 60 s and within queueRetention',
  );
  check(
    isInt(p.fifoOldestAgeAlarmThreshold.toSeconds(), 60, SLOW_LANE_RETENTION.toSeconds()),
    `fifoOldestAgeAlarmThreshold must be at least 60 s and within the FIFO queue's ${SLOW_LANE_RETENTION.toDays()}-day retention`,
  );
  check(
    p.deliveryFailureRateAlarmPercent > 0 && p.deliveryFailureRateAlarmPercent < 100,
    `deliveryFailureRateAlarmPercent must be between 0 and 100 (exclusive), got ${p.deliveryFailureRateAlarmPercent}`,
  );
  check(isInt(p.api5xxAlarmThreshold, 0), `api5xxAlarmThreshold must be a whole number ≥ 0, got ${p.api5xxAlarmThreshold}`);
  check(
    p.portalFrameAncestors.every((origin) => /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)),
    `portalFrameAncestors must be origins like https://app.example.com, got ${p.portalFrameAncestors.join(', ')}`,
  );
  check(p.publicUrl === undefined || /^https:\/\/[^\s/]+/.test(p.publicUrl), `publicUrl must be an https:// URL, got "${p.publicUrl}"`);

  return p;
}
