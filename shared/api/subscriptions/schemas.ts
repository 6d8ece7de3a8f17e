/** A tenant's endpoints: what a subscription accepts and shows, its attempts, stats and recovery. */
import * as z from 'zod';
import type { MessageView, Stats } from '../../core/management/deliveries.ts';
import type { Attempt } from '../../core/platform/domain.ts';
import { filterProblems } from '../../core/engine/index.ts';
import { anyJson, eventTypeNameSchema, eventTypePatternSchema, tenantIdSchema } from '../../core/management/inputs.ts';
import type { SubscriptionView } from '../../core/management/subscriptions.ts';
import { listQuerySchema, type Shows, timestamp } from '../common.ts';

export const subscriptionParams = z.object({ tenant: tenantIdSchema, id: z.string() });

/* ---------- requests ---------- */

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

/** A payload filter (core/engine/filter.ts); its problems are reported at their path under `filter`. */
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

export const attemptsQuerySchema = listQuerySchema.extend({
  status: z.enum(['succeeded', 'failed']).optional(),
});

export const redeliverQuerySchema = z.object({
  subscription: z.string().max(64).optional().meta({ description: 'only this subscription (default: every enabled one that wants the type)' }),
});

/* ---------- responses ---------- */

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
