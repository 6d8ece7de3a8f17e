/**
 * Runtime settings: every environment variable's name and default, defined once. The Lambda functions
 * read them with `settingsFromEnv`; the CDK stack writes them with `settingsEnvironment`; local mode
 * builds Settings directly (and `npm run dev` reads the same variables through `settingsFromEnv`'s parsers).
 * One name and one unit per setting: the variable is HOOKPOST_ and the field's name (AWS_REGION aside),
 * the unit is the one the name ends with (`…Ms`, `…Seconds`, `…Days`, `…Bytes`), and a stack prop the
 * functions read has the same name (cdk/stack-props.ts).
 */
import { MAX_PAYLOAD_BYTES_LIMIT } from './ports.ts';

export interface Settings {
  region: string;
  tableName: string;
  eventsQueueUrl: string;
  deadLetterQueueUrl: string;
  /**
   * The slow lane's queue: deliveries to endpoints that recently timed out (or were slow) wait here
   * for their own consumer instead of holding the main one. Unset: no slow lane, every delivery inline.
   */
  slowQueueUrl?: string;
  /** The slow queue's ARN: how the consumer tells a slow-lane record (its eventSourceARN) from a main one. */
  slowQueueArn?: string;
  /** The FIFO queue (deliveries to `ordering: fifo` endpoints). Unset: FIFO endpoints are delivered like the others. */
  fifoQueueUrl?: string;
  /** An attempt that times out or takes at least this long sends its endpoint to the slow lane. */
  slowLaneAfterMs: number;
  /** How long an endpoint stays in the slow lane after its last slow attempt, unless a prompt success ends it sooner. */
  slowLaneHoldMs: number;
  /**
   * A rate-limited delivery whose slot is at most this far off waits for it in the consumer; one
   * further off goes back to its queue with a delay and returns shortly before its slot.
   */
  rateLimitInlineWaitMs: number;
  /** Seconds to wait before each retry after the first attempt. */
  retryScheduleSeconds: number[];
  /** How long one HTTP attempt may take before it counts as failed. */
  deliveryTimeoutMs: number;
  /** Allow loopback/private destinations and plain http: (local mode only). */
  allowPrivateTargets: boolean;
  maxPayloadBytes: number;
  attemptTtlDays: number;
  /** How long a function instance caches a tenant's subscriptions. */
  subscriptionCacheMs: number;
  /** A subscription failing without a success for this long is disabled. */
  disableAfterFailingMs: number;
  /** Endpoints one tenant may have (each one multiplies every event of the tenant). */
  maxSubscriptionsPerTenant: number;
  /** KMS key that wraps the data keys sealing signing secrets (AWS). */
  secretsKeyArn?: string;
  /** Local mode's stand-in for KMS: base64 of 32 random bytes. */
  localSecretsKey?: string;
  /** Secrets Manager secret holding the admin API key (AWS). */
  adminKeySecretArn?: string;
  /** The admin API key itself (local mode). */
  adminKey?: string;
  /** SNS topic for operational notices such as `endpoint.disabled`. */
  alarmTopicArn?: string;
  version: string;
  /** Queue ARNs for the dead-letter redrive (SQS StartMessageMoveTask) on AWS. */
  eventsQueueArn?: string;
  deadLetterQueueArn?: string;
  /** Endpoint overrides for local mode (fauxqs, DynamoDB Local); unset on AWS. */
  sqsEndpoint?: string;
  dynamoDbEndpoint?: string;
  /** The key (base64, ≥ 32 bytes) that signs portal links (local mode) … */
  portalSigningKey?: string;
  /** … or the Secrets Manager secret holding it (AWS). A new value revokes every link. */
  portalSigningKeySecretArn?: string;
  /** Origins that may frame the tenant portal (CSP frame-ancestors). */
  portalFrameAncestors: string[];
  /** The API's public base URL, for portal links; else the URL the request was sent to. */
  publicUrl?: string;
}

