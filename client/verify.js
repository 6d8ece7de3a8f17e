// Verifies a Hookpost delivery (Standard Webhooks headers): `v1` HMAC-SHA256 signatures with a
// `whsec_` secret and `v1a` Ed25519 signatures with a `whpk_` public key. Plain JavaScript over
// node:crypto only, with a .d.ts beside it, so it runs from node_modules on any Node ≥ 20.
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from 'node:crypto';

/** Standard Webhooks libraries accept a timestamp up to 5 minutes from now, either way. */
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookVerificationError extends Error {
  /**
   * @param {import('./verify.d.ts').WebhookVerificationErrorCode} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** @param {string} key */
function parseKey(key) {
  if (typeof key === 'string' && key.startsWith('whsec_')) {
    const base64 = key.slice('whsec_'.length);
    const secret = Buffer.from(base64, 'base64');
    if (BASE64.test(base64) && secret.length > 0) return { version: 'v1', secret };
  } else if (typeof key === 'string' && key.startsWith('whpk_')) {
    const raw = Buffer.from(key.slice('whpk_'.length), 'base64');
    if (raw.length === 32 && raw.toString('base64') === key.slice('whpk_'.length)) {
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
      return { version: 'v1a', publicKey };
    }
  }
  throw new TypeError(
    'a verification key is the whsec_… secret (v1, HMAC-SHA256) or the whpk_… public key (v1a, Ed25519) that Hookpost gave for the endpoint',
  );
}

/**
 * @param {import('./verify.d.ts').WebhookHeaders} headers
 * @param {string} name lower case
 * @returns {string | undefined}
 */
function header(headers, name) {
  if (typeof headers?.get === 'function') return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/**
 * @param {string | Uint8Array} rawBody
 * @param {import('./verify.d.ts').WebhookHeaders} headers
 * @param {string | readonly string[]} keys
 * @param {import('./verify.d.ts').VerifyOptions} [options]
 * @returns {import('./verify.d.ts').VerifiedWebhook}
 */
export function verifyWebhook(rawBody, headers, keys, options = {}) {
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new TypeError('rawBody is the request body as received (a string or bytes), before any JSON parsing');
  }
  const keyList = typeof keys === 'string' ? [keys] : Array.isArray(keys) ? keys : [];
  if (keyList.length === 0) throw new TypeError('give the endpoint’s whsec_… secret or whpk_… public key, or an array of them');
  const parsedKeys = keyList.map(parseKey);

  const id = header(headers, 'webhook-id');
  const timestampHeader = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  for (const [name, value] of [['webhook-id', id], ['webhook-timestamp', timestampHeader], ['webhook-signature', signatures]]) {
    if (!value) throw new WebhookVerificationError('missing_header', `the ${name} header is missing`);
  }
  if (!/^\d{1,12}$/.test(/** @type {string} */ (timestampHeader))) {
    throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not unix seconds');
  }
  const timestamp = Number(timestampHeader);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', `webhook-timestamp is more than ${tolerance} s old`);
  if (timestamp > now + tolerance) throw new WebhookVerificationError('timestamp_too_new', `webhook-timestamp is more than ${tolerance} s ahead`);

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const signed = Buffer.concat([Buffer.from(`${id}.${timestampHeader}.`, 'utf8'), body]);
  // Each key checks the signatures of its own version; unknown versions are skipped, as the standard says.
  const checks = parsedKeys.map((key) => {
    if (key.version === 'v1') {
      const mac = createHmac('sha256', key.secret).update(signed).digest();
      return { version: 'v1', matches: (/** @type {Buffer} */ signature) => signature.length === mac.length && timingSafeEqual(signature, mac) };
    }
    return { version: 'v1a', matches: (/** @type {Buffer} */ signature) => signature.length === 64 && verifySignature(null, signed, key.publicKey, signature) };
  });
  for (const entry of /** @type {string} */ (signatures).split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0) continue;
    const version = entry.slice(0, comma);
    const signature = Buffer.from(entry.slice(comma + 1), 'base64');
    if (checks.some((check) => check.version === version && check.matches(signature))) return { id, timestamp };
  }
  const kinds = [...new Set(checks.map((check) => check.version))].join(' or ');
  throw new WebhookVerificationError('no_matching_signature', `no ${kinds} signature in webhook-signature matches the given key`);
}
