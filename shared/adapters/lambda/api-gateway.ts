/** API Gateway HTTP API (payload 2.0) ⇄ the transport-neutral ApiRequest/ApiResponse. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ApiRequest, type ApiResponse, bodyFromBytes } from '../../api/http.ts';

export function fromApiGateway(event: APIGatewayProxyEventV2): ApiRequest {
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

export const toApiGateway = (response: ApiResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: response.headers,
  body: response.body,
});
