/** Producer routes: POST /v1/events and POST /v1/events/batch. */
import { ApiError, jsonResponse } from '../../errors.ts';
import type { Principal } from '../../http-api.ts';
import { PORTAL_KEY_ID } from '../../portal-tokens.ts';
import { publishBatch, publishOne, type IngestDeps } from '../../ingest.ts';
import type { Runtime } from '../../runtime.ts';
import { bodyText, parseJson, readJsonBody, validate } from '../request.ts';
import type { Route } from '../router.ts';
import { publishBatchSchema } from '../schemas.ts';

/** A batch carries up to 100 events; Lambda's 6 MB request limit bounds it anyway. */
const MAX_BATCH_BODY_BYTES = 6 * 1024 * 1024;

const ingestDeps = (runtime: Runtime): IngestDeps => ({
  eventType: runtime.cache.eventType,
  queue: runtime.queue,
  idempotency: runtime.idempotency,
  clock: runtime.clock,
  maxPayloadBytes: runtime.config.maxPayloadBytes,
});

/** A portal link's token manages endpoints; it never publishes. */
const refusePortal = (principal: Principal | undefined) => {
  if (principal?.keyId === PORTAL_KEY_ID) throw new ApiError('forbidden', 'a portal token may not publish events');
};

/** A tenant key publishes only to its own tenant. */
const tenantGuard = (principal: Principal | undefined) => (tenant: string) => {
  if (principal?.scope === 'tenant' && principal.tenant !== tenant) {
    throw new ApiError('forbidden', `this API key may not publish to tenant "${tenant}"`);
  }
};

export const eventRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/events',
    access: 'publish',
    async handle({ req, runtime, principal }) {
      refusePortal(principal);
      const text = bodyText(req, runtime.config.maxPayloadBytes);
      const input = parseJson(req, text);
      const key = req.headers['idempotency-key'];
      const result = await publishOne(
        ingestDeps(runtime),
        input,
        text,
        key === undefined ? undefined : { scope: principal?.keyId ?? 'anonymous', key },
        tenantGuard(principal),
      );
      return jsonResponse(result.statusCode, result.body, result.replayed ? { 'idempotent-replayed': 'true' } : {});
    },
  },
  {
    method: 'POST',
    path: '/v1/events/batch',
    access: 'publish',
    async handle({ req, runtime, principal }) {
      refusePortal(principal);
      const { events } = validate(publishBatchSchema, readJsonBody(req, MAX_BATCH_BODY_BYTES));
      const results = await publishBatch(ingestDeps(runtime), events, tenantGuard(principal));
      return jsonResponse(207, { results });
    },
  },
];
