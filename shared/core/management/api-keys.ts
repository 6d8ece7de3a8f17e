/**
 * API keys: `hp_` + 32 random bytes (base64url), shown once. Only a SHA-256 of the key is stored —
 * the keys are high-entropy, so a fast hash is enough (a slow KDF protects guessable passwords, not these).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyScope } from '../platform/domain.ts';
import { HookpostError } from '../platform/errors.ts';
import { newApiKeyId } from '../platform/ids.ts';
import { isReservedTenant } from '../platform/tenants.ts';
import type { ApiKeyStore, Clock, Page } from '../platform/ports.ts';

export const newApiKey = (): string => `hp_${randomBytes(32).toString('base64url')}`;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

/** Constant-time comparison of two stored-form hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;

/** What the API shows of a key: never the hash. */
export function apiKeyView(record: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = record;
  return view;
}

export interface NewApiKey {
  name: string;
  scope: ApiKeyScope;
  tenant?: string;
}

export interface ApiKeyService {
  /** The key itself is in this answer only. */
  create(input: NewApiKey): Promise<ApiKeyView & { key: string }>;
  list(options: { limit: number; cursor?: string }): Promise<Page<ApiKeyView>>;
  delete(id: string): Promise<void>;
}

/** `forget` drops this process's cached decision for a deleted key, so it stops working here at once. */
export function createApiKeyService(deps: { store: ApiKeyStore; clock: Clock; forget: (hash: string) => void }): ApiKeyService {
  const { store, clock } = deps;
  return {
    async create(input) {
      if (isReservedTenant(input.tenant)) {
        throw new HookpostError('validation_failed', 'api key is invalid', [
          { path: 'tenant', message: 'tenant ids starting with "_" are reserved; only admin keys manage them' },
        ]);
      }
      const nowMs = clock.now();
      const key = newApiKey();
      const record: ApiKeyRecord = {
        id: newApiKeyId(nowMs),
        name: input.name,
        scope: input.scope,
        ...(input.tenant ? { tenant: input.tenant } : {}),
        createdAt: new Date(nowMs).toISOString(),
        hash: hashApiKey(key),
      };
      await store.create(record);
      return { ...apiKeyView(record), key };
    },
    async list(options) {
      const page = await store.list(options);
      return { items: page.items.map(apiKeyView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
    async delete(id) {
      const deleted = id.startsWith('key_') ? await store.delete(id) : undefined;
      if (!deleted) throw new HookpostError('not_found', `API key ${id} not found`);
      deps.forget(deleted.hash);
    },
  };
}
