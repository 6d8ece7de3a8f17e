/** API Gateway HTTP API (payload 2.0) ⇄ the transport-neutral ApiRequest/ApiResponse. */
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { type ApiRequest, type ApiResponse, bodyFromBytes, type Principal } from '../../api/http.ts';

/** What the authorizer hands to the API functions (simple responses carry flat string context). */
export type AuthorizerContext = { keyId: string; scope: Principal['scope']; tenant?: string };
export type ApiGatewayEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export function fromApiGateway(event: ApiGatewayEvent): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  const raw = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    query,
    ...bodyFromBytes(Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8'), headers),
  };
}

export function principalFromEvent(event: ApiGatewayEvent): Principal | undefined {
  const context = event.requestContext.authorizer?.lambda;
  if (!context?.keyId) return undefined;
  return { keyId: context.keyId, scope: context.scope, ...(context.tenant ? { tenant: context.tenant } : {}) };
}

export const toApiGateway = (response: ApiResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: response.headers,
  body: response.body,
});

export function authorizerResult(
  principal: Principal | undefined,
): APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext> {
  if (!principal) return { isAuthorized: false, context: undefined as unknown as AuthorizerContext };
  return {
    isAuthorized: true,
    context: { keyId: principal.keyId, scope: principal.scope, ...(principal.tenant ? { tenant: principal.tenant } : {}) },
  };
}

export const authorizationHeader = (event: APIGatewayRequestAuthorizerEventV2): string | undefined =>
  event.headers?.authorization ?? event.headers?.Authorization;
