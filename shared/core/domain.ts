/** Domain types shared by ingest, management and delivery. Free of AWS and transport types on purpose. */

export interface EventType {
  type: string;
  description: string;
  schema?: Record<string, unknown>;
  example?: unknown;
  createdAt: string;
  updatedAt: string;
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
}

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
