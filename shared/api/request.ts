/** Reading a request: JSON body checks (413/415/400) and zod validation (422), mapped to ApiErrors. */
import { gunzipSync, inflateSync } from 'node:zlib';
import type * as z from 'zod';
import { HookpostError } from '../core/errors.ts';
import { type ApiRequest, isWellFormedText, utf8Text } from './http.ts';
import { issuesToDetails } from '../core/inputs.ts';

/** Text from body bytes, or 400: a byte that is not UTF-8 is refused, never read as U+FFFD. */
function strictText(bytes: Uint8Array): string {
  const text = utf8Text(bytes);
  if (text === undefined) throw new HookpostError('malformed_request', 'body is not valid UTF-8');
  return text;
}

/**
 * The body as text: a gzip/deflate body is inflated, never past `maxBytes` (a zip bomb stops there);
 * bytes (sent or inflated) that are not valid UTF-8 are 400 `malformed_request`.
 */
export function bodyText(req: ApiRequest, maxBytes: number): string {
  const tooLarge = (size: string) => new HookpostError('payload_too_large', `body is ${size}; the limit is ${maxBytes} bytes`);
  if (!req.isBase64Encoded) {
    const size = Buffer.byteLength(req.body, 'utf8');
    if (size > maxBytes) throw tooLarge(`${size} bytes`);
    if (!isWellFormedText(req.body)) throw new HookpostError('malformed_request', 'body is not valid UTF-8');
    return req.body;
  }
  const bytes = Buffer.from(req.body, 'base64');
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') {
    if (bytes.length > maxBytes) throw tooLarge(`${bytes.length} bytes`);
    return strictText(bytes);
  }
  const inflate = encoding === 'gzip' ? gunzipSync : encoding === 'deflate' ? inflateSync : undefined;
  if (!inflate) throw new HookpostError('unsupported_media_type', `content-encoding "${encoding}" is not supported; use gzip, deflate or none`);
  let inflated: Buffer;
  try {
    inflated = inflate(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('larger once inflated');
    throw new HookpostError('malformed_request', `body is not valid ${encoding} data`);
  }
  return strictText(inflated);
}

export function readJsonBody(req: ApiRequest, maxBytes: number): unknown {
  return parseJson(req, bodyText(req, maxBytes));
}

/** Checks the content type and parses JSON text (400 on a syntax error). */
export function parseJson(req: ApiRequest, text: string): unknown {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new HookpostError('unsupported_media_type', 'content-type must be application/json');
  }
  if (text.trim() === '') throw new HookpostError('malformed_request', 'body is empty; a JSON object is expected');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HookpostError('malformed_request', `body is not valid JSON: ${(error as Error).message}`);
  }
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HookpostError('validation_failed', `${what} is invalid`, issuesToDetails(result.error));
  }
  return result.data;
}

/** Path parameters and query strings are validated like bodies, but a bad one is a 400 or 404, not 422. */
export function validateParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HookpostError('malformed_request', `${name} is invalid`, issuesToDetails(result.error));
  }
  return result.data;
}
