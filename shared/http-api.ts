/** Transport-neutral request/response for the producer and management API (API Gateway or local server). */

export interface ApiRequest {
  method: string;
  /** Path without query string, e.g. `/v1/events`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Body as received (already base64-decoded by the adapter); '' when absent. */
  body: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Who is calling, as decided by the authorizer. */
export interface Principal {
  keyId: string;
  scope: 'admin' | 'publish' | 'tenant';
  tenant?: string;
}
