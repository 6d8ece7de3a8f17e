/** Every management route (and GET /v1/health) behind API Gateway; every request is authenticated here. */
import { senderOnFirstUse } from '#shared/adapters/http/sender-on-first-use.ts';
import { apiGatewayHandler } from '#shared/adapters/lambda/api-gateway-handler.ts';
import { log, traced } from '#shared/adapters/lambda/observability.ts';
import { managementRoutes } from '#shared/api/routes.ts';
import { settingsFromEnv } from '#shared/core/platform/settings.ts';
import { createServices } from '#shared/core/management/services.ts';
import { createRuntime } from '#shared/wiring.ts';

// Management sends test events, so it carries the HTTP sender (ingest does not), loaded on the first one.
const httpSender = senderOnFirstUse(async () => (await import('#shared/adapters/http/sender.ts')).httpSenderFor);
const { services } = createRuntime(settingsFromEnv(), createServices, { instrument: traced, log, httpSender });

export const handler = apiGatewayHandler(managementRoutes, services);
