/** GET /v1/tenants: the tenants that have endpoints, paged, with how many each has. Admin only. */
import { InvalidCursorError } from '../../stores/dynamodb.ts';
import type { TenantRegistry } from '../../stores/dynamodb-tenants.ts';
import { ApiError, jsonResponse } from '../../errors.ts';
import { validateParam } from '../request.ts';
import type { Route } from '../router.ts';
import { listQuerySchema } from '../schemas.ts';

export async function listTenants(tenants: TenantRegistry, query: Record<string, string>) {
  const { limit, cursor } = validateParam(listQuerySchema, query, 'query');
  try {
    return await tenants.list({ limit, cursor });
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new ApiError('malformed_request', error.message);
    throw error;
  }
}

export const tenantRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/tenants',
    access: 'admin',
    handle: async ({ req, runtime }) => jsonResponse(200, await listTenants(runtime.tenants, req.query)),
  },
];
