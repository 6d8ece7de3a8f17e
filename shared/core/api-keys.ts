/**
 * API keys: `hp_` + 32 random bytes (base64url), shown once. Only a SHA-256 of the key is stored —
 * the keys are high-entropy, so a fast hash is enough (a slow KDF protects guessable passwords, not these).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { ApiKeyRecord } from './ports.ts';

const ulid = monotonicFactory();

export const newApiKey = (): string => `hp_${randomBytes(32).toString('base64url')}`;
export const newApiKeyId = (now = Date.now()): string => `key_${ulid(now)}`;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

/** Constant-time comparison of two stored-form hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the API shows of a key: never the hash. */
export function apiKeyView(record: ApiKeyRecord): Omit<ApiKeyRecord, 'hash'> {
  const { hash: _hash, ...view } = record;
  return view;
}
