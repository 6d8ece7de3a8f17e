/**
 * Request and response schemas: the single source of truth for what the API accepts and answers.
 * The OpenAPI document (shared/api/openapi.ts) is generated from these same schemas; `.meta()` here
 * is plain zod, so the ingest function does not load zod-openapi.
 */
import { z } from 'zod';

/** Any JSON value (recursive), one named component in the OpenAPI document. */
const anyJsonSchema = z.json().meta({ id: 'AnyJson', description: 'any JSON value' });
const anyJson = () => anyJsonSchema;

export const eventTypeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -')
  .meta({ example: 'User.Created' });

export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
  .meta({ example: 'acme' });

/** An event type pattern: an exact name, `prefix.*`, or `*`. */
export const eventTypePatternSchema = z
  .string()
  .regex(/^(\*|[A-Za-z0-9._:-]{1,126}\.\*|[A-Za-z0-9._:-]{1,128})$/, 'must be an event type name, "prefix.*" or "*"');

export const publishEventSchema = z
  .strictObject({
    type: eventTypeNameSchema,
    data: anyJson(),
    tenant: tenantIdSchema.optional(),
  })
  .meta({ id: 'PublishEvent' });

export const MAX_BATCH_EVENTS = 100;

export const publishBatchSchema = z
  .strictObject({
    events: z.array(z.unknown().meta({ description: 'a PublishEvent; each is validated on its own' })).min(1).max(MAX_BATCH_EVENTS),
  })
  .meta({ id: 'PublishBatch' });

export const eventTypeBodySchema = z
  .strictObject({
    description: z.string().max(1024).default(''),
    /** A JSON Schema (draft 2020-12 by default) that published `data` must satisfy; checked with ajv at PUT time. */
    schema: z.record(z.string(), anyJson()).optional().meta({ description: 'JSON Schema that published data must satisfy' }),
    example: anyJson().optional().meta({ description: 'example payload, sent by "Send Test Event"' }),
  })
  .meta({ id: 'EventTypeBody' });

export const createEventTypeSchema = eventTypeBodySchema.extend({ type: eventTypeNameSchema }).meta({ id: 'CreateEventType' });

const FORBIDDEN_HEADER = /^(webhook-.*|content-type|content-length|user-agent|host|connection|transfer-encoding)$/i;

export const customHeadersSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'header names must be HTTP tokens of at most 64 characters'),
    z.string().max(1024).regex(/^[^\r\n\0]*$/, 'header values may not contain CR, LF or NUL'),
  )
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 custom headers')
  .refine(
    (headers) => Object.keys(headers).every((name) => !FORBIDDEN_HEADER.test(name)),
    'custom headers may not set webhook-*, content-type, content-length, user-agent, host, connection or transfer-encoding',
  )
  .meta({ description: 'extra headers sent with every delivery', example: { 'x-customer': 'acme' } });

const subscriptionUrlSchema = z.string().max(2048).meta({ example: 'https://example.com/webhooks' });
const subscriptionEventTypesSchema = z.array(eventTypePatternSchema).min(1).max(100).meta({ example: ['User.Created', 'site.*'] });

