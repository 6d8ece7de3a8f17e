/** API keys: create (the key is shown once), list (never key material), delete. Admin only. */
import { readJsonBody, validate, validateParam } from '../request.ts';
import { jsonResponse, noContent } from '../responses.ts';
import type { Route } from '../router.ts';
import { createApiKeySchema, listQuerySchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES } from './helpers.ts';

export const apiKeyRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/api-keys',
    access: 'admin',
    async handle({ req, services }) {
      const input = validate(createApiKeySchema, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      return jsonResponse(201, await services.apiKeys.create(input));
    },
  },
  {
    method: 'GET',
    path: '/v1/api-keys',
    access: 'admin',
    async handle({ req, services }) {
      const query = validateParam(listQuerySchema, req.query, 'query');
      return jsonResponse(200, await services.apiKeys.list(query));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/api-keys/{id}',
    access: 'admin',
    async handle({ params, services }) {
      // This process stops accepting it now; other containers within their decision cache time.
      await services.apiKeys.delete(params.id ?? '');
      return noContent();
    },
  },
];
