/** What happened to an endpoint's deliveries: a test event sent now, and the attempt log. */
import { createRoute, defineRoute, errors, json, ok } from '../route.ts';
import { attemptPageSchema, attemptSchema, attemptsQuerySchema, subscriptionParams, testEventSchema } from './schemas.ts';

const tags = ['deliveries'];

export const attemptRoutes = [
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/test',
      summary: 'Send a test event now (one attempt, never retried)',
      tags,
      // Optional: an empty body means "no type given".
      request: { params: subscriptionParams, body: { required: false, ...json(testEventSchema) } },
      responses: { 200: ok('The attempt', attemptSchema), ...errors(400, 404, 413, 415, 422) },
    }),
    body: { optional: true },
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(await c.var.services.deliveries.sendTest(tenant, id, c.req.valid('json').type), 200);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/attempts',
      summary: 'Attempt log, newest first',
      tags,
      request: { params: subscriptionParams, query: attemptsQuerySchema },
      responses: { 200: ok('A page', attemptPageSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(await c.var.services.deliveries.attempts(tenant, id, c.req.valid('query')), 200);
    },
  }),
];
