/**
 * The whole of Hookpost on one machine: fauxqs for SQS, DynamoDB Local for the table, the consumer fed
 * by a Lambda-like poller, and the API on node:http — the same handlers the Lambda functions run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createHttpSender } from '../adapters/http/sender.ts';
import type { ResolveAll } from '../adapters/http/ssrf-guard.ts';
import { createBatchHandler, createFifoBatchHandler } from '../adapters/lambda/sqs-batch.ts';
import { createApi, routeMatcher } from '../api/app.ts';
import { consoleRoutes } from '../api/console.ts';
import { eventRoutes } from '../api/events.ts';
import { allRoutes } from '../api/routes.ts';
import { DEFAULTS, type Settings, settingsEnvironment } from '../core/platform/settings.ts';
import { createRuntime, type Runtime } from '../wiring.ts';
import { createServices, type Services } from '../core/management/services.ts';
import { LOCAL_REGION, dynamoDbClient, snsClient, sqsClient } from '../adapters/aws/clients.ts';
import { callRecorderFromEnv, type FunctionScope, perFunction, runAs } from './aws-calls.ts';
import { localKeyArn, localKmsClient, localSecretArn, localSecretsManagerClient } from './aws-stand-ins.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { type PollerOptions, startPoller } from './poller.ts';
import { createAlarmTopic, createQueues, createTable } from './resources.ts';
import { localConsole } from './console-route.ts';
import { startApiServer } from './server.ts';
import { startSqsLocal } from './sqs-local.ts';

/** The local stand-ins' key and secrets (aws-stand-ins.ts), named as the stack's would be. */
const SIGNING_SECRETS_KEY_ARN = localKeyArn('hookpost-signing-secrets');
const ADMIN_KEY_SECRET_ARN = localSecretArn('hookpost-admin-key');
const PORTAL_SIGNING_KEY_SECRET_ARN = localSecretArn('hookpost-portal-signing-key');

export interface LocalStackOptions {
  /** API port; 0 picks a free one. @default 0 */
  port?: number;
  /** @default a new `hp_…` key, generated per start */
  adminKey?: string;
  /** @default DEFAULTS.retryScheduleSeconds */
  retryScheduleSeconds?: number[];
  /** @default 10_000 */
  deliveryTimeoutMs?: number;
  /** Local receivers usually live on localhost, so this is on by default here (off on AWS). @default true */
  allowPrivateTargets?: boolean;
  /** Reuse a running DynamoDB Local (e.g. one per test run). @default spawn one for this stack */
  dynamoDbEndpoint?: string;
  /** @default `hookpost-<random>`, so stacks sharing one DynamoDB Local never see each other's data */
  tableName?: string;
  /** Receives before a message goes to the DLQ. @default 5 */
  maxReceiveCount?: number;
  /** @default max(60, 6 × the delivery timeout in seconds) (AWS advises ≥ 6× the function timeout) */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait of the consumer poller; short so that stop() is quick. @default 1 */
  pollerWaitTimeSeconds?: number;
  /** @default 256 KiB */
  maxPayloadBytes?: number;
  /** How long subscription and event-type reads are cached. @default 5_000 */
  subscriptionCacheMs?: number;
  /** A subscription failing without a success for this long is disabled. @default 5 days */
  disableAfterFailingMs?: number;
  /** @default DEFAULTS.maxSubscriptionsPerTenant (100) */
  maxSubscriptionsPerTenant?: number;
  /** Signs portal links (base64, ≥ 32 bytes); rotating it revokes them all. @default generated per start */
  portalSigningKey?: string;
  /** Origins allowed to frame the tenant portal. @default none */
  portalFrameAncestors?: string[];
  /** Base of portal links. @default the request's Host */
  publicUrl?: string;
  /** The resolver under the sender's SSRF guard (tests make a public-looking name resolve to loopback). @default dns.lookup */
  lookup?: ResolveAll;
  /**
   * The slow lane: a second queue with its own poller for endpoints that recently timed out or were
   * slow, as on AWS. `false` runs without it (every delivery inline on the main poller, as before).
   * @default true
   */
  slowLane?: boolean;
  /** Receive loops of the slow lane's poller (its concurrency, like the main poller's 2). @default 2 */
  slowLaneConcurrency?: number;
  /** @default DEFAULTS.slowLaneAfterMs, capped at half the delivery timeout */
  slowLaneAfterMs?: number;
  /** @default DEFAULTS.slowLaneHoldMs */
  slowLaneHoldMs?: number;
  /** @default DEFAULTS.rateLimitInlineWaitMs */
  rateLimitInlineWaitMs?: number;
  /**
   * Seal signing secrets with this local key (base64 of 32 bytes) instead of the KMS stand-in, so that a
   * bundled function given the same key (HOOKPOST_LOCAL_SECRETS_KEY, e.g. bench/consumer-duration.ts)
   * opens them. @default the KMS stand-in
   */
  localSecretsKey?: string;
  /** How long a received FIFO record stays hidden (how soon it is back after a crash). @default visibilityTimeoutSeconds */
  fifoVisibilityTimeoutSeconds?: number;
}

