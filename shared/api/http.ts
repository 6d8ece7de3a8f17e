/** Transport-neutral request/response for the producer and management API (API Gateway or local server). */

export interface ApiRequest {
  method: string;
  /** Path without query string, e.g. `/v1/events`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /**
   * Body text; '' when absent. For a content-encoded (e.g. gzip) body, or one whose bytes are not
   * valid UTF-8: its bytes in base64 (the app inflates the one within its limit and refuses the other).
   */
  body: string;
  /** True when `body` is base64 of the body's bytes (as API Gateway hands over a body it does not take for text). */
  isBase64Encoded?: boolean;
}

const isContentEncoded = (headers: Record<string, string>): boolean => {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  return encoding !== undefined && encoding !== '' && encoding !== 'identity';
};

/** Strict UTF-8: an invalid byte is an error, not U+FFFD; a leading BOM is kept (it is part of the text, and not JSON). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text, or undefined when they are not valid UTF-8 (never a replacement character for a bad byte). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** False for text holding a lone surrogate: no UTF-8 bytes spell it, so it did not arrive as valid UTF-8. */
export const isWellFormedText = (text: string): boolean => !LONE_SURROGATE.test(text);

/**
 * How an adapter hands over body bytes: valid UTF-8 text as is; a compressed body, or bytes that are
 * not valid UTF-8, as base64 (the app inflates the one and refuses the other with 400, never rewriting a byte).
 */
export function bodyFromBytes(bytes: Buffer, headers: Record<string, string>): Pick<ApiRequest, 'body' | 'isBase64Encoded'> {
  const text = isContentEncoded(headers) ? undefined : utf8Text(bytes);
  return text === undefined ? { body: bytes.toString('base64'), isBase64Encoded: true } : { body: text };
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
