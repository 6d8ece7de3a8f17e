/** The event-type catalogue: what may be published, with an optional JSON Schema and an example. */
import type { EventType } from '../platform/domain.ts';
import { HookpostError } from '../platform/errors.ts';
import { depthDetails } from './inputs.ts';
import { dataProblems, schemaProblems } from './json-schema.ts';
import { OPERATIONAL_EVENT_TYPES, operationalEventType } from '../platform/operational-events.ts';
import type { Clock, EventTypeStore } from '../platform/ports.ts';
import { TtlCache } from '../platform/ttl-cache.ts';

export interface EventTypeInput {
  description: string;
  schema?: Record<string, unknown>;
  example?: unknown;
}

export interface Catalogue {
  /** The publishing path's read: cached for `cacheMs`, hits only, so a type registered a moment ago is usable at once. Stored types only (the built-in ones are Hookpost's to publish). */
  lookup(type: string): Promise<EventType | undefined>;
  list(): Promise<EventType[]>;
  get(type: string): Promise<EventType>;
  /** 409 if the type exists. */
  create(type: string, input: EventTypeInput): Promise<EventType>;
  /** Creates or replaces. */
  put(type: string, input: EventTypeInput): Promise<{ eventType: EventType; created: boolean }>;
  delete(type: string): Promise<void>;
}

/** The schema must be a valid JSON Schema, and the example (what "Send Test Event" sends) something it accepts. */
async function checkInput(input: EventTypeInput): Promise<void> {
  const tooDeep = depthDetails(input, ['schema', 'example']);
  if (tooDeep.length > 0) throw new HookpostError('validation_failed', 'event type is invalid', tooDeep);
  if (!input.schema) return;
  const problems = await schemaProblems(input.schema);
  if (problems.length > 0) throw new HookpostError('validation_failed', 'schema is not a valid JSON Schema', problems);
  if (input.example === undefined) return;
  const exampleProblems = (await dataProblems(input.schema, input.example)).map((p) => ({ ...p, path: p.path?.replace(/^data/, 'example') }));
  if (exampleProblems.length > 0) throw new HookpostError('validation_failed', 'example does not match the schema', exampleProblems);
}

export function createCatalogue(deps: { store: EventTypeStore; clock: Clock; cacheMs: number }): Catalogue {
  const { store, clock } = deps;
  const cache = new TtlCache<EventType | undefined>(deps.cacheMs, clock);
  const notFound = (type: string) => new HookpostError('not_found', `event type "${type}" not found`);
  /** Hookpost's own operational event types are built in: always listed, never replaced or deleted. */
  const refuseBuiltIn = (type: string) => {
    if (operationalEventType(type)) throw new HookpostError('conflict', `event type "${type}" is built into Hookpost and cannot be changed`);
  };

  async function put(type: string, input: EventTypeInput) {
    refuseBuiltIn(type);
    await checkInput(input);
    const existing = await store.get(type);
    const now = new Date(clock.now()).toISOString();
    const eventType: EventType = { type, ...input, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await store.put(eventType);
    cache.delete(type);
    return { eventType, created: !existing };
  }

  return {
    async lookup(type) {
      const found = await cache.get(type, () => store.get(type));
      if (!found) cache.delete(type);
      return found;
    },
    list: async () =>
      [...(await store.list()).filter((stored) => !operationalEventType(stored.type)), ...OPERATIONAL_EVENT_TYPES].sort((a, b) =>
        a.type.localeCompare(b.type),
      ),
    async get(type) {
      const found = operationalEventType(type) ?? (await store.get(type));
      if (!found) throw notFound(type);
      return found;
    },
    async create(type, input) {
      refuseBuiltIn(type);
      if (await store.get(type)) throw new HookpostError('conflict', `event type "${type}" already exists; PUT replaces it`);
      return (await put(type, input)).eventType;
    },
    put,
    async delete(type) {
      refuseBuiltIn(type);
      if (!(await store.delete(type))) throw notFound(type);
      cache.delete(type);
    },
  };
}
