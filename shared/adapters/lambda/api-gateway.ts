/** API Gateway HTTP API (payload 2.0) ⇄ the transport-neutral ApiRequest/ApiResponse. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ApiRequest, type ApiResponse, bodyFromBytes, isWellFormedText } from '../../api/http.ts';

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
    // A body API Gateway hands over as base64 is its bytes: bodyFromBytes decodes them strictly. Text
    // with a lone surrogate stays text for the app to refuse (re-encoding it would make it U+FFFD).
    ...(event.isBase64Encoded || isWellFormedText(raw)
      ? bodyFromBytes(Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8'), headers)
      : { body: raw }),
  };
}

export const toApiGateway = (response: ApiResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: response.headers,
  body: response.body,
});
