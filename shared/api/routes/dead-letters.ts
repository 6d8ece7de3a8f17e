/** The dead-letter queue: a look at what is in it, and a redrive back to the events queue. */
import { HookpostError } from '../../core/errors.ts';
import { validateParam } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { listQuerySchema } from '../schemas.ts';

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

export const deadLetterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/dead-letters',
    access: 'admin',
    async handle({ req, services }) {
      const { limit } = validateParam(listQuerySchema, req.query, 'query');
      const peeked = await services.deadLetters.peek(Math.min(limit, 10));
      return jsonResponse(200, { ...peeked, items: peeked.items.map(shown) });
    },
  },
  {
    method: 'POST',
    path: '/v1/dead-letters/redrive',
    access: 'admin',
    async handle({ services }) {
      if (!services.deadLetters.redrive) throw new HookpostError('dependency_unavailable', 'this dead-letter queue cannot be redriven');
      // Each redriven delivery starts a fresh retry schedule (see parseQueueMessage).
      return jsonResponse(202, await services.deadLetters.redrive());
    },
  },
];
