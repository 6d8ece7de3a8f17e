/**
 * What the core itself validates, as zod schemas: the names and ids every part shares and the shape of
 * a published event (checked per item, so one bad batch item never fails the others). The API's
 * request schemas (api/schemas.ts) are built from these. `.meta()` is plain zod (no zod-openapi here).
 */
import * as z from 'zod';
import type { ErrorDetail } from '../platform/errors.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan, textNestsDeeperThan } from '../platform/json-text.ts';

/**
 * Any JSON value (recursive): z.json(), spelled out so that it refers to itself by name, and the
 * OpenAPI document shows one self-referencing component (the generator cannot follow z.json()'s own cycle).
 */
const anyJsonSchema: z.ZodType<z.core.util.JSONType> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(anyJsonSchema), z.record(z.string(), anyJsonSchema)]))
  .meta({ id: 'AnyJson', description: 'any JSON value' });
export const anyJson = () => anyJsonSchema;

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

/**
 * A published event's `data`: a JSON object, the Standard Webhooks payload shape. Its members come
 * from JSON.parse, so they are not walked again: z.json() would recurse, and would refuse the Infinity
 * that `1e400` parses to although the text is delivered as published. Depth is checked first (depthDetails).
 */
export const eventDataSchema = z
  .record(z.string(), z.unknown().meta({ description: 'any JSON value' }))
  .meta({ description: 'a JSON object', example: { id: 'u_1', email: 'ada@example.com' } });

export const publishEventSchema = z
  .strictObject({
    type: eventTypeNameSchema,
    data: eventDataSchema,
    tenant: tenantIdSchema.optional(),
  })
  .meta({ id: 'PublishEvent' });

export const MAX_BATCH_EVENTS = 100;

/**
 * POST /v1/events/batch. Here with the event's own schema rather than with the API's (api/schemas.ts),
 * so the ingest function, which serves only the two publish routes, never builds the management API's schemas.
 */
export const publishBatchSchema = z
  .strictObject({
    events: z.array(z.unknown().meta({ description: 'a PublishEvent; each is validated on its own' })).min(1).max(MAX_BATCH_EVENTS),
  })
  .meta({ id: 'PublishBatch' });

/** Turns a zod failure into the error body's `details` list. */
export function issuesToDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/**
 * The members of `input` (a parsed body) that nest deeper than MAX_JSON_DEPTH, as error details.
 * Checked without recursion before any recursive validator (zod's z.json(), ajv) sees the value.
 */
export function depthDetails(input: unknown, members: readonly string[]): ErrorDetail[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
  return members
    .filter((member) => nestsDeeperThan((input as Record<string, unknown>)[member], MAX_JSON_DEPTH))
    .map(tooDeep);
}

const tooDeep = (path: string): ErrorDetail => ({ path, message: `nests deeper than ${MAX_JSON_DEPTH} levels (the limit)` });

/** The same for a member's text as delivered (a repeated key JSON.parse dropped still counts). */
export const textDepthDetails = (text: string, path: string): ErrorDetail[] =>
  textNestsDeeperThan(text, MAX_JSON_DEPTH) ? [tooDeep(path)] : [];

/**
 * The `__proto__` keys in the members of `input` (a parsed body) that are stored as objects (custom
 * headers, a filter, an event type's schema and example), as error details. JSON.parse keeps such a
 * key as an ordinary member, but validation (zod), copies by assignment and the store's marshaller
 * read it as the object's prototype and drop it: `{"filter":{"__proto__":{…}}}` would be stored as
 * `{}`. It is refused (422) rather than rewritten; every other key is stored as sent. Iterative.
 */
export function prototypeKeyDetails(input: unknown, members: readonly string[]): ErrorDetail[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
  const details: ErrorDetail[] = [];
  const stack: [unknown, string][] = members
    .filter((member) => Object.hasOwn(input, member))
    .map((member) => [(input as Record<string, unknown>)[member], member]);
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (key === '__proto__') details.push({ path: at, message: '"__proto__" cannot be a key here (it is refused rather than stored, as JavaScript reads it as the object\'s prototype)' });
      stack.push([child, at]);
    }
  }
  return details;
}
