/** One API Gateway Lambda handler for a group of routes: middy, Powertools, and the shared API core. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { createApiHandler } from '../../api/app.ts';
import type { Route } from '../../api/router.ts';
import { configFromEnv } from '../../core/settings.ts';
import { logger, traced, tracer } from './observability.ts';
import { createRuntime, type RuntimeOptions } from '../../wiring.ts';
import { fromApiGateway, principalFromEvent, toApiGateway, type ApiGatewayEvent } from './api-gateway.ts';

export function apiGatewayHandler(routes: Route[], runtimeOptions: Omit<RuntimeOptions, 'instrument'> = {}) {
  const api = createApiHandler(createRuntime(configFromEnv(), { ...runtimeOptions, instrument: traced }), routes, {
    onUnexpectedError: (error) => logger.error('unexpected error', { error }),
  });
  return middy(async (event: ApiGatewayEvent) => toApiGateway(await api(fromApiGateway(event), principalFromEvent(event))))
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer));
}
