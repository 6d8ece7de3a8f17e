/** A tenant's endpoints: create, list (cursor pagination), get, change, delete. */
import { prototypeKeyDetails } from '../../core/management/inputs.ts';
import { subscriptionView } from '../../core/management/subscriptions.ts';
import { listQuerySchema, tenantParams } from '../common.ts';
import { type BodyRule, createRoute, defineRoute, errors, json, ok } from '../route.ts';
import {
  createdSubscriptionSchema,
  createSubscriptionSchema,
  patchSubscriptionSchema,
  subscriptionPageSchema,
  subscriptionParams,
  subscriptionSchema,
} from './schemas.ts';

/** Refused (422) if its headers or filter hold a `__proto__` key, which validation would drop unseen. */
const subscriptionBody: BodyRule = { guard: (body) => prototypeKeyDetails(body, ['headers', 'filter']) };

export const tags = ['subscriptions'];

export const endpointRoutes = [
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/subscriptions',
      summary: 'Add an endpoint',
      tags,
      request: { params: tenantParams, body: { required: true, ...json(createSubscriptionSchema) } },
      responses: { 201: ok('Created; the signing secret is included', createdSubscriptionSchema), ...errors(400, 413, 415, 422) },
    }),
    body: subscriptionBody,
    async handler(c) {
      const { subscription, credential } = await c.var.services.subscriptions.create(c.req.valid('param').tenant, c.req.valid('json'));
      return c.json({ ...subscriptionView(subscription), ...credential }, 201);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/subscriptions',
      summary: 'List endpoints (oldest first, cursor pagination)',
      tags,
      request: { params: tenantParams, query: listQuerySchema },
      responses: { 200: ok('A page', subscriptionPageSchema), ...errors(400) },
    }),
    handler: async (c) => c.json(await c.var.services.subscriptions.list(c.req.valid('param').tenant, c.req.valid('query')), 200),
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/subscriptions/{id}',
      summary: 'Get an endpoint',
      tags,
      request: { params: subscriptionParams },
      responses: { 200: ok('The endpoint', subscriptionSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(subscriptionView(await c.var.services.subscriptions.get(tenant, id)), 200);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'patch',
      path: '/v1/tenants/{tenant}/subscriptions/{id}',
      summary: 'Change url, eventTypes, description, headers or enabled',
      tags,
      request: { params: subscriptionParams, body: { required: true, ...json(patchSubscriptionSchema) } },
      responses: { 200: ok('Updated', subscriptionSchema), ...errors(400, 404, 413, 415, 422) },
    }),
    body: subscriptionBody,
    async handler(c) {
      // The body is validated before the subscription is read: a bad body is a 4xx whether or not it exists.
      const { tenant, id } = c.req.valid('param');
      return c.json(subscriptionView(await c.var.services.subscriptions.update(tenant, id, c.req.valid('json'))), 200);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'delete',
      path: '/v1/tenants/{tenant}/subscriptions/{id}',
      summary: 'Delete an endpoint',
      tags,
      request: { params: subscriptionParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      await c.var.services.subscriptions.delete(tenant, id);
      return c.body(null, 204);
    },
  }),
];
