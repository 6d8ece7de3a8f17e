/** Every management route (and GET /v1/health) behind API Gateway. */
import { apiGatewayHandler } from '#shared/adapters/api-gateway-handler.ts';
import { managementRoutes } from '#shared/api/routes/management.ts';

export const handler = apiGatewayHandler(managementRoutes);
