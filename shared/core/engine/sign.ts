/**
 * Standard Webhooks signatures over "{id}.{timestamp}.{body}":
 * - symmetric: `v1,<base64 HMAC-SHA256>` with the `whsec_` secret (key = its base64 part);
 * - asymmetric: `v1a,<base64 ed25519 signature>` with a `whsk_` signing key (base64 of the 32-byte
 *   seed); receivers verify with the `whpk_` public key (base64 of the 32-byte raw key).
 * https://github.com/standard-webhooks/standard-webhooks
 */
import { createHmac, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';

export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';
/** DER prefix of a PKCS#8 ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A new ed25519 signing key, `whsk_` + base64 of a random 32-byte seed. */
export const newEd25519SigningKey = (): string => `${SIGNING_KEY_PREFIX}${randomBytes(32).toString('base64')}`;

const privateKeys = new Map<string, KeyObject>();

function ed25519Key(signingKey: string): KeyObject {
  let key = privateKeys.get(signingKey);
  if (!key) {
    const seed = Buffer.from(signingKey.slice(SIGNING_KEY_PREFIX.length), 'base64');
    if (seed.length !== 32) throw new Error('an ed25519 signing key is base64 of 32 bytes');
    key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    if (privateKeys.size > 10_000) privateKeys.clear();
    privateKeys.set(signingKey, key);
  }
  return key;
}

/** The `whpk_` public key (base64 of the 32-byte raw key) that verifies what `signingKey` signs. */
export function publicKeyOf(signingKey: string): string {
  const spki = createPublicKey(ed25519Key(signingKey)).export({ format: 'der', type: 'spki' });
  return `${PUBLIC_KEY_PREFIX}${spki.subarray(spki.length - 32).toString('base64')}`;
}

const keyCache = new Map<string, Buffer>();

function secretKey(secret: string): Buffer {
  let key = keyCache.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

export function signPayload(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  if (secret.startsWith(SIGNING_KEY_PREFIX)) {
    return `v1a,${sign(null, Buffer.from(`${messageId}.${timestampSeconds}.${body}`), ed25519Key(secret)).toString('base64')}`;
  }
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${messageId}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** One signature per secret (`v1,` or `v1a,` by its kind), space separated, for the `webhook-signature` header. */
export function signatureHeader(secrets: string[], messageId: string, timestampSeconds: number, body: string): string {
  if (secrets.length === 1) return signPayload(secrets[0] as string, messageId, timestampSeconds, body);
  return secrets.map((secret) => signPayload(secret, messageId, timestampSeconds, body)).join(' ');
}
