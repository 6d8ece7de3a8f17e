/** An endpoint's attempts and success rate over the last 24 hours. */
import { createRoute, defineRoute, errors, ok } from '../route.ts';
import { statsSchema, subscriptionParams } from './schemas.ts';

export const statsRoutes = [
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/stats',
      summary: 'Attempts and success rate over the last 24 h (test events excluded)',
      tags: ['deliveries'],
      request: { params: subscriptionParams },
      responses: { 200: ok('Stats', statsSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(await c.var.services.deliveries.stats(tenant, id), 200);
    },
  }),
];