/** The environment variable behind each setting. */
export const ENV = {
  region: 'AWS_REGION',
  tableName: 'HOOKPOST_TABLE_NAME',
  eventsQueueUrl: 'HOOKPOST_EVENTS_QUEUE_URL',
  deadLetterQueueUrl: 'HOOKPOST_DEAD_LETTER_QUEUE_URL',
  slowQueueUrl: 'HOOKPOST_SLOW_QUEUE_URL',
  slowQueueArn: 'HOOKPOST_SLOW_QUEUE_ARN',
  fifoQueueUrl: 'HOOKPOST_FIFO_QUEUE_URL',
  slowLaneAfterMs: 'HOOKPOST_SLOW_LANE_AFTER_MS',
  slowLaneHoldMs: 'HOOKPOST_SLOW_LANE_HOLD_MS',
  rateLimitInlineWaitMs: 'HOOKPOST_RATE_LIMIT_INLINE_WAIT_MS',
  retryScheduleSeconds: 'HOOKPOST_RETRY_SCHEDULE_SECONDS',
  deliveryTimeoutMs: 'HOOKPOST_DELIVERY_TIMEOUT_MS',
  allowPrivateTargets: 'HOOKPOST_ALLOW_PRIVATE_TARGETS',
  maxPayloadBytes: 'HOOKPOST_MAX_PAYLOAD_BYTES',
  attemptTtlDays: 'HOOKPOST_ATTEMPT_TTL_DAYS',
  subscriptionCacheMs: 'HOOKPOST_SUBSCRIPTION_CACHE_MS',
  disableAfterFailingMs: 'HOOKPOST_DISABLE_AFTER_FAILING_MS',
  maxSubscriptionsPerTenant: 'HOOKPOST_MAX_SUBSCRIPTIONS_PER_TENANT',
  secretsKeyArn: 'HOOKPOST_SECRETS_KEY_ARN',
  localSecretsKey: 'HOOKPOST_LOCAL_SECRETS_KEY',
  adminKeySecretArn: 'HOOKPOST_ADMIN_KEY_SECRET_ARN',
  adminKey: 'HOOKPOST_ADMIN_KEY',
  alarmTopicArn: 'HOOKPOST_ALARM_TOPIC_ARN',
  version: 'HOOKPOST_VERSION',
  eventsQueueArn: 'HOOKPOST_EVENTS_QUEUE_ARN',
  deadLetterQueueArn: 'HOOKPOST_DEAD_LETTER_QUEUE_ARN',
  sqsEndpoint: 'HOOKPOST_SQS_ENDPOINT',
  dynamoDbEndpoint: 'HOOKPOST_DYNAMODB_ENDPOINT',
  portalSigningKey: 'HOOKPOST_PORTAL_SIGNING_KEY',
  portalSigningKeySecretArn: 'HOOKPOST_PORTAL_SIGNING_KEY_SECRET_ARN',
  portalFrameAncestors: 'HOOKPOST_PORTAL_FRAME_ANCESTORS',
  publicUrl: 'HOOKPOST_PUBLIC_URL',
} as const satisfies Record<keyof Settings, string>;

/**
 * Variables renamed so that each has its setting's name and unit (issue 25). Setting one is refused
 * rather than ignored: the old value would silently give way to the default.
 */
const RENAMED: Record<string, string> = {
  HOOKPOST_RETRY_SCHEDULE: `${ENV.retryScheduleSeconds} (the same seconds)`,
  HOOKPOST_DISABLE_AFTER_FAILING_HOURS: `${ENV.disableAfterFailingMs} (milliseconds, not hours)`,
  HOOKPOST_DLQ_URL: ENV.deadLetterQueueUrl,
  HOOKPOST_DLQ_ARN: ENV.deadLetterQueueArn,
};

/** Throws when `env` sets a variable under its old name. */
export function refuseRenamedVariables(env: Env): void {
  for (const [old, now] of Object.entries(RENAMED)) {
    if (env[old] !== undefined) throw new Error(`${old} was renamed: set ${now} instead`);
  }
}

const HOUR_MS = 3_600_000;

/** The defaults, also the CDK stack props' defaults and local mode's. */
export const DEFAULTS = {
  region: 'us-east-1',
  retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
  deliveryTimeoutMs: 10_000,
  /** Half the default delivery timeout: a timeout always counts, a 5 s answer does too. */
  slowLaneAfterMs: 5_000,
  /** 5 minutes, about the second retry's delay. */
  slowLaneHoldMs: 300_000,
  /** 1 s: a few slots of a slow limit, many of a fast one, and SQS delays come in whole seconds. */
  rateLimitInlineWaitMs: 1_000,
  allowPrivateTargets: false,
  maxPayloadBytes: 256 * 1024,
  attemptTtlDays: 30,
  subscriptionCacheMs: 5_000,
  /** 5 days. */
  disableAfterFailingMs: 120 * HOUR_MS,
  maxSubscriptionsPerTenant: 100,
  version: '0.1.0',
} as const satisfies Partial<Settings>;

