/** GET /v1/tenants: the tenants that have endpoints, paged, with how many each has. Admin only. */
import { validateParam } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { listQuerySchema } from '../schemas.ts';

export const tenantRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/tenants',
    access: 'admin',
    async handle({ req, services }) {
      const query = validateParam(listQuerySchema, req.query, 'query');
      return jsonResponse(200, await services.tenants.list(query));
    },
  },
];
