/** Endpoints of a tenant: CRUD with cursor pagination, the signing secret and its rotation. */
import { HookpostError } from '../../core/errors.ts';
import { prototypeKeyDetails } from '../../core/inputs.ts';
import { subscriptionView } from '../../core/subscriptions.ts';
import { readJsonBody, validate, validateParam } from '../request.ts';
import { jsonResponse, noContent } from '../responses.ts';
import type { Route, RouteContext } from '../router.ts';
import { createSubscriptionSchema, listQuerySchema, patchSubscriptionSchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES, subscriptionParams, tenantParam } from './helpers.ts';

/** The body, refused (422) if its headers or filter hold a `__proto__` key, which validation would drop unseen. */
function subscriptionBody(ctx: Pick<RouteContext, 'req'>): unknown {
  const body = readJsonBody(ctx.req, MANAGEMENT_BODY_BYTES);
  const prototypeKeys = prototypeKeyDetails(body, ['headers', 'filter']);
  if (prototypeKeys.length > 0) throw new HookpostError('validation_failed', 'body is invalid', prototypeKeys);
  return body;
}

export const subscriptionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle(ctx) {
      const tenant = tenantParam(ctx);
      const input = validate(createSubscriptionSchema, subscriptionBody(ctx));
      const { subscription, credential } = await ctx.services.subscriptions.create(tenant, input);
      return jsonResponse(201, { ...subscriptionView(subscription), ...credential });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle(ctx) {
      const tenant = tenantParam(ctx);
      const query = validateParam(listQuerySchema, ctx.req.query, 'query');
      return jsonResponse(200, await ctx.services.subscriptions.list(tenant, query));
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, subscriptionView(await ctx.services.subscriptions.get(...subscriptionParams(ctx)))),
  },
  {
    method: 'PATCH',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    async handle(ctx) {
      // Validate before reading: a bad body is a 4xx whether or not the subscription exists.
      const patch = validate(patchSubscriptionSchema, subscriptionBody(ctx));
      const updated = await ctx.services.subscriptions.update(...subscriptionParams(ctx), patch);
      return jsonResponse(200, subscriptionView(updated));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    async handle(ctx) {
      await ctx.services.subscriptions.delete(...subscriptionParams(ctx));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/secret',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, (await ctx.services.subscriptions.currentCredential(...subscriptionParams(ctx))) ?? {}),
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/rotate-secret',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, await ctx.services.subscriptions.rotateSecret(...subscriptionParams(ctx))),
  },
];
