/** Producer routes: POST /v1/events and POST /v1/events/batch. */
import { bodyText, parseJson, validate } from '../request.ts';
import { jsonResponse } from '../responses.ts';
import type { Route } from '../router.ts';
import { publishBatchSchema } from '../../core/inputs.ts';

/** A batch carries up to 100 events; Lambda's 6 MB request limit bounds it anyway. */
const MAX_BATCH_BODY_BYTES = 6 * 1024 * 1024;

export const eventRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/events',
    access: 'publish',
    async handle({ req, services, principal }) {
      const text = bodyText(req, services.maxPayloadBytes);
      const input = parseJson(req, text);
      const result = await services.publisher.one(input, text, principal, req.headers['idempotency-key']);
      return jsonResponse(result.statusCode, result.body, result.replayed ? { 'idempotent-replayed': 'true' } : {});
    },
  },
  {
    method: 'POST',
    path: '/v1/events/batch',
    access: 'publish',
    async handle({ req, services, principal }) {
      const text = bodyText(req, MAX_BATCH_BODY_BYTES);
      const { events } = validate(publishBatchSchema, parseJson(req, text));
      return jsonResponse(207, { results: await services.publisher.batch(events, principal, text) });
    },
  },
];
