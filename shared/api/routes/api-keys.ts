/** API keys: create (the key is shown once), list (never key material), delete. Admin only. */
import { apiKeyView, hashApiKey, newApiKey, newApiKeyId } from '../../core/api-keys.ts';
import { forgetApiKey } from '../../core/auth.ts';
import { ApiError, jsonResponse } from '../../core/errors.ts';
import type { ApiKeyRecord } from '../../core/ports.ts';
import { readJsonBody, validate } from '../request.ts';
import type { Route } from '../router.ts';
import { createApiKeySchema } from '../schemas.ts';
import { MANAGEMENT_BODY_BYTES, noContent } from './helpers.ts';

export const apiKeyRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/api-keys',
    access: 'admin',
    async handle({ req, runtime }) {
      const input = validate(createApiKeySchema, readJsonBody(req, MANAGEMENT_BODY_BYTES));
      const nowMs = runtime.clock.now();
      const key = newApiKey();
      const record: ApiKeyRecord = {
        id: newApiKeyId(nowMs),
        name: input.name,
        scope: input.scope,
        ...(input.tenant ? { tenant: input.tenant } : {}),
        createdAt: new Date(nowMs).toISOString(),
        hash: hashApiKey(key),
      };
      await runtime.apiKeys.create(record);
      return jsonResponse(201, { ...apiKeyView(record), key });
    },
  },
  {
    method: 'GET',
    path: '/v1/api-keys',
    access: 'admin',
    async handle({ runtime }) {
      const items = (await runtime.apiKeys.list()).sort((a, b) => a.id.localeCompare(b.id)).map(apiKeyView);
      return jsonResponse(200, { items });
    },
  },
  {
    method: 'DELETE',
    path: '/v1/api-keys/{id}',
    access: 'admin',
    async handle({ params, runtime }) {
      const id = params.id ?? '';
      const deleted = id.startsWith('key_') ? await runtime.apiKeys.delete(id) : undefined;
      if (!deleted) throw new ApiError('not_found', `API key ${id} not found`);
      // This process stops accepting it now; other containers within their decision cache time.
      forgetApiKey(deleted.hash);
      return noContent();
    },
  },
];
