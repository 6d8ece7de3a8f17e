/** Management routes (health, catalogue, subscriptions, deliveries, dead letters, API keys, OpenAPI), one Lambda. */
import { jsonResponse } from '../responses.ts';
import { openApiDocument } from '../openapi.ts';
import type { Route } from '../router.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deliveryRoutes } from './deliveries.ts';
import { eventTypeRoutes } from './event-types.ts';
import { portalRoutes } from './portal.ts';
import { sessionRoutes } from './session.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { tenantRoutes } from './tenants.ts';

const serviceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/health',
    access: 'public',
    handle: async ({ services }) => jsonResponse(200, { status: 'ok', version: services.version }),
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    // Any key: a producer or a tenant portal generates its client from it.
    access: 'read',
    handle: async ({ services }) => jsonResponse(200, openApiDocument(services.version)),
  },
];

export const managementRoutes: Route[] = [
  ...serviceRoutes,
  ...eventTypeRoutes,
  ...subscriptionRoutes,
  ...deliveryRoutes,
  ...deadLetterRoutes,
  ...apiKeyRoutes,
  ...tenantRoutes,
  ...portalRoutes,
  ...sessionRoutes,
];
