/**
 * The route lists: the ingest function serves `eventRoutes` (events.ts) alone; the management function
 * everything else; the local server both, as API Gateway puts them all behind one URL.
 */
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { apiKeyRoutes } from './api-keys.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { eventTypeRoutes } from './event-types.ts';
import { eventRoutes } from './events.ts';
import { openApiDocument } from './openapi.ts';
import { portalSessionRoutes } from './portal-sessions.ts';
import { type ApiRoute, defineRoute, ok } from './route.ts';
import { healthRoute, meRoute, tags } from './service.ts';
import { subscriptionRoutes } from './subscriptions/index.ts';
import { tenantRoutes } from './tenants.ts';

let document: { version: string; body: ReturnType<typeof openApiDocument> } | undefined;

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
  handler(c) {
    const { version } = c.var.services;
    if (document?.version !== version) document = { version, body: openApiDocument(version, allRoutes) };
    return c.json(document.body as never, 200);
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
