/** Fixtures for the dispatch engine's unit tests. */
import { MemoryAttemptStore, MemoryDeadLetterQueue, MemoryEventQueue, MemoryMessageStore } from '#shared/adapters/memory.ts';
import type { DispatchDeps } from '#shared/core/engine/dispatch.ts';
import type { Subscription } from '#shared/core/platform/domain.ts';
import type { Clock, HttpRequest, HttpResult } from '#shared/core/platform/ports.ts';
import { DEFAULTS } from '#shared/core/platform/settings.ts';

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

/** What a unit test of the engine looks at: the deps and the memory ports behind them. */
export interface TestEngine {
  deps: DispatchDeps;
  /** Every POST the engine made, in order. */
  sent: HttpRequest[];
  attempts: MemoryAttemptStore;
  queue: MemoryEventQueue;
  deadLetters: MemoryDeadLetterQueue;
  messages: MemoryMessageStore;
}

/**
 * The dispatch engine's deps on memory ports: `respond` answers each POST (recorded in `sent`),
 * `subscriptions` are read as the directory answers them and its writes do nothing, the schedule is
 * [10, 3600] s with a 60 s throttle floor and no jitter, the slow lane and rate-limit settings their
 * defaults. `overrides` replace any of it.
 */
export function testEngine(
  subscriptions: Subscription[],
  respond: (req: HttpRequest) => HttpResult,
  clock: Clock,
  overrides: Partial<DispatchDeps> = {},
): TestEngine {
  const sent: HttpRequest[] = [];
  const attempts = new MemoryAttemptStore();
  const queue = new MemoryEventQueue();
  const deadLetters = new MemoryDeadLetterQueue();
  const messages = new MemoryMessageStore();
  const deps: DispatchDeps = {
    transport: {
      post: async (req) => {
        sent.push(req);
        return respond(req);
      },
    },
    clock,
    deliveryTimeoutMs: 1000,
    userAgent: 'Hookpost/test',
    subscriptions: { ...readsOf(subscriptions), disable: async () => {}, markFailing: async () => {}, markHealthy: async () => {} },
    disableAfterFailingMs: 5 * 86_400_000,
    notifier: { publish: async () => {} },
    attempts,
    messages,
    queue,
    deadLetters,
    retryScheduleSeconds: [10, 3600],
    throttledMinimumSeconds: 60,
    slowLaneAfterMs: DEFAULTS.slowLaneAfterMs,
    slowLaneHoldMs: DEFAULTS.slowLaneHoldMs,
    rateLimitInlineWaitMs: DEFAULTS.rateLimitInlineWaitMs,
    random: () => 0.5,
    ...overrides,
  };
  return { deps, sent, attempts, queue, deadLetters, messages };
}
