/** One API Gateway Lambda handler for a group of routes: middy, Powertools, and the API app on Hono's Lambda adapter. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createApi } from '../../api/app.ts';
import type { ApiRoute } from '../../api/route.ts';
import type { Services } from '../../core/management/services.ts';
import { apiGatewayApp } from './api-gateway.ts';
import { logger, tracing } from './observability.ts';

export function apiGatewayHandler(routes: readonly ApiRoute[], services: Services) {
  const serve = apiGatewayApp(createApi(services, routes, { onUnexpectedError: (error) => logger.error('unexpected error', { error }) }) as never);
  return middy((event: APIGatewayProxyEventV2, context: Context) => serve(event, context))
    .use(injectLambdaContext(logger))
    .use(tracing());
}
