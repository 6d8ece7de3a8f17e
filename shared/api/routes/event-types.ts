/** The event-type catalogue: GET|POST /v1/event-types, GET|PUT|DELETE /v1/event-types/{type}. */
import { HookpostError } from '../../core/errors.ts';
import { depthDetails, prototypeKeyDetails } from '../../core/inputs.ts';
import { readJsonBody, validate, validateParam } from '../request.ts';
import { jsonResponse, noContent } from '../responses.ts';
import type { Route, RouteContext } from '../router.ts';
import { createEventTypeSchema, eventTypeBodySchema, eventTypeNameSchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES } from './helpers.ts';

const typeParam = (ctx: RouteContext) => validateParam(eventTypeNameSchema, ctx.params.type, 'event type');

/** The body, refused (422) if `example` or `schema` nests past the limit (before zod's recursive z.json() reads it) or holds a `__proto__` key. */
function eventTypeBody(ctx: Pick<RouteContext, 'req'>): unknown {
  const body = readJsonBody(ctx.req, MANAGEMENT_BODY_BYTES);
  const tooDeep = depthDetails(body, ['example', 'schema']);
  if (tooDeep.length > 0) throw new HookpostError('validation_failed', 'body is invalid', tooDeep);
  const prototypeKeys = prototypeKeyDetails(body, ['example', 'schema']);
  if (prototypeKeys.length > 0) throw new HookpostError('validation_failed', 'body is invalid', prototypeKeys);
  return body;
}

export const eventTypeRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/event-types',
    access: 'read',
    handle: async ({ services }) => jsonResponse(200, { items: await services.catalogue.list() }),
  },
  {
    method: 'POST',
    path: '/v1/event-types',
    access: 'admin',
    async handle({ req, services }) {
      const { type, ...input } = validate(createEventTypeSchema, eventTypeBody({ req }));
      return jsonResponse(201, await services.catalogue.create(type, input));
    },
  },
  {
    method: 'GET',
    path: '/v1/event-types/{type}',
    access: 'read',
    handle: async (ctx) => jsonResponse(200, await ctx.services.catalogue.get(typeParam(ctx))),
  },
  {
    method: 'PUT',
    path: '/v1/event-types/{type}',
    access: 'admin',
    async handle(ctx) {
      const type = typeParam(ctx);
      const input = validate(eventTypeBodySchema, eventTypeBody(ctx));
      const { eventType, created } = await ctx.services.catalogue.put(type, input);
      return jsonResponse(created ? 201 : 200, eventType);
    },
  },
  {
    method: 'DELETE',
    path: '/v1/event-types/{type}',
    access: 'admin',
    async handle(ctx) {
      await ctx.services.catalogue.delete(typeParam(ctx));
      return noContent();
    },
  },
];