export interface LocalStack {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly adminKey: string;
  /** The key that signs portal links (base64), held in the local stand-in for Secrets Manager. */
  readonly portalSigningKey: string;
  readonly settings: Settings;
  readonly runtime: Runtime<Services>;
  /** An SQS client pointed at fauxqs (for tests that look at the queues). */
  readonly sqs: SQSClient;
  readonly eventsQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The slow lane's queue (created even when the slow lane is off, then unused). */
  readonly slowQueueUrl: string;
  /** The FIFO queue (deliveries to `ordering: fifo` endpoints) and its FIFO DLQ. */
  readonly fifoQueueUrl: string;
  readonly fifoDeadLetterQueueUrl: string;
  /** A queue subscribed to the local alarm topic: operational notices such as `endpoint.disabled` land here. */
  readonly noticesQueueUrl: string;
  /** Stops the server, the poller, the runtime, fauxqs and DynamoDB Local (if it started one). Safe to call twice. */
  stop(): Promise<void>;
}

export function generateAdminKey(): string {
  return `hp_${randomBytes(32).toString('base64url')}`;
}

function logUnexpected(error: unknown): void {
  // The message and stack only: an error may carry the request, and with it payloads or keys.
  console.error('[api] unexpected error:', error instanceof Error ? (error.stack ?? error.message) : String(error));
}

