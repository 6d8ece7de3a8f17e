/**
 * The route lists: the ingest function serves `eventRoutes` (events.ts) alone; the management function
 * everything else; the local server both, as API Gateway puts them all behind one URL.
 */
import * as z from 'zod';
import { apiKeyRoutes } from './api-keys.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { eventTypeRoutes } from './event-types.ts';
import { eventRoutes } from './events.ts';
import { portalSessionRoutes } from './portal-sessions.ts';
import { type ApiRoute, createRoute, defineRoute, ok } from './route.ts';
import { healthRoute, meRoute, tags } from './service.ts';
import { subscriptionRoutes } from './subscriptions/index.ts';
import { tenantRoutes } from './tenants.ts';

const openApiRoute = defineRoute({
  // Any key: a producer or a tenant portal generates its client from it.
  access: 'read',
  route: createRoute({
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This OpenAPI document',
    tags,
    responses: { 200: ok('OpenAPI 3.1 document', z.record(z.string(), z.unknown())) },
  }),
  // The committed openapi.json, which `npm run openapi` writes from these routes (openapi.ts; a test
  // fails if it drifts): generating it here would load the generator and all of zod, ~500 KiB more
  // in the management function's cold start. Read on the first request, not at the function's start.
  async handler(c) {
    const { default: document } = await import('../../openapi.json', { with: { type: 'json' } });
    return c.json({ ...document, info: { ...document.info, version: c.var.services.version } }, 200);
  },
});

export const managementRoutes: ApiRoute[] = [
  healthRoute,
  openApiRoute,
  ...eventTypeRoutes,
  ...subscriptionRoutes,
  ...deadLetterRoutes,
  ...apiKeyRoutes,
  ...tenantRoutes,
  ...portalSessionRoutes,
  meRoute,
];

export const allRoutes: ApiRoute[] = [...eventRoutes, ...managementRoutes];
