/** The dead-letter queue: a look at what is in it, and a redrive back to the events queue. */
import { HookpostError } from '../../core/errors.ts';
import { validateParam } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { listQuerySchema } from '../schemas.ts';

export const deadLetterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/dead-letters',
    access: 'admin',
    async handle({ req, services }) {
      const { limit } = validateParam(listQuerySchema, req.query, 'query');
      return jsonResponse(200, await services.deadLetters.peek(Math.min(limit, 10)));
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
