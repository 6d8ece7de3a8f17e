/**
 * What the console needs besides the API proper: who the caller is (GET /v1/me) and a kept message's
 * payload for the attempt log (GET /v1/tenants/{tenant}/messages/{msgId}).
 */
import { messageView } from '../../core/deliveries.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { tenantParam } from './helpers.ts';

export const sessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/me',
    // Any key or portal token: the console shows the screens its scope allows.
    access: 'read',
    handle: async ({ principal }) =>
      jsonResponse(200, { keyId: principal?.keyId, scope: principal?.scope, ...(principal?.tenant ? { tenant: principal.tenant } : {}) }),
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/messages/{msgId}',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, messageView(await ctx.services.deliveries.keptMessage(tenantParam(ctx), ctx.params.msgId ?? ''))),
  },
];
