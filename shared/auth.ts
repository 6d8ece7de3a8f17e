/**
 * API keys: who is calling. On AWS the Lambda authorizer calls this; locally the dev server does.
 * A key is the bootstrap admin key (config locally, Secrets Manager on AWS) or a stored key (scoped).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import { hashApiKey, sameHash } from './api-keys.ts';
import type { Config } from './config.ts';
import { PORTAL_TOKEN_PREFIX, portalKeySource, verifyPortalToken } from './portal-tokens.ts';
import type { Principal } from './http-api.ts';
import type { ApiKeyStore, Clock } from './ports.ts';
import { TtlCache } from './ttl-cache.ts';

const ADMIN_KEY_CACHE_MS = 5 * 60 * 1000;
/**
 * How long a stored key's decision is reused in this process. A key deleted through another process
 * (another Lambda container) keeps working at most this long; the deleting process forgets it at once.
 */
export const API_KEY_DECISION_CACHE_MS = 30_000;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares two keys in constant time (hashing first makes the lengths equal). */
export function sameKey(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export type Authenticator = (authorization: string | undefined) => Promise<Principal | undefined>;

const systemClock: Clock = { now: () => Date.now() };
/** Decisions per key hash, shared by every authenticator of this process so a delete here applies at once. */
const decisions = new TtlCache<Principal | undefined>(API_KEY_DECISION_CACHE_MS, systemClock);

/** Drops the cached decision for a key (called when the key is deleted). */
export function forgetApiKey(hash: string): void {
  decisions.delete(hash);
}

export function createAuthenticator(
  runtime: { config: Config; apiKeys?: ApiKeyStore },
  loadSecret: (arn: string) => Promise<string> = secretsManagerLoader(),
): Authenticator {
  const { adminKey, adminKeySecretArn } = runtime.config;
  let cached: { key: string; expiresAt: number } | undefined;
  async function currentAdminKey(): Promise<string | undefined> {
    if (adminKey) return adminKey;
    if (!adminKeySecretArn) return undefined;
    if (!cached || cached.expiresAt < Date.now()) {
      cached = { key: (await loadSecret(adminKeySecretArn)).trim(), expiresAt: Date.now() + ADMIN_KEY_CACHE_MS };
    }
    return cached.key;
  }
  async function storedKey(hash: string): Promise<Principal | undefined> {
    const found = await runtime.apiKeys?.findByHash(hash);
    if (!found || !sameHash(found.hash, hash)) return undefined;
    return { keyId: found.id, scope: found.scope, ...(found.tenant ? { tenant: found.tenant } : {}) };
  }
  const portalKey = portalKeySource(runtime.config);
  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    // A portal link's token: a tenant principal for its tenant until it expires (no database read).
    if (token.startsWith(PORTAL_TOKEN_PREFIX)) return verifyPortalToken(await portalKey(), token, Date.now());
    const expected = await currentAdminKey();
    if (expected && sameKey(token, expected)) return { keyId: 'admin', scope: 'admin' };
    if (!token.startsWith('hp_') || !runtime.apiKeys) return undefined;
    const hash = hashApiKey(token);
    return decisions.get(hash, () => storedKey(hash));
  };
}

function secretsManagerLoader(): (arn: string) => Promise<string> {
  let client: SecretsManagerClient | undefined;
  return async (arn) => {
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('admin key secret is empty');
    return SecretString;
  };
}
