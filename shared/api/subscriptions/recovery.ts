/**
 * Sending again: a kept message (one with a failed delivery, until its TTL) shown with its payload,
 * redelivered, and every failed message of an endpoint since a time recovered.
 */
import * as z from 'zod';
import { messageView } from '../../core/management/deliveries.ts';
import { tenantIdSchema } from '../../core/management/inputs.ts';
import { createRoute, defineRoute, errors, json, ok } from '../route.ts';
import {
  messageSchema,
  recoverResultSchema,
  recoverSchema,
  redeliverQuerySchema,
  redeliverResultSchema,
  subscriptionParams,
} from './schemas.ts';

const messageParams = z.object({ tenant: tenantIdSchema, msgId: z.string().meta({ example: 'msg_01JD7S0000000000000000000' }) });
const tags = ['deliveries'];

export const recoveryRoutes = [
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants/{tenant}/messages/{msgId}',
      summary: 'A kept message (one with a failed delivery, until its TTL) with its payload',
      tags,
      request: { params: messageParams },
      responses: { 200: ok('The message', messageSchema), ...errors(400, 404) },
    }),
    async handler(c) {
      const { tenant, msgId } = c.req.valid('param');
      return c.json(messageView(await c.var.services.deliveries.keptMessage(tenant, msgId)), 200);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/messages/{msgId}/redeliver',
      summary: 'Send a kept message again',
      tags,
      request: { params: messageParams, query: redeliverQuerySchema },
      responses: { 202: ok('Queued for these subscriptions', redeliverResultSchema), ...errors(400, 404, 409) },
    }),
    async handler(c) {
      const { tenant, msgId } = c.req.valid('param');
      return c.json(await c.var.services.deliveries.redeliver(tenant, msgId, c.req.valid('query').subscription), 202);
    },
  }),
  defineRoute({
    access: 'tenant',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/subscriptions/{id}/recover',
      summary: 'Re-send every message that failed since a time (≤ 14 days, ≤ 1000 messages per call)',
      tags,
      request: { params: subscriptionParams, body: { required: true, ...json(recoverSchema) } },
      responses: { 202: ok('Queued', recoverResultSchema), ...errors(400, 404, 409, 413, 415, 422) },
    }),
    // An empty body reads as {} (and is then 422 for the missing `since`), as it always has.
    body: { optional: true },
    async handler(c) {
      const { tenant, id } = c.req.valid('param');
      return c.json(await c.var.services.deliveries.recover(tenant, id, c.req.valid('json').since), 202);
    },
  }),
];