function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version?: string }).version ?? '0.0.0';
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? DEFAULTS.deliveryTimeoutMs;
  const slowLane = options.slowLane ?? true;
  const adminKey = options.adminKey ?? generateAdminKey();
  // Undo whatever has started so far if a later step fails, newest first.
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'local stack did not stop cleanly');
  };

  try {
    const sqsLocal = await startSqsLocal();
    stops.push(() => sqsLocal.stop());

    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    if (!dynamoDbEndpoint) {
      const dynamoDbLocal = await startDynamoDbLocal();
      stops.push(() => dynamoDbLocal.stop());
      dynamoDbEndpoint = dynamoDbLocal.endpoint;
    }

    const tableName = options.tableName ?? `hookpost-${randomUUID().slice(0, 8)}`;
    const setupSqs = sqsClient(LOCAL_REGION, sqsLocal.endpoint);
    const setupDynamoDb = dynamoDbClient(LOCAL_REGION, dynamoDbEndpoint);
    const setupSns = snsClient(LOCAL_REGION, sqsLocal.endpoint);
    const queues = await (async () => {
      try {
        await createTable(setupDynamoDb, tableName);
        const created = await createQueues(setupSqs, {
          maxReceiveCount: options.maxReceiveCount,
          visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? Math.max(60, 6 * Math.ceil(deliveryTimeoutMs / 1000)),
          fifoVisibilityTimeoutSeconds: options.fifoVisibilityTimeoutSeconds,
        });
        return { ...created, ...(await createAlarmTopic(setupSqs, setupSns)) };
      } finally {
        setupSqs.destroy();
        setupSns.destroy();
        setupDynamoDb.destroy();
      }
    })();

    const settings: Settings = {
      region: LOCAL_REGION,
      tableName,
      eventsQueueUrl: queues.eventsQueueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      ...(slowLane && { slowQueueUrl: queues.slowQueueUrl, slowQueueArn: queues.slowQueueArn }),
      fifoQueueUrl: queues.fifoQueueUrl,
      slowLaneAfterMs: options.slowLaneAfterMs ?? Math.min(DEFAULTS.slowLaneAfterMs, Math.ceil(deliveryTimeoutMs / 2)),
      slowLaneHoldMs: options.slowLaneHoldMs ?? DEFAULTS.slowLaneHoldMs,
      rateLimitInlineWaitMs: options.rateLimitInlineWaitMs ?? DEFAULTS.rateLimitInlineWaitMs,
      retryScheduleSeconds: options.retryScheduleSeconds ?? [...DEFAULTS.retryScheduleSeconds],
      deliveryTimeoutMs,
      allowPrivateTargets: options.allowPrivateTargets ?? true,
      maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
      attemptTtlDays: DEFAULTS.attemptTtlDays,
      subscriptionCacheMs: options.subscriptionCacheMs ?? DEFAULTS.subscriptionCacheMs,
      // KMS and Secrets Manager are stood in for in this process (aws-stand-ins.ts), with keys per start.
      ...(options.localSecretsKey ? { localSecretsKey: options.localSecretsKey } : { secretsKeyArn: SIGNING_SECRETS_KEY_ARN }),
      adminKeySecretArn: ADMIN_KEY_SECRET_ARN,
      portalSigningKeySecretArn: PORTAL_SIGNING_KEY_SECRET_ARN,
      disableAfterFailingMs: options.disableAfterFailingMs ?? DEFAULTS.disableAfterFailingMs,
      maxSubscriptionsPerTenant: options.maxSubscriptionsPerTenant ?? DEFAULTS.maxSubscriptionsPerTenant,
      alarmTopicArn: queues.topicArn,
      version: packageVersion(),
      eventsQueueArn: queues.eventsQueueArn,
      deadLetterQueueArn: queues.deadLetterQueueArn,
      sqsEndpoint: sqsLocal.endpoint,
      dynamoDbEndpoint,
      portalFrameAncestors: options.portalFrameAncestors ?? [],
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    };

    // With HOOKPOST_AWS_CALL_LOG set, every AWS call is logged with the function that makes it on AWS (test/iam).
    const recordCalls = callRecorderFromEnv(
      settingsEnvironment({
        tableName,
        eventsQueueUrl: queues.eventsQueueUrl,
        eventsQueueArn: queues.eventsQueueArn,
        deadLetterQueueUrl: queues.deadLetterQueueUrl,
        deadLetterQueueArn: queues.deadLetterQueueArn,
        slowQueueUrl: queues.slowQueueUrl,
        slowQueueArn: queues.slowQueueArn,
        fifoQueueUrl: queues.fifoQueueUrl,
        alarmTopicArn: queues.topicArn,
        secretsKeyArn: SIGNING_SECRETS_KEY_ARN,
        adminKeySecretArn: ADMIN_KEY_SECRET_ARN,
        portalSigningKeySecretArn: PORTAL_SIGNING_KEY_SECRET_ARN,
      }),
    );
    const portalSigningKey = options.portalSigningKey ?? randomBytes(32).toString('base64');
    const runtime = createRuntime(settings, createServices, {
      httpSender: (s) => createHttpSender({ allowPrivateTargets: s.allowPrivateTargets, lookup: options.lookup }),
      ...(recordCalls && { instrument: recordCalls }),
      kms: localKmsClient(SIGNING_SECRETS_KEY_ARN),
      secretsManager: localSecretsManagerClient({ [ADMIN_KEY_SECRET_ARN]: adminKey, [PORTAL_SIGNING_KEY_SECRET_ARN]: portalSigningKey }),
      shareCipher: (build) => {
        const cipher = perFunction(build);
        return { seal: (plaintext, context) => cipher().seal(plaintext, context), open: (sealed, context) => cipher().open(sealed, context) };
      },
    });
    stops.push(() => runtime.close());
    // For tests that look at the queues.
    const sqs = sqsClient(LOCAL_REGION, sqsLocal.endpoint);
    stops.push(async () => sqs.destroy());
    // The pollers' own client, as Lambda's event source mapping is apart from the function (but calls with its role).
    const pollerSqs = sqsClient(LOCAL_REGION, sqsLocal.endpoint);
    recordCalls?.(pollerSqs);
    stops.push(async () => pollerSqs.destroy());
    // Each poller starts in its function's scope: its receives and deletes (Lambda's event source
    // mapping calls with the function's role) and its handler's calls count as that function's.
    const waitTimeSeconds = options.pollerWaitTimeSeconds ?? 1;
    const poll = (scope: FunctionScope, options: Omit<PollerOptions, 'sqs' | 'waitTimeSeconds'>) => {
      const started = runAs(scope, () => startPoller({ sqs: pollerSqs, waitTimeSeconds, ...options }));
      stops.push(() => started.stop());
    };

    // One handler for both queues, as the consumer function is mapped to both on AWS.
    const handler = createBatchHandler(runtime.services.dispatch, { slowQueueArn: settings.slowQueueArn });
    poll({ function: 'consumer' }, { queueUrl: queues.eventsQueueUrl, queueArn: queues.eventsQueueArn, handler });
    if (slowLane) {
      poll(
        { function: 'consumer' },
        { queueUrl: queues.slowQueueUrl, queueArn: queues.slowQueueArn, handler, concurrency: options.slowLaneConcurrency ?? 2 },
      );
    }

    // The FIFO consumer, fed like Lambda's FIFO event source: fauxqs hands out a group only while none
    // of its messages is in flight, and honours the visibility a held record is given.
    const { fifoQueue } = runtime.ports;
    if (fifoQueue) {
      poll(
        { function: 'fifoConsumer' },
        {
          queueUrl: queues.fifoQueueUrl,
          queueArn: queues.fifoQueueArn,
          handler: createFifoBatchHandler(runtime.services.deliverFifo, fifoQueue),
        },
      );
    }

    // API Gateway sends POST /v1/events and /v1/events/batch to the ingest function, the rest to management.
    const app = createApi(runtime.services, allRoutes, { onUnexpectedError: logUnexpected });
    app.route('/', consoleRoutes(localConsole({ portalFrameAncestors: settings.portalFrameAncestors })));
    const routeOf = routeMatcher(allRoutes);
    const scopeOf = (request: Request): FunctionScope => {
      const route = routeOf(request.method, new URL(request.url).pathname);
      const ingest = route !== undefined && eventRoutes.includes(route);
      return { function: ingest ? 'ingest' : 'management', ...(route && { route: `${route.route.method.toUpperCase()} ${route.route.path}` }) };
    };
    const server = await startApiServer({
      port: options.port ?? 0,
      // Every route, as API Gateway has them all in front of the ingest and management functions.
      fetch: (request) => runAs(scopeOf(request), () => app.fetch(request)),
    });
    stops.push(() => server.stop());

    let stopping: Promise<void> | undefined;
    return {
      url: server.url,
      adminKey,
      portalSigningKey,
      settings,
      runtime,
      sqs,
      eventsQueueUrl: queues.eventsQueueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      slowQueueUrl: queues.slowQueueUrl,
      fifoQueueUrl: queues.fifoQueueUrl,
      fifoDeadLetterQueueUrl: queues.fifoDeadLetterQueueUrl,
      noticesQueueUrl: queues.noticesQueueUrl,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}
