/**
 * Who is calling. Each API function authenticates its own requests (locally the dev server runs the
 * same code): a key is the bootstrap admin key (a setting locally, Secrets Manager on AWS), a stored
 * key (hashed, scoped), or a portal link's signed token (a tenant principal, verified without a read).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hashApiKey, sameHash } from './api-keys.ts';
import type { Principal } from '../platform/domain.ts';
import { PORTAL_TOKEN_PREFIX, verifyPortalToken } from './portal-tokens.ts';
import type { ApiKeyStore, Clock, SecretSource } from '../platform/ports.ts';
import { TtlCache } from '../platform/ttl-cache.ts';

/** How long the admin key read from its secret is reused. */
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

export interface Authenticator {
  /** The principal for an `Authorization` header, or undefined for a missing or unknown key. */
  authenticate(authorization: string | undefined): Promise<Principal | undefined>;
  /** Drops the cached decision for a key hash (called when the key is deleted). */
  forget(hash: string): void;
}

export function createAuthenticator(deps: {
  clock: Clock;
  apiKeys: ApiKeyStore;
  /** The admin key itself (local mode) … */
  adminKey?: string;
  /** … or where to read it (AWS). */
  adminKeySource?: SecretSource;
  /** The key that signs portal links (see portal-tokens.ts); undefined when portal links are off. */
  portalKey?: () => Promise<string | undefined>;
}): Authenticator {
  const { clock, apiKeys } = deps;
  const decisions = new TtlCache<Principal | undefined>(API_KEY_DECISION_CACHE_MS, clock);
  const adminKeys = new TtlCache<string | undefined>(ADMIN_KEY_CACHE_MS, clock);
  const { adminKey, adminKeySource } = deps;
  const currentAdminKey = async (): Promise<string | undefined> => {
    if (adminKey) return adminKey;
    if (!adminKeySource) return undefined;
    return adminKeys.get('admin', async () => (await adminKeySource()).trim());
  };
  async function storedKey(hash: string): Promise<Principal | undefined> {
    const found = await apiKeys.findByHash(hash);
    if (!found || !sameHash(found.hash, hash)) return undefined;
    return { keyId: found.id, scope: found.scope, ...(found.tenant ? { tenant: found.tenant } : {}) };
  }
  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (!token) return undefined;
      // A portal link's token: a tenant principal for its tenant until it expires (no database read).
      if (token.startsWith(PORTAL_TOKEN_PREFIX)) return verifyPortalToken(await deps.portalKey?.(), token, clock.now());
      const expected = await currentAdminKey();
      if (expected && sameKey(token, expected)) return { keyId: 'admin', scope: 'admin' };
      if (!token.startsWith('hp_')) return undefined;
      const hash = hashApiKey(token);
      return decisions.get(hash, () => storedKey(hash));
    },
    forget: (hash) => decisions.delete(hash),
  };
}
