/**
 * What happened to deliveries and sending them again: the test event, the attempt log, 24-hour stats,
 * redelivery of one message, and recovery of every failed message since a time.
 */
import { validate, validateParam } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { attemptsQuerySchema, recoverSchema, redeliverQuerySchema, testEventSchema } from '../schemas.ts';
import { readOptionalJsonBody, subscriptionParams, tenantParam } from './helpers.ts';

export const deliveryRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/test',
    access: 'tenant',
    async handle(ctx) {
      const { type } = validate(testEventSchema, readOptionalJsonBody(ctx));
      return jsonResponse(200, await ctx.services.deliveries.sendTest(...subscriptionParams(ctx), type));
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/attempts',
    access: 'tenant',
    async handle(ctx) {
      const query = validateParam(attemptsQuerySchema, ctx.req.query, 'query');
      return jsonResponse(200, await ctx.services.deliveries.attempts(...subscriptionParams(ctx), query));
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/stats',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, await ctx.services.deliveries.stats(...subscriptionParams(ctx))),
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/messages/{msgId}/redeliver',
    access: 'tenant',
    async handle(ctx) {
      const { subscription } = validateParam(redeliverQuerySchema, ctx.req.query, 'query');
      const result = await ctx.services.deliveries.redeliver(tenantParam(ctx), ctx.params.msgId ?? '', subscription);
      return jsonResponse(202, result);
    },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/recover',
    access: 'tenant',
    async handle(ctx) {
      const { since } = validate(recoverSchema, readOptionalJsonBody(ctx));
      return jsonResponse(202, await ctx.services.deliveries.recover(...subscriptionParams(ctx), since));
    },
  },
];
