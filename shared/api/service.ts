/** The service itself: liveness (public) and who the caller is (GET /v1/me, for the console). */
import * as z from 'zod';
import { apiKeyScopeSchema } from './api-keys.ts';
import { createRoute, defineRoute, ok } from './route.ts';

export const healthSchema = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const meSchema = z
  .object({ keyId: z.string(), scope: apiKeyScopeSchema, tenant: z.string().optional() })
  .meta({ id: 'Me', description: 'the caller: key id (`admin` for the bootstrap key, `portal` for a portal token), scope and tenant' });

export const tags = ['service'];

export const healthRoute = defineRoute({
  access: 'public',
  route: createRoute({ method: 'get', path: '/v1/health', summary: 'Liveness', tags, responses: { 200: ok('Up', healthSchema) } }),
  handler: (c) => c.json({ status: 'ok', version: c.var.services.version }, 200),
});

export const meRoute = defineRoute({
  // Any key or portal token: the console shows the screens its scope allows.
  access: 'read',
  route: createRoute({ method: 'get', path: '/v1/me', summary: 'Who this key or portal token is', tags, responses: { 200: ok('The caller', meSchema) } }),
  handler(c) {
    const { principal } = c.var;
    return c.json({ keyId: principal?.keyId, scope: principal?.scope, ...(principal?.tenant ? { tenant: principal.tenant } : {}) }, 200);
  },
});
