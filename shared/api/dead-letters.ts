/** The dead-letter queue: a look at what is in it, and a redrive back to the events queue. Admin only. */
import * as z from 'zod';
import { HookpostError } from '../core/platform/errors.ts';
import type { RedriveResult } from '../core/platform/ports.ts';
import { listQuerySchema, type Shows } from './common.ts';
import { createRoute, defineRoute, errors, ok } from './route.ts';

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


type Letter = { message?: { message?: { dataJson?: unknown } } };

/**
 * A dead letter as shown: the event's `data` parsed, next to `dataJson`, its exact text (what is
 * delivered; numbers past 2^53 are exact only there). Raw poison bodies are shown as they are.
 */
function shown(item: unknown): unknown {
  const letter = item as Letter;
  const event = letter?.message?.message;
  if (typeof event?.dataJson !== 'string') return item;
  try {
    return { ...letter, message: { ...letter.message, message: { ...event, data: JSON.parse(event.dataJson) } } };
  } catch {
    return item;
  }
}

const tags = ['dead letters'];

export const deadLetterRoutes = [
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'get',
      path: '/v1/dead-letters',
      summary: 'A look at the dead-letter queue (up to 10)',
      tags,
      request: { query: listQuerySchema.pick({ limit: true }) },
      responses: { 200: ok('Dead letters', deadLettersSchema), ...errors(400) },
    }),
    async handler(c) {
      const peeked = await c.var.services.deadLetters.peek(Math.min(c.req.valid('query').limit, 10));
      return c.json({ ...peeked, items: peeked.items.map(shown) }, 200);
    },
  }),
  defineRoute({
    access: 'admin',
    route: createRoute({
      method: 'post',
      path: '/v1/dead-letters/redrive',
      summary: 'Move every dead letter back to the events queue (fresh retry schedule)',
      tags,
      responses: { 202: ok('Started (AWS) or done (local)', redriveResultSchema) },
    }),
    async handler(c) {
      const { deadLetters } = c.var.services;
      if (!deadLetters.redrive) throw new HookpostError('dependency_unavailable', 'this dead-letter queue cannot be redriven');
      // Each redriven delivery starts a fresh retry schedule (see parseQueueMessage).
      return c.json(await deadLetters.redrive(), 202);
    },
  }),
];