export function parseRetrySchedule(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const seconds = parts.map(Number);
  if (parts.length === 0 || seconds.some((s, i) => parts[i] === '' || !Number.isFinite(s) || s < 0)) {
    throw new Error(`${ENV.retryScheduleSeconds} must be a comma-separated list of seconds, got "${value}"`);
  }
  return seconds;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** maxPayloadBytes past MAX_PAYLOAD_BYTES_LIMIT could accept events the queue or the table cannot hold. */
function payloadLimit(value: number): number {
  if (value > MAX_PAYLOAD_BYTES_LIMIT) throw new Error(`${ENV.maxPayloadBytes} must be at most ${MAX_PAYLOAD_BYTES_LIMIT}, got ${value}`);
  return value;
}

export function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function booleanSetting(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be "true" or "false", got "${raw}"`);
  return raw === 'true';
}

const optional = (env: Env, name: string): string | undefined => env[name] || undefined;

/** A list setting: values separated by spaces or commas. */
const listSetting = (env: Env, name: string): string[] => (env[name] ?? '').split(/[\s,]+/).filter(Boolean);

/** The console function's settings: it serves pages and reads no table or queue. */
export function consoleSettingsFromEnv(env: Env = process.env): Pick<Settings, 'portalFrameAncestors'> {
  refuseRenamedVariables(env);
  return { portalFrameAncestors: listSetting(env, ENV.portalFrameAncestors) };
}

export function settingsFromEnv(env: Env = process.env): Settings {
  refuseRenamedVariables(env);
  return {
    region: env[ENV.region] ?? DEFAULTS.region,
    tableName: required(env, ENV.tableName),
    eventsQueueUrl: required(env, ENV.eventsQueueUrl),
    deadLetterQueueUrl: required(env, ENV.deadLetterQueueUrl),
    slowQueueUrl: optional(env, ENV.slowQueueUrl),
    slowQueueArn: optional(env, ENV.slowQueueArn),
    fifoQueueUrl: optional(env, ENV.fifoQueueUrl),
    slowLaneAfterMs: positiveInt(env, ENV.slowLaneAfterMs, DEFAULTS.slowLaneAfterMs),
    slowLaneHoldMs: positiveInt(env, ENV.slowLaneHoldMs, DEFAULTS.slowLaneHoldMs),
    rateLimitInlineWaitMs: positiveInt(env, ENV.rateLimitInlineWaitMs, DEFAULTS.rateLimitInlineWaitMs),
    retryScheduleSeconds: env[ENV.retryScheduleSeconds]
      ? parseRetrySchedule(env[ENV.retryScheduleSeconds] as string)
      : [...DEFAULTS.retryScheduleSeconds],
    deliveryTimeoutMs: positiveInt(env, ENV.deliveryTimeoutMs, DEFAULTS.deliveryTimeoutMs),
    allowPrivateTargets: booleanSetting(env, ENV.allowPrivateTargets, DEFAULTS.allowPrivateTargets),
    maxPayloadBytes: payloadLimit(positiveInt(env, ENV.maxPayloadBytes, DEFAULTS.maxPayloadBytes)),
    attemptTtlDays: positiveInt(env, ENV.attemptTtlDays, DEFAULTS.attemptTtlDays),
    subscriptionCacheMs: positiveInt(env, ENV.subscriptionCacheMs, DEFAULTS.subscriptionCacheMs),
    disableAfterFailingMs: positiveInt(env, ENV.disableAfterFailingMs, DEFAULTS.disableAfterFailingMs),
    maxSubscriptionsPerTenant: positiveInt(env, ENV.maxSubscriptionsPerTenant, DEFAULTS.maxSubscriptionsPerTenant),
    adminKeySecretArn: optional(env, ENV.adminKeySecretArn),
    secretsKeyArn: optional(env, ENV.secretsKeyArn),
    localSecretsKey: optional(env, ENV.localSecretsKey),
    adminKey: optional(env, ENV.adminKey),
    alarmTopicArn: optional(env, ENV.alarmTopicArn),
    version: env[ENV.version] ?? DEFAULTS.version,
    eventsQueueArn: optional(env, ENV.eventsQueueArn),
    deadLetterQueueArn: optional(env, ENV.deadLetterQueueArn),
    sqsEndpoint: optional(env, ENV.sqsEndpoint),
    dynamoDbEndpoint: optional(env, ENV.dynamoDbEndpoint),
    portalSigningKey: optional(env, ENV.portalSigningKey),
    portalSigningKeySecretArn: optional(env, ENV.portalSigningKeySecretArn),
    portalFrameAncestors: listSetting(env, ENV.portalFrameAncestors),
    publicUrl: optional(env, ENV.publicUrl),
  };
}

/** The inverse of settingsFromEnv, for the CDK stack: each given setting as its environment variable. */
export function settingsEnvironment(settings: Partial<Omit<Settings, 'region'>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings) as [keyof Settings, Settings[keyof Settings]][]) {
    if (value === undefined) continue;
    if (name === 'retryScheduleSeconds') env[ENV[name]] = (value as number[]).join(',');
    else if (name === 'portalFrameAncestors') env[ENV[name]] = (value as string[]).join(' ');
    else env[ENV[name]] = String(value);
  }
  return env;
}
