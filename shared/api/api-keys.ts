/** API keys: create (the key is shown once), list (never key material), delete. Admin only. */
import * as z from 'zod';
import type { ApiKeyView } from '../core/management/api-keys.ts';
import { tenantIdSchema } from '../core/management/inputs.ts';
import { listQuerySchema, type Shows, timestamp } from './common.ts';
import { createRoute, defineRoute, errors, json, ok } from './route.ts';

export const apiKeyScopeSchema = z.enum(['admin', 'publish', 'tenant']);

export const createApiKeySchema = z
  .strictObject({
    name: z.string().min(1).max(128),
    scope: apiKeyScopeSchema,
    tenant: tenantIdSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.scope === 'tenant' && input.tenant === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'a tenant key needs a tenant' });
    }
    if (input.scope !== 'tenant' && input.tenant !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tenant'], message: `a ${input.scope} key has no tenant` });
    }
  })
  .meta({ id: 'CreateApiKey' });

export const apiKeySchema = z
  .object({
    id: z.string().meta({ example: 'key_01JD7S0000000000000000000' }),
    name: z.string(),
    scope: apiKeyScopeSchema,
    tenant: z.string().optional(),
    createdAt: timestamp(),
  })
  .meta({ id: 'ApiKey' });
export const apiKeyShowsCore: Shows<typeof apiKeySchema, ApiKeyView> = true;

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'hp_…; shown only in this response' }) })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema), nextCursor: z.string().optional() }).meta({ id: 'ApiKeyList' });

const tags = ['api keys'];

export const apiKeyRoutes = [
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Create an API key (shown once)',
      tags,
      request: { body: { required: true, ...json(createApiKeySchema) } },
      responses: { 201: ok('Created', createdApiKeySchema), ...errors(400, 413, 415, 422) },
    }),
    handler: async (c) => c.json(await c.var.services.apiKeys.create(c.req.valid('json')), 201),
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'get',
      path: '/v1/api-keys',
      summary: 'List API keys, oldest first, a page at a time (never key material)',
      tags,
      request: { query: listQuerySchema },
      responses: { 200: ok('Keys', apiKeyListSchema), ...errors(400) },
    }),
    handler: async (c) => c.json(await c.var.services.apiKeys.list(c.req.valid('query')), 200),
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'delete',
      path: '/v1/api-keys/{id}',
      summary: 'Delete an API key',
      tags,
      request: { params: z.object({ id: z.string() }) },
      responses: { 204: { description: 'Deleted' }, ...errors(404) },
    }),
    async handler(c) {
      // This process stops accepting it now; other containers within their decision cache time.
      await c.var.services.apiKeys.delete(c.req.valid('param').id);
      return c.body(null, 204);
    },
  }),
];
