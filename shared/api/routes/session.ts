/**
 * What the console needs besides the API proper: who the caller is (GET /v1/me) and a kept message's
 * payload for the attempt log (GET /v1/tenants/{tenant}/messages/{msgId}).
 */
import { ApiError, jsonResponse } from '../../errors.ts';
import type { Route } from '../router.ts';
import { tenantParam } from './helpers.ts';

export const sessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/me',
    // Any key or portal token: the console shows the screens its scope allows.
    access: 'publish',
    handle: async ({ principal }) =>
      jsonResponse(200, { keyId: principal?.keyId, scope: principal?.scope, ...(principal?.tenant ? { tenant: principal.tenant } : {}) }),
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/messages/{msgId}',
    access: 'tenant',
    async handle(ctx) {
      const tenant = tenantParam(ctx);
      const msgId = ctx.params.msgId ?? '';
      const message = msgId.startsWith('msg_') ? await ctx.runtime.messages.get(tenant, msgId) : undefined;
      if (!message) throw new ApiError('not_found', `message ${msgId} is not kept for tenant ${tenant} (only messages with a failed delivery are, until their TTL)`);
      return jsonResponse(200, message);
    },
  },
];
