/** Small pieces the management route files share: body reading, lookups with 404s, views without secrets. */
import type { Subscription } from '../../core/domain.ts';
import { ApiError } from '../../core/errors.ts';
import type { ApiResponse } from '../http.ts';
import { readJsonBody, validateParam } from '../request.ts';
import type { RouteContext } from '../router.ts';
import { tenantIdSchema } from '../schemas.ts';

export const MANAGEMENT_BODY_BYTES = 256 * 1024;

export const noContent = (): ApiResponse => ({ statusCode: 204, headers: {}, body: '' });

export const isoNow = (ctx: Pick<RouteContext, 'runtime'>): string => new Date(ctx.runtime.clock.now()).toISOString();

/** For routes whose body is optional: an empty body (with or without content-type) reads as `{}`. */
export function readOptionalJsonBody(ctx: RouteContext): unknown {
  return ctx.req.body.trim() === '' ? {} : readJsonBody(ctx.req, MANAGEMENT_BODY_BYTES);
}

/** What the API shows of a subscription: never its secrets (those have their own route). */
export function subscriptionView(subscription: Subscription) {
  const { secrets: _secrets, ...view } = subscription;
  return view;
}

export function tenantParam({ params }: Pick<RouteContext, 'params'>): string {
  return validateParam(tenantIdSchema, params.tenant, 'tenant');
}

export async function findSubscription(ctx: Pick<RouteContext, 'params' | 'runtime'>): Promise<Subscription> {
  const tenant = tenantParam(ctx);
  const id = ctx.params.id ?? '';
  const subscription = id.startsWith('sub_') ? await ctx.runtime.subscriptions.get(tenant, id) : undefined;
  if (!subscription) throw new ApiError('not_found', `subscription ${id} not found for tenant ${tenant}`);
  return subscription;
}
