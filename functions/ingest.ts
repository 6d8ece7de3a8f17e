/** POST /v1/events and /v1/events/batch behind API Gateway. */
import { apiGatewayHandler } from '#shared/adapters/lambda/api-gateway-handler.ts';
import { eventRoutes } from '#shared/api/routes/events.ts';

export const handler = apiGatewayHandler(eventRoutes);
