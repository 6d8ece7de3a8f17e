/** The event-type catalogue: GET|POST /v1/event-types, GET|PUT|DELETE /v1/event-types/{type}. */
import * as z from 'zod';
import type { EventType } from '../core/platform/domain.ts';
import { anyJson, depthDetails, eventTypeNameSchema, prototypeKeyDetails } from '../core/management/inputs.ts';
import { timestamp, type Shows } from './common.ts';
import { type BodyRule, createRoute, defineRoute, errors, json, ok } from './route.ts';

export const eventTypeBodySchema = z
  .strictObject({
    description: z.string().max(1024).default(''),
    /** A JSON Schema (draft 2020-12 by default) that published `data` must satisfy; checked with ajv at PUT time. */
    schema: z.record(z.string(), anyJson()).optional().meta({ description: 'JSON Schema that published data must satisfy' }),
    example: anyJson().optional().meta({ description: 'example payload, sent by "Send Test Event"' }),
  })
  .meta({ id: 'EventTypeBody' });

export const createEventTypeSchema = eventTypeBodySchema.extend({ type: eventTypeNameSchema }).meta({ id: 'CreateEventType' });

export const eventTypeSchema = z
  .object({
    type: z.string(),
    description: z.string(),
    schema: z.record(z.string(), anyJson()).optional(),
    example: anyJson().optional(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    builtIn: z.boolean().optional().meta({ description: "true for Hookpost's own operational event types, which cannot be changed or deleted" }),
  })
  .meta({ id: 'EventType' });
export const eventTypeShowsCore: Shows<typeof eventTypeSchema, EventType> = true;

export const eventTypeListSchema = z.object({ items: z.array(eventTypeSchema) }).meta({ id: 'EventTypeList' });

const typeParams = z.object({ type: eventTypeNameSchema });

/** Refused (422) if `example` or `schema` nests past the limit (before zod's recursive z.json() reads it) or holds a `__proto__` key. */
const eventTypeBody: BodyRule = {
  guard: (body) => {
    const tooDeep = depthDetails(body, ['example', 'schema']);
    return tooDeep.length > 0 ? tooDeep : prototypeKeyDetails(body, ['example', 'schema']);
  },
};

const tags = ['event types'];

export const eventTypeRoutes = [
  defineRoute({
    access: 'read',
    route: createRoute({ method: 'get', path: '/v1/event-types', summary: 'List event types', tags, responses: { 200: ok('The catalogue', eventTypeListSchema) } }),
    handler: async (c) => c.json({ items: await c.var.services.catalogue.list() }, 200),
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'post',
      path: '/v1/event-types',
      summary: 'Create an event type',
      tags,
      request: { body: { required: true, ...json(createEventTypeSchema) } },
      responses: { 201: ok('Created', eventTypeSchema), ...errors(400, 409, 413, 415, 422) },
    }),
    body: eventTypeBody,
    async handler(c) {
      const { type, ...input } = c.req.valid('json');
      return c.json(await c.var.services.catalogue.create(type, input), 201);
    },
  }),
  defineRoute({
    access: 'read',
    route: createRoute({
      method: 'get',
      path: '/v1/event-types/{type}',
      summary: 'Get an event type',
      tags,
      request: { params: typeParams },
      responses: { 200: ok('The event type', eventTypeSchema), ...errors(400, 404) },
    }),
    handler: async (c) => c.json((await c.var.services.catalogue.get(c.req.valid('param').type)), 200),
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'put',
      path: '/v1/event-types/{type}',
      summary: 'Create or replace an event type',
      tags,
      request: { params: typeParams, body: { required: true, ...json(eventTypeBodySchema) } },
      responses: { 200: ok('Replaced', eventTypeSchema), 201: ok('Created', eventTypeSchema), ...errors(400, 413, 415, 422) },
    }),
    body: eventTypeBody,
    async handler(c) {
      const { eventType, created } = await c.var.services.catalogue.put(c.req.valid('param').type, c.req.valid('json'));
      return c.json(eventType, created ? 201 : 200);
    },
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'delete',
      path: '/v1/event-types/{type}',
      summary: 'Delete an event type',
      tags,
      request: { params: typeParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 404) },
    }),
    async handler(c) {
      await c.var.services.catalogue.delete(c.req.valid('param').type);
      return c.body(null, 204);
    },
  }),
];
