/** Runtime settings, read once from the environment (Lambda env vars on AWS; set by `npm run dev` locally). */

export interface Config {
  region: string;
  tableName: string;
  eventsQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Seconds to wait before each retry after the first attempt. */
  retryScheduleSeconds: number[];
  deliveryTimeoutMs: number;
  /** Allow loopback/private destinations and plain http: (local mode only). */
  allowPrivateTargets: boolean;
  maxPayloadBytes: number;
  attemptTtlDays: number;
  subscriptionCacheMs: number;
  /** A subscription failing without a success for this long is disabled (default 5 days). */
  disableAfterFailingMs: number;
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
  /** Portal links and the console (shared/portal-tokens.ts, shared/console-assets.ts). */
  portalSigningKey?: string;
  portalSigningKeySecretArn?: string;
  /** Origins that may frame the tenant portal (space or comma separated). */
  portalFrameAncestors?: string[];
  /** The API's public base URL, for portal links; else the request's Host. */
  publicUrl?: string;
}

export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];

export function parseRetrySchedule(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const seconds = parts.map(Number);
  if (parts.length === 0 || seconds.some((s, i) => parts[i] === '' || !Number.isFinite(s) || s < 0)) {
    throw new Error(`HOOKPOST_RETRY_SCHEDULE must be a comma-separated list of seconds, got "${value}"`);
  }
  return seconds;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    region: env.AWS_REGION ?? 'us-east-1',
    tableName: required(env, 'HOOKPOST_TABLE_NAME'),
    eventsQueueUrl: required(env, 'HOOKPOST_EVENTS_QUEUE_URL'),
    deadLetterQueueUrl: required(env, 'HOOKPOST_DLQ_URL'),
    retryScheduleSeconds: env.HOOKPOST_RETRY_SCHEDULE
      ? parseRetrySchedule(env.HOOKPOST_RETRY_SCHEDULE)
      : DEFAULT_RETRY_SCHEDULE_SECONDS,
    deliveryTimeoutMs: positiveInt(env, 'HOOKPOST_DELIVERY_TIMEOUT_MS', 10_000),
    allowPrivateTargets: env.HOOKPOST_ALLOW_PRIVATE_TARGETS === 'true',
    maxPayloadBytes: positiveInt(env, 'HOOKPOST_MAX_PAYLOAD_BYTES', 256 * 1024),
    attemptTtlDays: positiveInt(env, 'HOOKPOST_ATTEMPT_TTL_DAYS', 30),
    subscriptionCacheMs: positiveInt(env, 'HOOKPOST_SUBSCRIPTION_CACHE_MS', 5_000),
    disableAfterFailingMs: positiveInt(env, 'HOOKPOST_DISABLE_AFTER_FAILING_HOURS', 120) * 3_600_000,
    adminKeySecretArn: env.HOOKPOST_ADMIN_KEY_SECRET_ARN || undefined,
    secretsKeyArn: env.HOOKPOST_SECRETS_KEY_ARN || undefined,
    localSecretsKey: env.HOOKPOST_LOCAL_SECRETS_KEY || undefined,
    adminKey: env.HOOKPOST_ADMIN_KEY || undefined,
    alarmTopicArn: env.HOOKPOST_ALARM_TOPIC_ARN || undefined,
    version: env.HOOKPOST_VERSION ?? '0.1.0',
    eventsQueueArn: env.HOOKPOST_EVENTS_QUEUE_ARN || undefined,
    deadLetterQueueArn: env.HOOKPOST_DLQ_ARN || undefined,
    sqsEndpoint: env.HOOKPOST_SQS_ENDPOINT || undefined,
    dynamoDbEndpoint: env.HOOKPOST_DYNAMODB_ENDPOINT || undefined,
    portalSigningKey: env.HOOKPOST_PORTAL_SIGNING_KEY || undefined,
    portalSigningKeySecretArn: env.HOOKPOST_PORTAL_SIGNING_KEY_SECRET_ARN || undefined,
    portalFrameAncestors: env.HOOKPOST_PORTAL_FRAME_ANCESTORS?.split(/[\s,]+/).filter(Boolean),
    publicUrl: env.HOOKPOST_PUBLIC_URL || undefined,
  };
}
