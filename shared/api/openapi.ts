/**
 * The OpenAPI 3.1 document, generated with zod-openapi from the same zod schemas that validate requests
 * (shared/api/schemas.ts). Every route of the API has an entry here; `openApiDocument` throws on a
 * route without one (test/api/openapi.test.ts checks allRoutes against the document).
 * `npm run openapi` writes it to openapi.json at the repository root.
 */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import {
  acceptedSchema,
  apiKeyListSchema,
  attemptPageSchema,
  attemptSchema,
  attemptsQuerySchema,
  batchResultSchema,
  createApiKeySchema,
  createEventTypeSchema,
  createSubscriptionSchema,
  createdApiKeySchema,
  createdSubscriptionSchema,
  deadLettersSchema,
  errorSchema,
  eventTypeBodySchema,
  eventTypeListSchema,
  eventTypeNameSchema,
  eventTypeSchema,
  healthSchema,
  listQuerySchema,
  meSchema,
  messageSchema,
  patchSubscriptionSchema,
  portalSessionResultSchema,
  portalSessionSchema,
  publishBatchSchema,
  publishEventSchema,
  recoverResultSchema,
  recoverSchema,
  redeliverQuerySchema,
  redeliverResultSchema,
  redriveResultSchema,
  secretSchema,
  statsSchema,
  subscriptionPageSchema,
  subscriptionSchema,
  tenantIdSchema,
  tenantPageSchema,
  testEventSchema,
} from './schemas.ts';

type Status = 200 | 201 | 202 | 204 | 207;
type ErrorStatus = 400 | 404 | 409 | 413 | 415 | 422;

interface Doc {
  summary: string;
  tags: string[];
  public?: boolean;
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  ok: { status: Status; description: string; schema?: z.ZodType } | Array<{ status: Status; description: string; schema?: z.ZodType }>;
  errors: ErrorStatus[];
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request (bad JSON, query or path parameter)',
  401: 'Missing or invalid API key',
  403: 'The key may not call this route or see this tenant',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'Invalid input (details list each problem)',
  500: 'Internal error',
  503: 'A dependency (SQS, DynamoDB) is unavailable; try again',
};

