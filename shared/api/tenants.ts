/** GET /v1/tenants: the tenants that have endpoints, paged, with how many each has. Admin only. */
import * as z from 'zod';
import { listQuerySchema, timestamp } from './common.ts';
import { createRoute, defineRoute, errors, ok } from './route.ts';

export const tenantPageSchema = z
  .object({
    items: z.array(z.object({ tenant: z.string(), endpoints: z.number().int(), createdAt: timestamp() }).meta({ id: 'Tenant' })),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'TenantPage' });

export const tenantRoutes = [
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'get',
      path: '/v1/tenants',
      summary: 'List tenants that have endpoints, with endpoint counts (tenant id order, cursor pagination)',
      tags: ['tenants'],
      request: { query: listQuerySchema },
      responses: { 200: ok('A page', tenantPageSchema), ...errors(400) },
    }),
    handler: async (c) => c.json(await c.var.services.tenants.list(c.req.valid('query')), 200),
  }),
];
