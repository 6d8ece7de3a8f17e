/**
 * Standard Webhooks signatures: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>, where key is
 * the base64 part of the `whsec_` secret. https://github.com/standard-webhooks/standard-webhooks
 */
import { createHmac } from 'node:crypto';

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
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${messageId}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** One `v1,` signature per secret, space separated, for the `webhook-signature` header. */
export function signatureHeader(secrets: string[], messageId: string, timestampSeconds: number, body: string): string {
  if (secrets.length === 1) return signPayload(secrets[0] as string, messageId, timestampSeconds, body);
  return secrets.map((secret) => signPayload(secret, messageId, timestampSeconds, body)).join(' ');
}
