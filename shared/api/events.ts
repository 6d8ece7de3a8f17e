/** Producer routes: POST /v1/events and POST /v1/events/batch (the ingest function serves these alone). */
import * as z from 'zod';
import type { Accepted } from '../core/management/ingest.ts';
import { publishBatchSchema, publishEventSchema } from '../core/management/inputs.ts';
import { timestamp, type Shows } from './common.ts';
import { errorSchema } from './errors.ts';
import { createRoute, defineRoute, errors, json, ok } from './route.ts';

/** A batch carries up to 100 events; Lambda's 6 MB request limit bounds it anyway. */
const MAX_BATCH_BODY_BYTES = 6 * 1024 * 1024;

export const acceptedSchema = z
  .object({ id: z.string().meta({ example: 'msg_01JD7S0000000000000000000' }), type: z.string(), tenant: z.string(), timestamp: timestamp() })
  .meta({ id: 'Accepted' });
export const acceptedShowsCore: Shows<typeof acceptedSchema, Accepted> = true;

export const batchResultSchema = z.object({ results: z.array(z.union([acceptedSchema, errorSchema])) }).meta({ id: 'BatchResult' });

export const eventRoutes = [
  defineRoute({
    access: 'publish',
    route: createRoute({
      method: 'post',
      path: '/v1/events',
      summary: 'Publish an event',
      tags: ['events'],
      request: {
        body: { required: true, ...json(publishEventSchema) },
        headers: z.object({ 'Idempotency-Key': z.string().optional().meta({ description: 'same key + same body within 24 h: first response replayed' }) }),
      },
      responses: { 202: ok('Queued', acceptedSchema), ...errors(400, 409, 413, 415, 422) },
    }),
    // The publisher validates the event itself, against the text as sent (idempotency compares it).
    body: { maxBytes: (services) => services.maxPayloadBytes, validate: false },
    async handler(c) {
      const result = await c.var.services.publisher.one(c.var.body, c.var.bodyText, c.var.principal, c.req.header('idempotency-key'));
      return c.json(result.body as never, result.statusCode as 202, result.replayed ? { 'idempotent-replayed': 'true' } : {});
    },
  }),
  defineRoute({
    access: 'publish',
    route: createRoute({
      method: 'post',
      path: '/v1/events/batch',
      summary: 'Publish up to 100 events, each on its own',
      tags: ['events'],
      request: { body: { required: true, ...json(publishBatchSchema) } },
      responses: { 207: ok('One result per event, in order', batchResultSchema), ...errors(400, 413, 415, 422) },
    }),
    body: { maxBytes: MAX_BATCH_BODY_BYTES },
    async handler(c) {
      const { events } = c.req.valid('json');
      return c.json({ results: await c.var.services.publisher.batch(events, c.var.principal, c.var.bodyText) }, 207);
    },
  }),
];
