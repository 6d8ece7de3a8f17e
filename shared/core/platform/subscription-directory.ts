/**
 * Subscriptions as the rest of the core sees them: the store, plus this process's short cache of each
 * tenant's list for the delivery path. Every write goes through here, so every write also drops the
 * cached copy (the one place cache invalidation happens; other processes see it within `cacheMs`).
 */
import type { Subscription } from './domain.ts';
import type { Clock, SubscriptionRemoval, SubscriptionStore } from './ports.ts';
import { TtlCache } from './ttl-cache.ts';

export interface SubscriptionDirectory
  extends Pick<SubscriptionStore, 'get' | 'listByTenant' | 'put' | 'disable' | 'markFailing' | 'markHealthy' | 'markSlow'> {
  /** A tenant's subscriptions, cached for the delivery path. */
  forTenant(tenant: string): Promise<Subscription[]>;
  delete(tenant: string, id: string): Promise<boolean>;
}

export function createSubscriptionDirectory(deps: {
  store: SubscriptionStore;
  removal: SubscriptionRemoval;
  clock: Clock;
  cacheMs: number;
}): SubscriptionDirectory {
  const { store, removal } = deps;
  const tenants = new TtlCache<Subscription[]>(deps.cacheMs, deps.clock);
  /** Runs a write, then forgets the tenant's cached list (also when the write failed: it may have landed). */
  async function write<R>(tenant: string, change: Promise<R>): Promise<R> {
    try {
      return await change;
    } finally {
      tenants.delete(tenant);
    }
  }
  return {
    forTenant: (tenant) => tenants.get(tenant, () => store.listByTenant(tenant)),
    listByTenant: (tenant) => store.listByTenant(tenant),
    get: (tenant, id) => store.get(tenant, id),
    put: (subscription, expectedUpdatedAt) => write(subscription.tenant, store.put(subscription, expectedUpdatedAt)),
    delete: (tenant, id) => write(tenant, removal.delete(tenant, id)),
    disable: (tenant, id, reason, at) => write(tenant, store.disable(tenant, id, reason, at)),
    markFailing: (tenant, id, at) => write(tenant, store.markFailing(tenant, id, at)),
    markHealthy: (tenant, id) => write(tenant, store.markHealthy(tenant, id)),
    markSlow: (tenant, id, until) => write(tenant, store.markSlow(tenant, id, until)),
  };
}
