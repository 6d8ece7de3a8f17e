/**
 * POST /v1/tenants/{tenant}/portal-sessions (admin): a link to the tenant portal. The token is a signed,
 * short-lived tenant credential (shared/core/portal-tokens.ts); it travels in the URL's fragment, which
 * browsers never send, so it stays out of server and proxy logs.
 */
import { HookpostError } from '../../core/errors.ts';
import type { ApiRequest } from '../http.ts';
import { validate } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { portalSessionSchema } from '../schemas.ts';
import { readOptionalJsonBody, tenantParam } from './helpers.ts';

/** The API's public base: HOOKPOST_PUBLIC_URL, else what the request says it was sent to. */
export function publicBase(req: Pick<ApiRequest, 'headers'>, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
    throw new HookpostError('malformed_request', 'cannot tell the public URL (no valid Host header); set HOOKPOST_PUBLIC_URL');
  }
  // API Gateway says https in X-Forwarded-Proto; the local server is plain http and says nothing.
  const forwarded = req.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : 'http';
  return `${proto}://${host}`;
}

export const portalRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/portal-sessions',
    access: 'admin',
    async handle(ctx) {
      const tenant = tenantParam(ctx);
      const { expiresInSeconds } = validate(portalSessionSchema, readOptionalJsonBody(ctx));
      const base = publicBase(ctx.req, ctx.services.publicUrl);
      return jsonResponse(201, await ctx.services.portal.createSession(tenant, expiresInSeconds, base));
    },
  },
];
