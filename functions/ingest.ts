/** POST /v1/events and /v1/events/batch behind API Gateway; every request is authenticated here. */
import { apiGatewayHandler } from '#shared/adapters/lambda/api-gateway-handler.ts';
import { log, traced } from '#shared/adapters/lambda/observability.ts';
import { eventRoutes } from '#shared/api/events.ts';
import { settingsFromEnv } from '#shared/core/platform/settings.ts';
import { createServices } from '#shared/core/management/services.ts';
import { createRuntime } from '#shared/wiring.ts';

const { services } = createRuntime(settingsFromEnv(), createServices, { instrument: traced, log });

export const handler = apiGatewayHandler(eventRoutes, services);
