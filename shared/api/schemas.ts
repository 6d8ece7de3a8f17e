/**
 * Request and response schemas: the single source of truth for what the API accepts and answers.
 * The OpenAPI document (shared/api/openapi.ts) is generated from these same schemas; `.meta()` here
 * is plain zod, so the ingest function does not load zod-openapi.
 */
import * as z from 'zod';
import type { ApiKeyView } from '../core/api-keys.ts';
import type { MessageView, Stats } from '../core/deliveries.ts';
import type { Attempt, EventType } from '../core/domain.ts';
import { ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import { filterProblems } from '../core/filter.ts';
import type { Accepted } from '../core/ingest.ts';
import type { RedriveResult } from '../core/ports.ts';
import type { SubscriptionView } from '../core/subscriptions.ts';
import { anyJson, eventTypeNameSchema, eventTypePatternSchema, tenantIdSchema } from '../core/inputs.ts';

export {
  eventTypeNameSchema,
  eventTypePatternSchema,
  issuesToDetails,
  publishBatchSchema,
  publishEventSchema,
  tenantIdSchema,
} from '../core/inputs.ts';

export const eventTypeBodySchema = z
  .strictObject({
    description: z.string().max(1024).default(''),
    /** A JSON Schema (draft 2020-12 by default) that published `data` must satisfy; checked with ajv at PUT time. */
    schema: z.record(z.string(), anyJson()).optional().meta({ description: 'JSON Schema that published data must satisfy' }),
    example: anyJson().optional().meta({ description: 'example payload, sent by "Send Test Event"' }),
  })
  .meta({ id: 'EventTypeBody' });

export const createEventTypeSchema = eventTypeBodySchema.extend({ type: eventTypeNameSchema }).meta({ id: 'CreateEventType' });

/**
 * Headers a subscription may not set: the protocol's own, and hop-by-hop or misleading ones that the
 * sender would drop or that would make the request lie about its body (`content-encoding`).
 */
const FORBIDDEN_HEADER =
  /^(webhook-.*|content-type|content-length|content-encoding|user-agent|host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|expect|proxy-.*)$/i;

/** What an HTTP/1.1 header value can carry: tab, visible ASCII, space and Latin-1 (no controls, nothing past U+00FF). */
const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const customHeadersSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'header names must be HTTP tokens of at most 64 characters'),
    z
      .string()
      .max(1024)
      .regex(SENDABLE_HEADER_VALUE, 'header values may contain only tab, visible ASCII, space and Latin-1 characters (no control characters)'),
  )
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 custom headers')
  .refine(
    (headers) => Object.keys(headers).every((name) => !FORBIDDEN_HEADER.test(name)),
    'custom headers may not set webhook-*, content-type, content-length, content-encoding, user-agent, host, connection, keep-alive, transfer-encoding, te, trailer, upgrade, expect or proxy-*',
  )
  .meta({ description: 'extra headers sent with every delivery', example: { 'x-customer': 'acme' } });

const subscriptionUrlSchema = z.string().max(2048).meta({ example: 'https://example.com/webhooks' });
const subscriptionEventTypesSchema = z.array(eventTypePatternSchema).min(1).max(100).meta({ example: ['User.Created', 'site.*'] });

/** A payload filter (core/filter.ts); its problems are reported at their path under `filter`. */
const filterSchema = z
  .record(z.string(), anyJson())
  .superRefine((filter, ctx) => {
    for (const problem of filterProblems(filter)) {
      ctx.addIssue({ code: 'custom', path: (problem.path ?? 'filter').split('.').slice(1), message: problem.message });
    }
  })
  .meta({
    description: 'only bodies {type, timestamp, data} that match are delivered: values mean equality, objects descend, operators $eq $neq $in $nin $gt $gte $lt $lte $exists $startsWith, combinators $and $or $not; at most 4 KiB and 8 levels',
    example: { data: { amount: { $gte: 100 }, country: { $in: ['DE', 'FR'] } } },
  });
const retryScheduleSchema = z
  .array(z.number().int().min(1).max(86_400))
  .min(1)
  .max(20)
  .meta({ description: "this endpoint's waits (seconds) before each retry, instead of the global schedule", example: [10, 60, 600] });
const timeoutMsSchema = z.number().int().min(1_000).max(30_000).meta({ description: "this endpoint's attempt deadline (ms)" });
const rateLimitSchema = z
  .number()
  .int()
  .min(1)
  .max(1_000)
  .meta({ description: 'at most this many deliveries per second to this endpoint, across every consumer; the rest wait (no attempt is spent)', example: 5 });
const orderingSchema = z
  .enum(['none', 'fifo'])
  .meta({ description: 'none (default): in parallel; fifo: one at a time in publish order, a failing event holds the ones behind it until it succeeds or is dead-lettered' });
export const signingAlgorithmSchema = z
  .enum(['hmac-sha256', 'ed25519'])
  .meta({ description: 'hmac-sha256 (whsec_ secret, v1 signatures) or ed25519 (Hookpost keeps the whsk_ key; you get the whpk_ public key; v1a signatures)' });

