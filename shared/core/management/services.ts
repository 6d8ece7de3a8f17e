/**
 * The core's use cases, built from ports and settings. wiring.ts hands in the adapters; the API routes,
 * the consumer and local mode call only what is here.
 */
import { type ApiKeyService, createApiKeyService } from './api-keys.ts';
import { type Authenticator, createAuthenticator } from './auth.ts';
import { type Catalogue, createCatalogue } from './catalogue.ts';
import { createDeliveryService, type DeliveryService } from './deliveries.ts';
import { dispatch } from '../engine/index.ts';
import { type Dispatcher, type DispatcherOptions, deliveryDeps, dispatchDeps, type FifoDeliverer, subscriptionDirectory } from '../engine/index.ts';
import { createFifoRouter, deliverInOrder } from '../engine/index.ts';
import { createPublisher, type Publisher } from './ingest.ts';
import type {
  ApiKeyStore,
  AttemptHistory,
  AttemptStore,
  Clock,
  DeadLetterQueue,
  EventQueue,
  EventTypeStore,
  FifoQueue,
  Transport,
  IdempotencyStore,
  MessageStore,
  Notifier,
  SecretSource,
  SubscriptionRemoval,
  SubscriptionRoutes,
  SubscriptionStore,
  TenantRegistry,
  RateLimiter,
} from '../platform/ports.ts';
import { createPortalService, type PortalService, portalKey } from './portal-tokens.ts';
import type { Settings } from '../platform/settings.ts';
import type { SubscriptionDirectory } from '../platform/subscription-directory.ts';
import { createSubscriptionService, type SubscriptionService } from './subscriptions.ts';

export interface Ports {
  clock: Clock;
  eventTypes: EventTypeStore;
  subscriptions: SubscriptionStore;
  subscriptionRemoval: SubscriptionRemoval;
  attempts: AttemptStore;
  attemptHistory: AttemptHistory;
  apiKeys: ApiKeyStore;
  messages: MessageStore;
  idempotency: IdempotencyStore;
  queue: EventQueue;
  /** The slow lane's queue (deliveries to endpoints that recently hung); absent: no slow lane. */
  slowQueue?: EventQueue;
  /** Paces endpoints with a `rateLimit` (shared by every consumer instance); absent: they are not limited. */
  rateLimiter?: RateLimiter;
  /** The FIFO queue (deliveries to `ordering: fifo` endpoints, a message group each); absent: FIFO endpoints are delivered like the others. */
  fifoQueue?: FifoQueue;
  /** What ingest reads to route FIFO endpoints (no secrets); needed with fifoQueue. */
  subscriptionRoutes?: SubscriptionRoutes;
  deadLetters: DeadLetterQueue;
  transport: Transport;
  notifier: Notifier;
  /** Where the admin key is kept, when it is not a setting (AWS: Secrets Manager). */
  adminKeySource?: SecretSource;
  /** Where the portal signing key is kept, when it is not a setting (AWS: Secrets Manager). */
  portalKeySource?: SecretSource;
  tenants: TenantRegistry;
}

export interface Services {
  version: string;
  /** The API's public base URL for portal links, when set (else the API takes it from the request). */
  publicUrl?: string;
  /** The largest `data` a publish accepts (bytes of JSON). */
  maxPayloadBytes: number;
  auth: Authenticator;
  publisher: Publisher;
  catalogue: Catalogue;
  subscriptions: SubscriptionService;
  deliveries: DeliveryService;
  apiKeys: ApiKeyService;
  deadLetters: Pick<DeadLetterQueue, 'peek' | 'redrive'>;
  /** Tenants with endpoints, paged (admin). */
  tenants: Pick<TenantRegistry, 'list'>;
  /** Links to a tenant's portal. */
  portal: PortalService;
  /** The consumer's engine: one queue record in, its deliveries made durable or a throw. */
  dispatch: Dispatcher;
  /** The FIFO consumer's engine: one delivery of a group, done or held (core/engine/fifo.ts). */
  deliverFifo: FifoDeliverer;
  /** The subscriptions with this process's cache (the delivery path reads through it). */
  directory: SubscriptionDirectory;
}

/** `options` are the delivery engine's (the API's use cases take none). */
export function createServices(ports: Ports, settings: Settings, options: DispatcherOptions = {}): Services {
  const { clock } = ports;
  const directory = subscriptionDirectory(ports, settings);
  const catalogue = createCatalogue({ store: ports.eventTypes, clock, cacheMs: settings.subscriptionCacheMs });
  const signingKey = portalKey({ clock, key: settings.portalSigningKey, source: ports.portalKeySource });
  const auth = createAuthenticator({
    clock,
    apiKeys: ports.apiKeys,
    adminKey: settings.adminKey,
    adminKeySource: ports.adminKeySource,
    portalKey: signingKey,
  });
  const delivery = deliveryDeps(ports, settings);
  const subscriptions = createSubscriptionService({
    directory,
    clock,
    allowPrivateTargets: settings.allowPrivateTargets,
    maxPerTenant: settings.maxSubscriptionsPerTenant,
    tenants: ports.tenants,
  });
  const engine = dispatchDeps(ports, settings, options, directory);
  return {
    version: settings.version,
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
    maxPayloadBytes: settings.maxPayloadBytes,
    auth,
    publisher: createPublisher({
      eventType: catalogue.lookup,
      queue: ports.queue,
      idempotency: ports.idempotency,
      clock,
      maxPayloadBytes: settings.maxPayloadBytes,
      ...(ports.fifoQueue &&
        ports.subscriptionRoutes && {
          fifo: createFifoRouter({ routes: ports.subscriptionRoutes, queue: ports.fifoQueue, clock, cacheMs: settings.subscriptionCacheMs }),
        }),
    }),
    catalogue,
    subscriptions,
    deliveries: createDeliveryService({
      delivery,
      subscriptions,
      directory,
      catalogue,
      attempts: ports.attempts,
      attemptHistory: ports.attemptHistory,
      messages: ports.messages,
      queue: ports.queue,
    }),
    apiKeys: createApiKeyService({ store: ports.apiKeys, clock, forget: auth.forget }),
    deadLetters: ports.deadLetters,
    tenants: ports.tenants,
    portal: createPortalService({ clock, key: signingKey }),
    dispatch: (queued, dispatchOptions) => dispatch(engine, queued, dispatchOptions),
    deliverFifo: (queued, receipt) => deliverInOrder(engine, queued, receipt),
    directory,
  };
}
