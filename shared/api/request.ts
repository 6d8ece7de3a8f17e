/** Reading a request: JSON body checks (413/415/400) and zod validation (422), mapped to ApiErrors. */
import type { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { ApiRequest } from '../http-api.ts';
import { issuesToDetails } from './schemas.ts';

export function readJsonBody(req: ApiRequest, maxBytes: number): unknown {
  const size = Buffer.byteLength(req.body, 'utf8');
  if (size > maxBytes) {
    throw new ApiError('payload_too_large', `body is ${size} bytes; the limit is ${maxBytes}`);
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new ApiError('unsupported_media_type', 'content-type must be application/json');
  }
  if (req.body.trim() === '') throw new ApiError('malformed_request', 'body is empty; a JSON object is expected');
  try {
    return JSON.parse(req.body);
  } catch (error) {
    throw new ApiError('malformed_request', `body is not valid JSON: ${(error as Error).message}`);
  }
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError('validation_failed', `${what} is invalid`, issuesToDetails(result.error));
  }
  return result.data;
}

/** Path parameters and query strings are validated like bodies, but a bad one is a 400 or 404, not 422. */
export function validateParam<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError('malformed_request', `${name} is invalid`, issuesToDetails(result.error));
  }
  return result.data;
}
