/** Request schemas: the single source of truth for what the API accepts. */
import { z } from 'zod';

export const eventTypeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -');

export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

/** An event type pattern: an exact name, `prefix.*`, or `*`. */
export const eventTypePatternSchema = z
  .string()
  .regex(/^(\*|[A-Za-z0-9._:-]{1,126}\.\*|[A-Za-z0-9._:-]{1,128})$/, 'must be an event type name, "prefix.*" or "*"');

export const publishEventSchema = z.strictObject({
  type: eventTypeNameSchema,
  data: z.json(),
  tenant: tenantIdSchema.optional(),
});

export const MAX_BATCH_EVENTS = 100;

export const publishBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
});

export const eventTypeBodySchema = z.strictObject({
  description: z.string().max(1024).default(''),
  schema: z.record(z.string(), z.json()).optional(),
  example: z.json().optional(),
});

export const createEventTypeSchema = eventTypeBodySchema.extend({ type: eventTypeNameSchema });

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
  );

export const createSubscriptionSchema = z.strictObject({
  url: z.string().max(2048),
  eventTypes: z.array(eventTypePatternSchema).min(1).max(100),
  description: z.string().max(1024).default(''),
  headers: customHeadersSchema.default({}),
  enabled: z.boolean().default(true),
});

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const attemptsQuerySchema = listQuerySchema.extend({
  status: z.enum(['succeeded', 'failed']).optional(),
});

/** Turns a zod failure into the SPEC's `details` list. */
export function issuesToDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}