export const createSubscriptionSchema = z
  .strictObject({
    url: subscriptionUrlSchema,
    eventTypes: subscriptionEventTypesSchema,
    description: z.string().max(1024).default(''),
    headers: customHeadersSchema.default({}),
    enabled: z.boolean().default(true),
    filter: filterSchema.optional(),
    retrySchedule: retryScheduleSchema.optional(),
    timeoutMs: timeoutMsSchema.optional(),
    signingAlgorithm: signingAlgorithmSchema.optional(),
    rateLimit: rateLimitSchema.optional(),
    ordering: orderingSchema.optional(),
  })
  .meta({ id: 'CreateSubscription' });

/** PATCH: every field optional, at least one present; `null` takes an endpoint's own filter, schedule or deadline away. */
export const patchSubscriptionSchema = z
  .strictObject({
    url: subscriptionUrlSchema.optional(),
    eventTypes: subscriptionEventTypesSchema.optional(),
    description: z.string().max(1024).optional(),
    headers: customHeadersSchema.optional(),
    enabled: z.boolean().optional(),
    filter: filterSchema.nullable().optional(),
    retrySchedule: retryScheduleSchema.nullable().optional(),
    timeoutMs: timeoutMsSchema.nullable().optional(),
    rateLimit: rateLimitSchema.nullable().optional(),
    ordering: orderingSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one of url, eventTypes, description, headers, enabled, filter, retrySchedule, timeoutMs, rateLimit, ordering')
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
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

const timestamp = () => z.string().meta({ format: 'date-time' });

/**
 * A response schema shows a core type: the same fields, and what it describes fits the type. A field
 * added to one and not the other fails the typecheck (see the `Shows` lines below each schema).
 */
type SameShape<Schema extends z.ZodType, T> = [keyof z.output<Schema>] extends [keyof T]
  ? [keyof T] extends [keyof z.output<Schema>]
    ? [z.output<Schema>] extends [T]
      ? true
      : false
    : false
  : false;
type Shows<Schema extends z.ZodType, T> = SameShape<Schema, T> extends true ? true : never;

export const healthSchema = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });

export const acceptedSchema = z
  .object({ id: z.string().meta({ example: 'msg_01JD7S0000000000000000000' }), type: z.string(), tenant: z.string(), timestamp: timestamp() })
  .meta({ id: 'Accepted' });
export const acceptedShowsCore: Shows<typeof acceptedSchema, Accepted> = true;

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
    builtIn: z.boolean().optional().meta({ description: "true for Hookpost's own operational event types, which cannot be changed or deleted" }),
  })
  .meta({ id: 'EventType' });
export const eventTypeShowsCore: Shows<typeof eventTypeSchema, EventType> = true;

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
    disabledReason: z.string().optional().meta({ description: 'why it was disabled automatically (410, failing too long)' }),
    failingSince: timestamp().optional().meta({ description: 'start of the current run of failures; cleared by a success' }),
    slowUntil: timestamp()
      .optional()
      .meta({
        description:
          'until when deliveries to this endpoint go through the slow lane (set when an attempt timed out or was slow; cleared by a prompt success)',
      }),
    filter: z.record(z.string(), anyJson()).optional(),
    retrySchedule: z.array(z.number().int()).optional(),
    timeoutMs: z.number().int().optional(),
    signingAlgorithm: signingAlgorithmSchema.optional().meta({ description: 'absent: hmac-sha256' }),
    rateLimit: z.number().int().optional().meta({ description: 'deliveries per second at most; absent: unlimited' }),
    ordering: z.literal('fifo').optional().meta({ description: 'fifo: one at a time in publish order; absent: none' }),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  })
  .meta({ id: 'Subscription' });
export const subscriptionShowsCore: Shows<typeof subscriptionSchema, SubscriptionView> = true;

export const createdSubscriptionSchema = subscriptionSchema
  .extend({
    secret: z.string().optional().meta({ description: 'HMAC signing secret, whsec_… (hmac-sha256 endpoints)' }),
    publicKey: z.string().optional().meta({ description: 'ed25519 public key, whpk_… (ed25519 endpoints; the signing key never leaves Hookpost)' }),
  })
  .meta({ id: 'CreatedSubscription' });

export const subscriptionPageSchema = z
  .object({ items: z.array(subscriptionSchema), nextCursor: z.string().optional() })
  .meta({ id: 'SubscriptionPage' });

export const secretSchema = z
  .object({
    secret: z.string().optional().meta({ example: 'whsec_…', description: 'hmac-sha256 endpoints' }),
    publicKey: z.string().optional().meta({ example: 'whpk_…', description: 'ed25519 endpoints' }),
  })
  .meta({ id: 'Secret' });

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
    lane: z
      .enum(['slow'])
      .optional()
      .meta({ description: 'slow: made by the slow-lane consumer, because the endpoint had recently timed out or been slow' }),
  })
  .meta({ id: 'Attempt' });
export const attemptShowsCore: Shows<typeof attemptSchema, Attempt> = true;

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
export const statsShowsCore: Shows<typeof statsSchema, Stats> = true;

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
export const redriveShowsCore: Shows<typeof redriveResultSchema, { mode: RedriveResult['mode']; taskHandle?: string; moved?: number }> = true;

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
  .object({
    id: z.string(),
    type: z.string(),
    tenant: z.string(),
    timestamp: timestamp(),
    data: anyJson().meta({ description: 'the data, parsed (numbers past 2^53 may lose digits here)' }),
    dataJson: z.string().meta({ description: "the data's JSON text exactly as published and delivered" }),
  })
  .meta({ id: 'Message' });
export const messageShowsCore: Shows<typeof messageSchema, MessageView> = true;
