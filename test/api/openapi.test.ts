/** The OpenAPI document: valid 3.1, covers every route exactly once, every error in the documented error shape, committed copy in sync, served. */
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/api/openapi.ts';
import { allRoutes } from '#shared/api/routes.ts';
import { type ApiTestContext, routeTable, startApiTest } from './setup.ts';

const root = new URL('../../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
const generated = () => JSON.parse(JSON.stringify(openApiDocument(version, allRoutes))) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const api = (await SwaggerParser.validate(generated() as never)) as { openapi?: string };
    expect(api.openapi).toBe('3.1.0');
  });

  it('documents every implemented route (method and path)', () => {
    const { paths } = generated();
    const missing = routeTable.filter((route) => !paths[route.path]?.[route.method.toLowerCase()]);
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const documented = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routeTable.map((r) => `${r.method} ${r.path}`).sort());
    // Each route once: two definitions of one method and path would be served by the first only.
    expect(new Set(documented).size).toBe(routeTable.length);
  });

  it('describes every error response with the documented error shape', () => {
    const { paths } = generated();
    for (const item of Object.values(paths)) {
      for (const operation of Object.values(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          expect(response.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Error');
        }
      }
    }
  });

  it('documents what each route shares from its access level: 401/403 and the bearer key unless public', () => {
    const doc = generated() as unknown as { paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
    for (const { method, path, access } of routeTable) {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      expect(Object.keys(operation?.responses ?? {}), `${method} ${path}`).toEqual(expect.arrayContaining(access === 'public' ? ['500', '503'] : ['401', '403', '500', '503']));
      expect(operation?.security, `${method} ${path}`).toEqual(access === 'public' ? [] : undefined);
    }
  });

  it('is committed as openapi.json exactly as generated (npm run openapi)', () => {
    const committed = JSON.parse(readFileSync(new URL('openapi.json', root), 'utf8'));
    expect(committed).toEqual(generated());
  });
});

describe('GET /v1/openapi.json', () => {
  let t: ApiTestContext;
  beforeAll(async () => {
    t = await startApiTest();
  });
  afterAll(() => t?.stop());

  it('serves the document to any key and asks for one otherwise', async () => {
    const tenantKey = await t.keyFor('tenant', 'acme');
    const served = await tenantKey('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(generated());
    expect((await t.as(undefined)('GET', '/v1/openapi.json')).status).toBe(401);
  });
});
