/** The event-type catalogue: GET|POST /v1/event-types, GET|PUT|DELETE /v1/event-types/{type}. */
import type { EventType } from '../../core/domain.ts';
import { ApiError, jsonResponse } from '../../core/errors.ts';
import type { Runtime } from '../../wiring.ts';
import { readJsonBody, validate, validateParam } from '../request.ts';
import type { Route } from '../router.ts';
import { dataProblems, schemaProblems } from '../../core/json-schema.ts';
import { createEventTypeSchema, eventTypeBodySchema, eventTypeNameSchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES, noContent } from './helpers.ts';

async function putEventType(runtime: Runtime, type: string, body: unknown): Promise<{ eventType: EventType; created: boolean }> {
  const input = validate(eventTypeBodySchema, body);
  if (input.schema) {
    const problems = schemaProblems(input.schema);
    if (problems.length > 0) throw new ApiError('validation_failed', 'schema is not a valid JSON Schema', problems);
    // The example is what "Send Test Event" sends: it must be something the schema accepts.
    if (input.example !== undefined) {
      const exampleProblems = dataProblems(input.schema, input.example).map((p) => ({ ...p, path: p.path?.replace(/^data/, 'example') }));
      if (exampleProblems.length > 0) throw new ApiError('validation_failed', 'example does not match the schema', exampleProblems);
    }
  }
  const existing = await runtime.eventTypes.get(type);
  const now = new Date(runtime.clock.now()).toISOString();
  const eventType: EventType = { type, ...input, createdAt: existing?.createdAt ?? now, updatedAt: now };
  await runtime.eventTypes.put(eventType);
  runtime.cache.forgetEventType(type);
  return { eventType, created: !existing };
}

export const eventTypeRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/event-types',
    access: 'publish',
    async handle({ runtime }) {
      const items = (await runtime.eventTypes.list()).sort((a, b) => a.type.localeCompare(b.type));
      return jsonResponse(200, { items });
    },
  },
  {
    method: 'POST',
    path: '/v1/event-types',
    access: 'admin',
    async handle({ req, runtime }) {
      const { type, ...rest } = validate(createEventTypeSchema, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      if (await runtime.eventTypes.get(type)) throw new ApiError('conflict', `event type "${type}" already exists; PUT replaces it`);
      const { eventType } = await putEventType(runtime, type, rest);
      return jsonResponse(201, eventType);
    },
  },
  {
    method: 'GET',
    path: '/v1/event-types/{type}',
    access: 'publish',
    async handle({ params, runtime }) {
      const type = validateParam(eventTypeNameSchema, params.type, 'event type');
      const eventType = await runtime.eventTypes.get(type);
      if (!eventType) throw new ApiError('not_found', `event type "${type}" not found`);
      return jsonResponse(200, eventType);
    },
  },
  {
    method: 'PUT',
    path: '/v1/event-types/{type}',
    access: 'admin',
    async handle({ req, params, runtime }) {
      const type = validateParam(eventTypeNameSchema, params.type, 'event type');
      const { eventType, created } = await putEventType(runtime, type, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      return jsonResponse(created ? 201 : 200, eventType);
    },
  },
  {
    method: 'DELETE',
    path: '/v1/event-types/{type}',
    access: 'admin',
    async handle({ params, runtime }) {
      const type = validateParam(eventTypeNameSchema, params.type, 'event type');
      if (!(await runtime.eventTypes.delete(type))) throw new ApiError('not_found', `event type "${type}" not found`);
      runtime.cache.forgetEventType(type);
      return noContent();
    },
  },
];
