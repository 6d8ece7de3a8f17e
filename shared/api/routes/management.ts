/** Management routes: health, the event-type catalogue, subscriptions, attempts, dead letters. */
import type { EventType, Subscription } from '../../domain.ts';
import { ApiError, jsonResponse } from '../../errors.ts';
import { newSigningSecret, newSubscriptionId } from '../../ids.ts';
import { checkUrl } from '../../ssrf-guard.ts';
import { InvalidCursorError } from '../../stores/dynamodb.ts';
import type { Runtime } from '../../runtime.ts';
import { readJsonBody, validate, validateParam } from '../request.ts';
import type { Route, RouteContext } from '../router.ts';
import {
  attemptsQuerySchema,
  createEventTypeSchema,
  createSubscriptionSchema,
  eventTypeBodySchema,
  eventTypeNameSchema,
  listQuerySchema,
  tenantIdSchema,
} from '../schemas.ts';

const MANAGEMENT_BODY_BYTES = 256 * 1024;

/** What the API shows of a subscription: never its secrets (those have their own route). */
export function subscriptionView(subscription: Subscription) {
  const { secrets: _secrets, ...view } = subscription;
  return view;
}

async function findSubscription({ params, runtime }: RouteContext): Promise<Subscription> {
  const tenant = validateParam(tenantIdSchema, params.tenant, 'tenant');
  const subscription = params.id ? await runtime.subscriptions.get(tenant, params.id) : undefined;
  if (!subscription) throw new ApiError('not_found', `subscription ${params.id} not found for tenant ${tenant}`);
  return subscription;
}

function validDestination(runtime: Runtime, url: string): string {
  const checked = checkUrl(url, { allowPrivateTargets: runtime.config.allowPrivateTargets });
  if (!checked.ok) throw new ApiError('validation_failed', 'url is not an allowed destination', [{ path: 'url', message: checked.reason }]);
  return checked.url.toString();
}

async function putEventType(runtime: Runtime, type: string, body: unknown): Promise<{ eventType: EventType; created: boolean }> {
  const input = validate(eventTypeBodySchema, body);
  const existing = await runtime.eventTypes.get(type);
  const now = new Date(runtime.clock.now()).toISOString();
  const eventType: EventType = { type, ...input, createdAt: existing?.createdAt ?? now, updatedAt: now };
  await runtime.eventTypes.put(eventType);
  runtime.cache.forgetEventType(type);
  return { eventType, created: !existing };
}

export const managementRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/health',
    access: 'public',
    handle: async ({ runtime }) => jsonResponse(200, { status: 'ok', version: runtime.config.version }),
  },
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
      return { statusCode: 204, headers: {}, body: '' };
    },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle({ req, params, runtime }) {
      const tenant = validateParam(tenantIdSchema, params.tenant, 'tenant');
      const input = validate(createSubscriptionSchema, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      const url = validDestination(runtime, input.url);
      const nowMs = runtime.clock.now();
      const now = new Date(nowMs).toISOString();
      const secret = newSigningSecret();
      const subscription: Subscription = {
        id: newSubscriptionId(nowMs),
        tenant,
        ...input,
        url,
        secrets: [{ secret }],
        createdAt: now,
        updatedAt: now,
      };
      await runtime.subscriptions.put(subscription);
      runtime.cache.forgetTenant(tenant);
      return jsonResponse(201, { ...subscriptionView(subscription), secret });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle({ req, params, runtime }) {
      const tenant = validateParam(tenantIdSchema, params.tenant, 'tenant');
      const { limit, cursor } = validateParam(listQuerySchema, req.query, 'query');
      // Ids are ULIDs, so id order is creation order; a tenant has few endpoints, read them all.
      const all = (await runtime.subscriptions.listByTenant(tenant)).sort((a, b) => a.id.localeCompare(b.id));
      const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
      const rest = all.filter((subscription) => subscription.id > after);
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return jsonResponse(200, {
        items: page.map(subscriptionView),
        ...(rest.length > limit && last ? { nextCursor: Buffer.from(last.id).toString('base64url') } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, subscriptionView(await findSubscription(ctx))),
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/secret',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      const current = subscription.secrets.find((s) => s.expiresAt === undefined) ?? subscription.secrets[0];
      return jsonResponse(200, { secret: current?.secret });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/attempts',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      const { limit, cursor, status } = validateParam(attemptsQuerySchema, ctx.req.query, 'query');
      try {
        const page = await ctx.runtime.attempts.list(subscription.id, { limit, cursor, status });
        return jsonResponse(200, page);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError('malformed_request', error.message);
        throw error;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/dead-letters',
    access: 'admin',
    async handle({ req, runtime }) {
      const { limit } = validateParam(listQuerySchema, req.query, 'query');
      return jsonResponse(200, await runtime.deadLetters.peek(Math.min(limit, 10)));
    },
  },
];
