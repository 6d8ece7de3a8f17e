/** HTTP API Lambda authorizer (simple responses): Bearer key → principal in the request context. */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { authorizationHeader, authorizerResult } from '#shared/adapters/api-gateway.ts';
import { createAuthenticator } from '#shared/auth.ts';
import { configFromEnv } from '#shared/config.ts';

const authenticate = createAuthenticator({ config: configFromEnv() });

export const handler = async (event: APIGatewayRequestAuthorizerEventV2) =>
  authorizerResult(await authenticate(authorizationHeader(event)));
