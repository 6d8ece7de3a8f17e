/** One API Gateway Lambda handler for a group of routes: middy, Powertools, and the API core. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiHandler } from '../../api/app.ts';
import type { Route } from '../../api/router.ts';
import type { Services } from '../../core/services.ts';
import { fromApiGateway, toApiGateway } from './api-gateway.ts';
import { logger, tracing } from './observability.ts';

export function apiGatewayHandler(routes: Route[], services: Services) {
  const api = createApiHandler(services, routes, {
    onUnexpectedError: (error) => logger.error('unexpected error', { error }),
  });
  return (
    middy(async (event: APIGatewayProxyEventV2) => toApiGateway(await api(fromApiGateway(event))))
      .use(injectLambdaContext(logger))
      .use(tracing())
  );
}
