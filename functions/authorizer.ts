/**
 * HTTP API Lambda authorizer (simple responses): Bearer key → principal in the request context.
 * Stored keys are read from the table (one GetItem by hash) and decisions cached briefly in the container;
 * API Gateway caches the authorizer's answer per Authorization header too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { authorizationHeader, authorizerResult } from '#shared/adapters/lambda/api-gateway.ts';
import { createAuthenticator } from '#shared/core/auth.ts';
import { configFromEnv } from '#shared/core/settings.ts';
import { traced } from '#shared/adapters/lambda/observability.ts';
import { DynamoApiKeyStore } from '#shared/adapters/aws/dynamodb-api-keys.ts';

const config = configFromEnv();
const db = DynamoDBDocumentClient.from(
  traced(
    new DynamoDBClient({
      region: config.region,
      // Local mode only (DynamoDB Local); unset on AWS.
      ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    }),
  ),
);
const authenticate = createAuthenticator({ config, apiKeys: new DynamoApiKeyStore(db, config.tableName) });

export const handler = async (event: APIGatewayRequestAuthorizerEventV2) =>
  authorizerResult(await authenticate(authorizationHeader(event)));
