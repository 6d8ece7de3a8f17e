/**
 * Reading a request body the documented way, before any schema sees it: size (413), content encoding
 * (gzip/deflate inflated within the limit, anything else 415), strict UTF-8 (400), content type (415)
 * and JSON syntax (400).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { HookpostError } from '../core/platform/errors.ts';

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
export function bodyText(bytes: Uint8Array, contentEncoding: string | undefined, maxBytes: number): string {
  const tooLarge = (size: string) => new HookpostError('payload_too_large', `body is ${size}; the limit is ${maxBytes} bytes`);
  const encoding = contentEncoding?.trim().toLowerCase();
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

/** Checks the content type (`application/json` or any `…+json`) and parses JSON text (400 on a syntax error). */
export function parseJson(contentType: string | undefined, text: string): unknown {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new HookpostError('unsupported_media_type', 'content-type must be application/json');
  }
  if (text.trim() === '') throw new HookpostError('malformed_request', 'body is empty; a JSON object is expected');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HookpostError('malformed_request', `body is not valid JSON: ${(error as Error).message}`);
  }
}
