/** An endpoint's signing secret: the current one, and a rotation (the old one keeps signing for 24 h). */
import { createRoute, defineRoute, errors, ok } from '../route.ts';
import { tags } from './routes.ts';
import { secretSchema, subscriptionParams } from './schemas.ts';

export const secretRoutes = [
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/secret',
      summary: 'The current signing secret',
      tags,
      request: { params: subscriptionParams },
      responses: { 200: ok('Secret', secretSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json((await c.var.services.subscriptions.currentCredential(tenant, id)) ?? {}, 200);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/rotate-secret',
      summary: 'New signing secret; the old one keeps signing for 24 h',
      tags,
      request: { params: subscriptionParams },
      responses: { 200: ok('The new secret', secretSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(await c.var.services.subscriptions.rotateSecret(tenant, id), 200);
    },
  }),
];
