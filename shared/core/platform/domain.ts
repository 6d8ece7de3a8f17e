/** Domain types shared by ingest, management and delivery. Free of AWS and transport types on purpose. */


/** A JSON value as parsed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A payload filter (its language: engine/filter.ts). */
export type Filter = { [key: string]: JsonValue };

export interface EventType {
  type: string;
  description: string;
  schema?: Record<string, unknown>;
  example?: unknown;
  createdAt: string;
  updatedAt: string;
  /** Hookpost's own (the operational events): listed like the others, never changed or deleted. */
  builtIn?: boolean;
}

/** A signing secret; `expiresAt` is set on a rotated-out secret that still signs during the overlap. */
export interface SigningSecret {
  secret: string;
  expiresAt?: string;
}

export interface Subscription {
  id: string;
  tenant: string;
  url: string;
  eventTypes: string[];
  description: string;
  headers: Record<string, string>;
  enabled: boolean;
  secrets: SigningSecret[];
  createdAt: string;
  updatedAt: string;
  /** Set when the endpoint was disabled automatically (410, or failing for too long). */
  disabledReason?: string;
  /** When the current run of failures began; cleared by a success. Drives the auto-disable. */
  failingSince?: string;
  /**
   * Until when deliveries to this endpoint go through the slow lane (its own queue and consumer)
   * instead of being attempted inline: set when an attempt times out or is slow, cleared by a prompt
   * success. Keeps one endpoint's hanging from holding everyone else's batches.
   */
  slowUntil?: string;
  /** Only bodies `{type, timestamp, data}` that match are delivered (core/engine/filter.ts). */
  filter?: Filter;
  /** This endpoint's own waits (seconds) before each retry, instead of the global schedule. */
  retrySchedule?: number[];
  /** This endpoint's own attempt deadline, instead of the global one. */
  timeoutMs?: number;
  /** How deliveries are signed; absent means HMAC-SHA256. Set when the endpoint is created. */
  signingAlgorithm?: SigningAlgorithm;
  /** At most this many deliveries per second to this endpoint, across every consumer (1..1000); absent: unlimited. */
  rateLimit?: number;
  /**
   * `fifo`: events reach this endpoint one at a time in publish order, through the FIFO queue with the
   * subscription as message group (core/engine/fifo.ts). Stored only when `fifo`; absent means `none`.
   */
  ordering?: 'fifo';
}

export type SigningAlgorithm = 'hmac-sha256' | 'ed25519';

/** How an endpoint's events are ordered: `none` (in parallel, the default) or `fifo`. */
export type Ordering = 'none' | 'fifo';

/** One published event. */
export interface Message {
  id: string;
  type: string;
  tenant: string;
  timestamp: string;
  /**
   * `data`'s JSON text exactly as published (numbers digit for digit, never re-serialised from
   * doubles); parsed only to validate. The delivered body is built around it.
   */
  dataJson: string;
}

export type AttemptStatus = 'succeeded' | 'failed';

/** Which consumer made an attempt: the main one, the slow lane for endpoints that recently hung, or the FIFO one. */
export type DeliveryLane = 'main' | 'slow' | 'fifo';

/** One HTTP POST of one message to one subscription. */
export interface Attempt {
  id: string;
  messageId: string;
  subscriptionId: string;
  tenant: string;
  eventType: string;
  attemptNumber: number;
  status: AttemptStatus;
  statusCode?: number;
  durationMs: number;
  /** First 4 KiB of the response body. */
  response?: string;
  /** Why the attempt failed when there was no usable response (timeout, refused, blocked…). */
  error?: string;
  timestamp: string;
  /** True for "Send Test Event" attempts, which are never retried. */
  test?: boolean;
  /** `slow` when made by the slow-lane consumer (the endpoint had timed out or been slow), `fifo` by the FIFO one; absent on the main lane. */
  lane?: 'slow' | 'fifo';
}

export type ApiKeyScope = 'admin' | 'publish' | 'tenant';

/** A stored API key: only the SHA-256 of the key is kept, never the key. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scope: ApiKeyScope;
  tenant?: string;
  createdAt: string;
  /** base64url SHA-256 of the key. */
  hash: string;
}

/** Who is calling: the admin key, or a stored key with its scope (and tenant, for a tenant key). */
export interface Principal {
  keyId: string;
  scope: ApiKeyScope;
  tenant?: string;
}