const PATH_PARAMS: Record<string, z.ZodType> = {
  tenant: tenantIdSchema,
  type: eventTypeNameSchema,
  id: z.string(),
  msgId: z.string().meta({ example: 'msg_01JD7S0000000000000000000' }),
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** Every route's documentation, by `METHOD path` exactly as in the route table. */
export const routeDocs: Record<string, Doc> = {
  'GET /v1/health': { summary: 'Liveness', tags: ['service'], public: true, ok: { status: 200, description: 'Up', schema: healthSchema }, errors: [] },
  'GET /v1/openapi.json': {
    summary: 'This OpenAPI document',
    tags: ['service'],
    ok: { status: 200, description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
    errors: [],
  },
  'POST /v1/events': {
    summary: 'Publish an event',
    tags: ['events'],
    body: publishEventSchema,
    headers: z.object({ 'Idempotency-Key': z.string().optional().meta({ description: 'same key + same body within 24 h: first response replayed' }) }),
    ok: { status: 202, description: 'Queued', schema: acceptedSchema },
    errors: [400, 409, 413, 415, 422],
  },
  'POST /v1/events/batch': {
    summary: 'Publish up to 100 events, each on its own',
    tags: ['events'],
    body: publishBatchSchema,
    ok: { status: 207, description: 'One result per event, in order', schema: batchResultSchema },
    errors: [400, 413, 415, 422],
  },
  'GET /v1/event-types': { summary: 'List event types', tags: ['event types'], ok: { status: 200, description: 'The catalogue', schema: eventTypeListSchema }, errors: [] },
  'POST /v1/event-types': {
    summary: 'Create an event type',
    tags: ['event types'],
    body: createEventTypeSchema,
    ok: { status: 201, description: 'Created', schema: eventTypeSchema },
    errors: [400, 409, 413, 415, 422],
  },
  'GET /v1/event-types/{type}': { summary: 'Get an event type', tags: ['event types'], ok: { status: 200, description: 'The event type', schema: eventTypeSchema }, errors: [400, 404] },
  'PUT /v1/event-types/{type}': {
    summary: 'Create or replace an event type',
    tags: ['event types'],
    body: eventTypeBodySchema,
    ok: [
      { status: 200, description: 'Replaced', schema: eventTypeSchema },
      { status: 201, description: 'Created', schema: eventTypeSchema },
    ],
    errors: [400, 413, 415, 422],
  },
  'DELETE /v1/event-types/{type}': { summary: 'Delete an event type', tags: ['event types'], ok: { status: 204, description: 'Deleted' }, errors: [400, 404] },
  'POST /v1/tenants/{tenant}/subscriptions': {
    summary: 'Add an endpoint',
    tags: ['subscriptions'],
    body: createSubscriptionSchema,
    ok: { status: 201, description: 'Created; the signing secret is included', schema: createdSubscriptionSchema },
    errors: [400, 413, 415, 422],
  },
  'GET /v1/tenants/{tenant}/subscriptions': {
    summary: 'List endpoints (oldest first, cursor pagination)',
    tags: ['subscriptions'],
    query: listQuerySchema,
    ok: { status: 200, description: 'A page', schema: subscriptionPageSchema },
    errors: [400],
  },
  'GET /v1/tenants/{tenant}/subscriptions/{id}': { summary: 'Get an endpoint', tags: ['subscriptions'], ok: { status: 200, description: 'The endpoint', schema: subscriptionSchema }, errors: [400, 404] },
  'PATCH /v1/tenants/{tenant}/subscriptions/{id}': {
    summary: 'Change url, eventTypes, description, headers or enabled',
    tags: ['subscriptions'],
    body: patchSubscriptionSchema,
    ok: { status: 200, description: 'Updated', schema: subscriptionSchema },
    errors: [400, 404, 413, 415, 422],
  },
  'DELETE /v1/tenants/{tenant}/subscriptions/{id}': { summary: 'Delete an endpoint', tags: ['subscriptions'], ok: { status: 204, description: 'Deleted' }, errors: [400, 404] },
  'GET /v1/tenants/{tenant}/subscriptions/{id}/secret': { summary: 'The current signing secret', tags: ['subscriptions'], ok: { status: 200, description: 'Secret', schema: secretSchema }, errors: [400, 404] },
  'POST /v1/tenants/{tenant}/subscriptions/{id}/rotate-secret': {
    summary: 'New signing secret; the old one keeps signing for 24 h',
    tags: ['subscriptions'],
    ok: { status: 200, description: 'The new secret', schema: secretSchema },
    errors: [400, 404],
  },
  'POST /v1/tenants/{tenant}/subscriptions/{id}/test': {
    summary: 'Send a test event now (one attempt, never retried)',
    tags: ['deliveries'],
    body: testEventSchema,
    ok: { status: 200, description: 'The attempt', schema: attemptSchema },
    errors: [400, 404, 413, 415, 422],
  },
  'GET /v1/tenants/{tenant}/subscriptions/{id}/attempts': {
    summary: 'Attempt log, newest first',
    tags: ['deliveries'],
    query: attemptsQuerySchema,
    ok: { status: 200, description: 'A page', schema: attemptPageSchema },
    errors: [400, 404],
  },
  'GET /v1/tenants/{tenant}/subscriptions/{id}/stats': {
    summary: 'Attempts and success rate over the last 24 h (test events excluded)',
    tags: ['deliveries'],
    ok: { status: 200, description: 'Stats', schema: statsSchema },
    errors: [400, 404],
  },
  'POST /v1/tenants/{tenant}/messages/{msgId}/redeliver': {
    summary: 'Send a kept message again',
    tags: ['deliveries'],
    query: redeliverQuerySchema,
    ok: { status: 202, description: 'Queued for these subscriptions', schema: redeliverResultSchema },
    errors: [400, 404, 409],
  },
  'POST /v1/tenants/{tenant}/subscriptions/{id}/recover': {
    summary: 'Re-send every message that failed since a time (≤ 14 days, ≤ 1000 messages per call)',
    tags: ['deliveries'],
    body: recoverSchema,
    ok: { status: 202, description: 'Queued', schema: recoverResultSchema },
    errors: [400, 404, 409, 413, 415, 422],
  },
  'GET /v1/dead-letters': {
    summary: 'A look at the dead-letter queue (up to 10)',
    tags: ['dead letters'],
    query: listQuerySchema.pick({ limit: true }),
    ok: { status: 200, description: 'Dead letters', schema: deadLettersSchema },
    errors: [400],
  },
  'POST /v1/dead-letters/redrive': {
    summary: 'Move every dead letter back to the events queue (fresh retry schedule)',
    tags: ['dead letters'],
    ok: { status: 202, description: 'Started (AWS) or done (local)', schema: redriveResultSchema },
    errors: [],
  },
  'POST /v1/api-keys': {
    summary: 'Create an API key (shown once)',
    tags: ['api keys'],
    body: createApiKeySchema,
    ok: { status: 201, description: 'Created', schema: createdApiKeySchema },
    errors: [400, 413, 415, 422],
  },
  'GET /v1/api-keys': {
    summary: 'List API keys, oldest first, a page at a time (never key material)',
    tags: ['api keys'],
    query: listQuerySchema,
    ok: { status: 200, description: 'Keys', schema: apiKeyListSchema },
    errors: [400],
  },
  'DELETE /v1/api-keys/{id}': { summary: 'Delete an API key', tags: ['api keys'], ok: { status: 204, description: 'Deleted' }, errors: [404] },
  'GET /v1/tenants': {
    summary: 'List tenants that have endpoints, with endpoint counts (tenant id order, cursor pagination)',
    tags: ['tenants'],
    query: listQuerySchema,
    ok: { status: 200, description: 'A page', schema: tenantPageSchema },
    errors: [400],
  },
  'POST /v1/tenants/{tenant}/portal-sessions': {
    summary: "A short-lived link to the tenant's portal (tenant scope, cannot publish)",
    tags: ['tenants'],
    body: portalSessionSchema,
    ok: { status: 201, description: 'The link; its token is in the fragment', schema: portalSessionResultSchema },
    errors: [400, 413, 415, 422],
  },
  'GET /v1/me': { summary: 'Who this key or portal token is', tags: ['service'], ok: { status: 200, description: 'The caller', schema: meSchema }, errors: [] },
  'GET /v1/tenants/{tenant}/messages/{msgId}': {
    summary: 'A kept message (one with a failed delivery, until its TTL) with its payload',
    tags: ['deliveries'],
    ok: { status: 200, description: 'The message', schema: messageSchema },
    errors: [400, 404],
  },
};

function operation(method: string, path: string, doc: Doc): ZodOpenApiOperationObject {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  const pathParams = names.length > 0 ? z.object(Object.fromEntries(names.map((name) => [name, PATH_PARAMS[name] ?? z.string()]))) : undefined;
  const responses: Record<`${number}`, ZodOpenApiResponseObject> = {};
  for (const ok of [doc.ok].flat()) {
    responses[`${ok.status}`] = { description: ok.description, ...(ok.schema ? { content: json(ok.schema) } : {}) };
  }
  const errors = [...doc.errors, ...(doc.public ? [] : [401, 403]), 500, 503].sort((a, b) => a - b);
  for (const status of errors) responses[`${status}`] = { description: ERROR_TEXT[status] ?? 'Error', content: json(errorSchema) };
  return {
    operationId: `${method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: doc.summary,
    tags: doc.tags,
    ...(doc.public ? { security: [] } : {}),
    requestParams: {
      ...(pathParams ? { path: pathParams } : {}),
      ...(doc.query ? { query: doc.query } : {}),
      ...(doc.headers ? { header: doc.headers } : {}),
    },
    // The test event's body is optional (an empty body means "no type given").
    ...(doc.body ? { requestBody: { required: doc.body !== testEventSchema && doc.body !== portalSessionSchema, content: json(doc.body) } } : {}),
    responses,
  };
}

/** Builds the document; `routes` (method + path) must all be documented. */
export function openApiDocument(version: string, routes?: Array<{ method: string; path: string }>): ReturnType<typeof createDocument> {
  const undocumented = (routes ?? []).filter((route) => !routeDocs[`${route.method} ${route.path}`]);
  if (undocumented.length > 0) throw new Error(`routes without OpenAPI docs: ${undocumented.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, doc] of Object.entries(routeDocs)) {
    const [method = '', path = ''] = key.split(' ');
    paths[path] ??= {};
    const item = paths[path];
    (item as Record<string, ZodOpenApiOperationObject>)[method.toLowerCase()] = operation(method, path, doc);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Hookpost',
      version,
      description: 'Webhook delivery: publish events, manage endpoints, inspect and redeliver. Errors are {"error":{"code","message","details"}}.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearerAuth: [] }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key: hp_…' } } },
    paths,
  });
}
