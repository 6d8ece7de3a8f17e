/**
 * POST /v1/tenants/{tenant}/portal-sessions (admin): a link to the tenant portal. The token is a signed,
 * short-lived tenant credential (shared/core/management/portal-tokens.ts); it travels in the URL's fragment, which
 * browsers never send, so it stays out of server and proxy logs.
 */
import * as z from 'zod';
import { HookpostError } from '../core/platform/errors.ts';
import { tenantParams, timestamp } from './common.ts';
import { createRoute, defineRoute, errors, json, ok } from './route.ts';

export const portalSessionSchema = z
  .object({
    expiresInSeconds: z.number().int().min(60).max(86_400).default(3_600).meta({ description: 'how long the link works (60 s to 24 h)' }),
  })
  .meta({ id: 'PortalSessionRequest' });

export const portalSessionResultSchema = z
  .object({
    url: z.string().meta({ description: 'absolute portal link; the token is in the fragment so it never reaches server logs', example: 'https://api.example.com/console/portal#token=hpp_…' }),
    token: z.string().meta({ description: 'hpp_…; a tenant-scoped bearer credential (cannot publish)' }),
    expiresAt: timestamp(),
  })
  .meta({ id: 'PortalSession' });

/** The API's public base: HOOKPOST_PUBLIC_URL, else what the request says it was sent to. */
export function publicBase(header: (name: string) => string | undefined, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const host = header('x-forwarded-host') ?? header('host');
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
    throw new HookpostError('malformed_request', 'cannot tell the public URL (no valid Host header); set HOOKPOST_PUBLIC_URL');
  }
  // API Gateway says https in X-Forwarded-Proto; the local server is plain http and says nothing.
  const forwarded = header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : 'http';
  return `${proto}://${host}`;
}

export const portalSessionRoutes = [
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'post',
      path: '/v1/tenants/{tenant}/portal-sessions',
      summary: "A short-lived link to the tenant's portal (tenant scope, cannot publish)",
      tags: ['tenants'],
      request: { params: tenantParams, body: { required: false, ...json(portalSessionSchema) } },
      responses: { 201: ok('The link; its token is in the fragment', portalSessionResultSchema), ...errors(400, 413, 415, 422) },
    }),
    body: { optional: true },
    async handler(c) {
      const { services } = c.var;
      const base = publicBase((name) => c.req.header(name), services.publicUrl);
      return c.json(await services.portal.createSession(c.req.valid('param').tenant, c.req.valid('json').expiresInSeconds, base), 201);
    },
  }),
];
