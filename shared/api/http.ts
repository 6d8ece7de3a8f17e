/** Transport-neutral request/response for the producer and management API (API Gateway or local server). */

export interface ApiRequest {
  method: string;
  /** Path without query string, e.g. `/v1/events`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Body text; '' when absent. For a content-encoded (e.g. gzip) body: its bytes in base64. */
  body: string;
  /** True when `body` is base64 of a content-encoded body, which the app inflates within its limit. */
  isBase64Encoded?: boolean;
}

const isContentEncoded = (headers: Record<string, string>): boolean => {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  return encoding !== undefined && encoding !== '' && encoding !== 'identity';
};

/** How an adapter hands over body bytes: text as is, a compressed body as base64 for the app to inflate. */
export function bodyFromBytes(bytes: Buffer, headers: Record<string, string>): Pick<ApiRequest, 'body' | 'isBase64Encoded'> {
  return isContentEncoded(headers) ? { body: bytes.toString('base64'), isBase64Encoded: true } : { body: bytes.toString('utf8') };
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
