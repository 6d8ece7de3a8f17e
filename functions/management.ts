/** Every management route (and GET /v1/health) behind API Gateway. */
import { apiGatewayHandler } from '#shared/adapters/lambda/api-gateway-handler.ts';
import { managementRoutes } from '#shared/api/routes/management.ts';
import { httpSenderFor } from '#shared/adapters/http/sender.ts';

// Management sends test events, so it carries the HTTP sender; ingest does not.
export const handler = apiGatewayHandler(managementRoutes, { httpSender: httpSenderFor });
