/** Endpoints of a tenant: CRUD with cursor pagination, the signing secret and its rotation. */
import type { SigningSecret, Subscription } from '../../domain.ts';
import { ApiError, jsonResponse } from '../../errors.ts';
import { newSigningSecret, newSubscriptionId } from '../../ids.ts';
import type { Runtime } from '../../runtime.ts';
import { checkUrl } from '../../ssrf-guard.ts';
import { readJsonBody, validate, validateParam } from '../request.ts';
import type { Route } from '../router.ts';
import { createSubscriptionSchema, listQuerySchema, patchSubscriptionSchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES, findSubscription, isoNow, noContent, subscriptionView, tenantParam } from './helpers.ts';

/** How long a rotated-out secret keeps signing next to the new one (receivers roll over meanwhile). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Rotating again and again within the overlap keeps at most this many secrets signing. */
const MAX_SIGNING_SECRETS = 5;

function validDestination(runtime: Runtime, url: string): string {
  const checked = checkUrl(url, { allowPrivateTargets: runtime.config.allowPrivateTargets });
  if (!checked.ok) throw new ApiError('validation_failed', 'url is not an allowed destination', [{ path: 'url', message: checked.reason }]);
  return checked.url.toString();
}

function decodeListCursor(cursor: string | undefined): string {
  if (!cursor) return '';
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^sub_[0-9A-Z]{26}$/.test(id)) throw new ApiError('malformed_request', 'cursor is not valid for this list');
  return id;
}

/** New secret first; unexpired old ones sign until `expiresAt`; expired ones are dropped. */
export function rotatedSecrets(secrets: SigningSecret[], newSecret: string, nowMs: number): SigningSecret[] {
  const overlapEnds = new Date(nowMs + SECRET_OVERLAP_MS).toISOString();
  const kept = secrets
    .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > nowMs)
    .map((s) => (s.expiresAt === undefined ? { secret: s.secret, expiresAt: overlapEnds } : s));
  return [{ secret: newSecret }, ...kept].slice(0, MAX_SIGNING_SECRETS);
}

async function save(runtime: Runtime, subscription: Subscription): Promise<void> {
  await runtime.subscriptions.put(subscription);
  runtime.cache.forgetTenant(subscription.tenant);
}

export const subscriptionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle(ctx) {
      const { req, runtime } = ctx;
      const tenant = tenantParam(ctx);
      const input = validate(createSubscriptionSchema, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      const url = validDestination(runtime, input.url);
      const nowMs = runtime.clock.now();
      const now = new Date(nowMs).toISOString();
      const secret = newSigningSecret();
      const subscription: Subscription = {
        id: newSubscriptionId(nowMs),
        tenant,
        ...input,
        url,
        secrets: [{ secret }],
        createdAt: now,
        updatedAt: now,
      };
      await save(runtime, subscription);
      await runtime.tenants.add(tenant, now); // the tenant registry behind GET /v1/tenants
      return jsonResponse(201, { ...subscriptionView(subscription), secret });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions',
    access: 'tenant',
    async handle(ctx) {
      const tenant = tenantParam(ctx);
      const { limit, cursor } = validateParam(listQuerySchema, ctx.req.query, 'query');
      const after = decodeListCursor(cursor);
      // Ids are ULIDs, so id order is creation order; a tenant has few endpoints, read them all.
      const all = (await ctx.runtime.subscriptions.listByTenant(tenant)).sort((a, b) => a.id.localeCompare(b.id));
      const rest = all.filter((subscription) => subscription.id > after);
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return jsonResponse(200, {
        items: page.map(subscriptionView),
        ...(rest.length > limit && last ? { nextCursor: Buffer.from(last.id).toString('base64url') } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    handle: async (ctx) => jsonResponse(200, subscriptionView(await findSubscription(ctx))),
  },
  {
    method: 'PATCH',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    async handle(ctx) {
      const { runtime } = ctx;
      // Validate before reading: a bad body is a 4xx whether or not the subscription exists.
      const patch = validate(patchSubscriptionSchema, readJsonBody(ctx.req, MANAGEMENT_BODY_BYTES));
      const url = patch.url === undefined ? undefined : validDestination(runtime, patch.url);
      const current = await findSubscription(ctx);
      const { disabledReason, ...rest } = current;
      const enabled = patch.enabled ?? current.enabled;
      const updated: Subscription = {
        ...rest,
        ...patch,
        ...(url === undefined ? {} : { url }),
        enabled,
        // Turning an endpoint back on clears why it was turned off.
        ...(!enabled && patch.enabled === undefined && disabledReason !== undefined ? { disabledReason } : {}),
        updatedAt: isoNow(ctx),
      };
      await save(runtime, updated);
      return jsonResponse(200, subscriptionView(updated));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/tenants/{tenant}/subscriptions/{id}',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      await ctx.runtime.subscriptionRemoval.delete(subscription.tenant, subscription.id);
      ctx.runtime.cache.forgetTenant(subscription.tenant);
      await ctx.runtime.tenants.removeIfEmpty(subscription.tenant);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/secret',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      const current = subscription.secrets.find((s) => s.expiresAt === undefined) ?? subscription.secrets[0];
      return jsonResponse(200, { secret: current?.secret });
    },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/subscriptions/{id}/rotate-secret',
    access: 'tenant',
    async handle(ctx) {
      const subscription = await findSubscription(ctx);
      const secret = newSigningSecret();
      const nowMs = ctx.runtime.clock.now();
      await save(ctx.runtime, {
        ...subscription,
        secrets: rotatedSecrets(subscription.secrets, secret, nowMs),
        updatedAt: new Date(nowMs).toISOString(),
      });
      return jsonResponse(200, { secret });
    },
  },
];
