/**
 * POST /v1/tenants/{tenant}/portal-sessions (admin): a link to the tenant portal. The token is a signed,
 * short-lived tenant credential (shared/portal-tokens.ts); it travels in the URL's fragment, which
 * browsers never send, so it stays out of server and proxy logs.
 */
import { ApiError, jsonResponse } from '../../errors.ts';
import type { ApiRequest } from '../../http-api.ts';
import { portalKeySource, signPortalToken, type PortalKeySettings } from '../../portal-tokens.ts';
import { validate } from '../request.ts';
import type { Route } from '../router.ts';
import { portalSessionSchema } from '../schemas.ts';
import { readOptionalJsonBody, tenantParam } from './helpers.ts';

/** The API's public base: HOOKPOST_PUBLIC_URL, else what the request says it was sent to. */
export function publicBase(req: Pick<ApiRequest, 'headers'>, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new ApiError('malformed_request', 'cannot tell the public URL (no valid Host header); set HOOKPOST_PUBLIC_URL');
  // API Gateway says https in X-Forwarded-Proto; the local server is plain http and says nothing.
  const forwarded = req.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : 'http';
  return `${proto}://${host}`;
}

export function portalSession(key: string, tenant: string, base: string, nowMs: number, expiresInSeconds: number) {
  const expiresAtMs = nowMs + expiresInSeconds * 1000;
  const token = signPortalToken(key, tenant, expiresAtMs);
  return { url: `${base}/console/portal#token=${token}`, token, expiresAt: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString() };
}

const keySources = new WeakMap<PortalKeySettings, () => Promise<string | undefined>>();

export const portalRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/tenants/{tenant}/portal-sessions',
    access: 'admin',
    async handle(ctx) {
      const { runtime, req } = ctx;
      const tenant = tenantParam(ctx);
      const { expiresInSeconds } = validate(portalSessionSchema, readOptionalJsonBody(ctx));
      let source = keySources.get(runtime.config);
      if (!source) keySources.set(runtime.config, (source = portalKeySource(runtime.config)));
      const key = await source();
      if (!key) throw new ApiError('dependency_unavailable', 'portal links are not configured (HOOKPOST_PORTAL_SIGNING_KEY)');
      return jsonResponse(201, portalSession(key, tenant, publicBase(req, runtime.config.publicUrl), runtime.clock.now(), expiresInSeconds));
    },
  },
];