export const createSubscriptionSchema = z
  .strictObject({
    url: subscriptionUrlSchema,
    eventTypes: subscriptionEventTypesSchema,
    description: z.string().max(1024).default(''),
    headers: customHeadersSchema.default({}),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CreateSubscription' });

/** PATCH: every field optional, at least one present. */
export const patchSubscriptionSchema = z
  .strictObject({
    url: subscriptionUrlSchema.optional(),
    eventTypes: subscriptionEventTypesSchema.optional(),
    description: z.string().max(1024).optional(),
    headers: customHeadersSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one of url, eventTypes, description, headers, enabled')
  .meta({ id: 'PatchSubscription' });

export const testEventSchema = z
  .strictObject({
    type: eventTypeNameSchema.optional().meta({ description: 'defaults to the first exact type the subscription wants' }),
  })
  .meta({ id: 'TestEvent' });

export const recoverSchema = z
  .strictObject({
    since: z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 time; at most 14 days ago', example: '2026-01-01T00:00:00Z' }),
  })
  .meta({ id: 'Recover' });

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

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const attemptsQuerySchema = listQuerySchema.extend({
  status: z.enum(['succeeded', 'failed']).optional(),
});

export const redeliverQuerySchema = z.object({
  subscription: z.string().max(64).optional().meta({ description: 'only this subscription (default: every enabled one that wants the type)' }),
});

/* ---------- responses ---------- */

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum([
        'malformed_request',
        'unauthorized',
        'forbidden',
        'not_found',
        'conflict',
        'payload_too_large',
        'unsupported_media_type',
        'validation_failed',
        'throttled',
        'dependency_unavailable',
        'internal_error',
      ]),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

const timestamp = () => z.string().meta({ format: 'date-time' });

export const healthSchema = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const acceptedSchema = z
  .object({ id: z.string().meta({ example: 'msg_01JD7S0000000000000000000' }), type: z.string(), tenant: z.string(), timestamp: timestamp() })
  .meta({ id: 'Accepted' });

export const batchResultSchema = z
  .object({ results: z.array(z.union([acceptedSchema, errorSchema])) })
  .meta({ id: 'BatchResult' });

export const eventTypeSchema = z
  .object({
    type: z.string(),
    description: z.string(),
    schema: z.record(z.string(), anyJson()).optional(),
    example: anyJson().optional(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  })
  .meta({ id: 'EventType' });

export const eventTypeListSchema = z.object({ items: z.array(eventTypeSchema) }).meta({ id: 'EventTypeList' });

export const subscriptionSchema = z
  .object({
    id: z.string().meta({ example: 'sub_01JD7S0000000000000000000' }),
    tenant: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string(),
    headers: z.record(z.string(), z.string()),
    enabled: z.boolean(),
    disabledReason: z.string().optional(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  })
  .meta({ id: 'Subscription' });

export const createdSubscriptionSchema = subscriptionSchema
  .extend({ secret: z.string().meta({ description: 'signing secret, whsec_…' }) })
  .meta({ id: 'CreatedSubscription' });

export const subscriptionPageSchema = z
  .object({ items: z.array(subscriptionSchema), nextCursor: z.string().optional() })
  .meta({ id: 'SubscriptionPage' });

export const secretSchema = z.object({ secret: z.string().meta({ example: 'whsec_…' }) }).meta({ id: 'Secret' });

export const attemptSchema = z
  .object({
    id: z.string().meta({ example: 'att_01JD7S0000000000000000000' }),
    messageId: z.string(),
    subscriptionId: z.string(),
    tenant: z.string(),
    eventType: z.string(),
    attemptNumber: z.number().int(),
    status: z.enum(['succeeded', 'failed']),
    statusCode: z.number().int().optional(),
    durationMs: z.number(),
    response: z.string().optional().meta({ description: 'first 4 KiB of the response body' }),
    error: z.string().optional(),
    timestamp: timestamp(),
    test: z.boolean().optional(),
  })
  .meta({ id: 'Attempt' });

export const attemptPageSchema = z
  .object({ items: z.array(attemptSchema), nextCursor: z.string().optional() })
  .meta({ id: 'AttemptPage' });

export const statsSchema = z
  .object({
    since: timestamp(),
    attempts: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    successRate: z.number().nullable().meta({ description: 'succeeded / attempts, null when there was no attempt' }),
    truncated: z.boolean().meta({ description: 'true when more attempts than the read bound exist (counts are then a lower bound)' }),
  })
  .meta({ id: 'Stats' });


export const redeliverResultSchema = z
  .object({ messageId: z.string(), targets: z.array(z.object({ subscriptionId: z.string() })) })
  .meta({ id: 'RedeliverResult' });

export const recoverResultSchema = z
  .object({
    since: timestamp(),
    messages: z.array(z.string()).meta({ description: 'ids of the messages queued again' }),
    skipped: z.array(z.string()).meta({ description: 'failed messages no longer kept (expired), not re-sent' }),
    truncated: z.boolean(),
  })
  .meta({ id: 'RecoverResult' });

export const deadLettersSchema = z
  .object({ approximateCount: z.number().int(), items: z.array(z.record(z.string(), z.unknown())) })
  .meta({ id: 'DeadLetters' });

export const redriveResultSchema = z
  .object({
    mode: z.enum(['move_task', 'local']),
    taskHandle: z.string().optional().meta({ description: 'SQS message move task handle (AWS)' }),
    moved: z.number().int().optional().meta({ description: 'messages moved (local mode)' }),
  })
  .meta({ id: 'RedriveResult' });

export const apiKeySchema = z
  .object({
    id: z.string().meta({ example: 'key_01JD7S0000000000000000000' }),
    name: z.string(),
    scope: apiKeyScopeSchema,
    tenant: z.string().optional(),
    createdAt: timestamp(),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'hp_…; shown only in this response' }) })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) }).meta({ id: 'ApiKeyList' });

/** Turns a zod failure into the SPEC's `details` list. */
export function issuesToDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/* ---------- tenants and portal sessions (console) ---------- */

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

export const tenantPageSchema = z
  .object({
    items: z.array(z.object({ tenant: z.string(), endpoints: z.number().int(), createdAt: timestamp() }).meta({ id: 'Tenant' })),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'TenantPage' });

export const meSchema = z
  .object({ keyId: z.string(), scope: apiKeyScopeSchema, tenant: z.string().optional() })
  .meta({ id: 'Me', description: 'the caller: key id (`admin` for the bootstrap key, `portal` for a portal token), scope and tenant' });

export const messageSchema = z
  .object({ id: z.string(), type: z.string(), tenant: z.string(), timestamp: timestamp(), data: anyJson() })
  .meta({ id: 'Message' });
