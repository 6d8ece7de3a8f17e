/** The dead-letter queue: a look at what is in it, and a redrive back to the events queue. */
import { ApiError, jsonResponse } from '../../core/errors.ts';
import { validateParam } from '../request.ts';
import type { Route } from '../router.ts';
import { listQuerySchema } from '../schemas.ts';

export const deadLetterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/dead-letters',
    access: 'admin',
    async handle({ req, runtime }) {
      const { limit } = validateParam(listQuerySchema, req.query, 'query');
      return jsonResponse(200, await runtime.deadLetters.peek(Math.min(limit, 10)));
    },
  },
  {
    method: 'POST',
    path: '/v1/dead-letters/redrive',
    access: 'admin',
    async handle({ runtime }) {
      if (!runtime.deadLetters.redrive) throw new ApiError('dependency_unavailable', 'this dead-letter queue cannot be redriven');
      // Each redriven delivery starts a fresh retry schedule (see parseQueueMessage).
      return jsonResponse(202, await runtime.deadLetters.redrive());
    },
  },
];
