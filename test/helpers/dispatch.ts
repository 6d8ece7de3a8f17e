/** Fixtures for the dispatch engine's unit tests. */
import type { Subscription } from '#shared/core/domain.ts';

/** An enabled endpoint of tenant t1 for `user.*` at `https://<id>.example.test/hook`, made at `at` (ISO time). */
export function testSubscription(id: string, at: string, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id,
    tenant: 't1',
    url: `https://${id}.example.test/hook`,
    eventTypes: ['user.*'],
    description: '',
    headers: {},
    enabled: true,
    secrets: [{ secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' }],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** Reads of a list of subscriptions, as the directory answers them. */
export const readsOf = (subscriptions: Subscription[]) => ({
  forTenant: async (tenant: string) => subscriptions.filter((s) => s.tenant === tenant),
  get: async (tenant: string, id: string) => subscriptions.find((s) => s.tenant === tenant && s.id === id),
});
