/** Small pieces the management route files share: body reading and the tenant path parameter. */
import { readJsonBody, validateParam } from '../request.ts';
import type { RouteContext } from '../router.ts';
import { tenantIdSchema } from '../schemas.ts';

export const MANAGEMENT_BODY_BYTES = 256 * 1024;

/** For routes whose body is optional: an empty body (with or without content-type) reads as `{}`. */
export function readOptionalJsonBody(ctx: RouteContext): unknown {
  return ctx.req.body.trim() === '' ? {} : readJsonBody(ctx.req, MANAGEMENT_BODY_BYTES);
}

export function tenantParam({ params }: Pick<RouteContext, 'params'>): string {
  return validateParam(tenantIdSchema, params.tenant, 'tenant');
}

/** `{tenant}` and `{id}` of a subscription route. */
export const subscriptionParams = (ctx: Pick<RouteContext, 'params'>): [tenant: string, id: string] => [
  tenantParam(ctx),
  ctx.params.id ?? '',
];
