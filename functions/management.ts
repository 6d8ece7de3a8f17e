/** Every management route (and GET /v1/health) behind API Gateway. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { fromApiGateway, principalFromEvent, toApiGateway, type ApiGatewayEvent } from '#shared/adapters/api-gateway.ts';
import { createApiHandler } from '#shared/api/app.ts';
import { managementRoutes } from '#shared/api/routes/management.ts';
import { configFromEnv } from '#shared/config.ts';
import { logger, traced, tracer } from '#shared/observability.ts';
import { createRuntime } from '#shared/runtime.ts';

const api = createApiHandler(createRuntime(configFromEnv(), { instrument: traced }), managementRoutes, {
  onUnexpectedError: (error) => logger.error('unexpected error', { error }),
});

export const handler = middy(async (event: ApiGatewayEvent) =>
  toApiGateway(await api(fromApiGateway(event), principalFromEvent(event))),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
