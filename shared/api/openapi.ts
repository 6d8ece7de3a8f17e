/**
 * The OpenAPI 3.1 document: Hono's own (@hono/zod-openapi), from the routes' `createRoute`s — the same
 * zod schemas that validate requests. What every route shares is added here from its access level:
 * 401/403 unless public (and `security: []` when public), 500 and 503 always, and an operation id
 * from its method and path. `npm run openapi` writes it to openapi.json at the repository root.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiRoute } from './route.ts';
import { errorResponseDoc } from './route.ts';

const operationId = (method: string, path: string) =>
  `${method}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`;

export function openApiDocument(version: string, routes: readonly ApiRoute[]) {
  const app = new OpenAPIHono();
  for (const { access, route } of routes) {
    const shared = [...(access === 'public' ? [] : [401, 403]), 500, 503];
    app.openAPIRegistry.registerPath({
      operationId: operationId(route.method, route.path),
      ...route,
      ...(access === 'public' ? { security: [] } : {}),
      responses: { ...route.responses, ...Object.fromEntries(shared.map((status) => [status, errorResponseDoc(status)])) },
    });
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'an API key: hp_…' });
  const { webhooks: _none, ...document } = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Hookpost',
      version,
      description: 'Webhook delivery: publish events, manage endpoints, inspect and redeliver. Errors are {"error":{"code","message","details"}}.',
      // OpenAPI 3.1's SPDX `identifier` (the generator's config type knows 3.0's license object only).
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } as { name: string },
    },
    security: [{ bearerAuth: [] }],
  });
  // The generator adds an empty `webhooks` (there are none) and `components.parameters` (none are shared).
  const { parameters: _shared, ...components } = document.components ?? {};
  return { ...document, components };
}
