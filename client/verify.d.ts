/**
 * Verifying a Hookpost delivery: `v1` (HMAC-SHA256, `whsec_` secret) and `v1a` (Ed25519, `whpk_`
 * public key) Standard Webhooks signatures, with node:crypto only. See docs/verifying.md.
 */

/** Node's `req.headers`, any object of header names (any case) to values, or a Fetch `Headers`. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The time to check the timestamp against. Default: now. */
  now?: Date;
}

export interface VerifiedWebhook {
  /** `webhook-id`: the same on every retry of one message; de-duplicate on it. */
  id: string;
  /** `webhook-timestamp`, unix seconds. */
  timestamp: number;
}

export type WebhookVerificationErrorCode =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

/** The delivery is not authentic or not fresh: answer it with a 4xx and do not act on it. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, message: string);
}

/**
 * Checks the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers against the raw body.
 * `keys`: the endpoint's `whsec_…` secret (checks `v1,` signatures) or `whpk_…` public key (checks
 * `v1a,` signatures), or several of them while you rotate; one matching signature is enough.
 * Throws `WebhookVerificationError` for a delivery that fails, and `TypeError` for a key that is
 * neither kind or a body that is not a string or bytes.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  keys: string | readonly string[],
  options?: VerifyOptions,
): VerifiedWebhook;
