/** The one mapping from a core error to a status and the documented error body `{"error":{code,message,details}}`. */
import * as z from 'zod';
import { ERROR_CODES, type ErrorCode, type ErrorDetail, HookpostError } from '../core/platform/errors.ts';

export const STATUS: Record<ErrorCode, number> = {
  malformed_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  throttled: 429,
  dependency_unavailable: 503,
  internal_error: 500,
};

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}

/** A HookpostError as a JSON response; anything else is a 500 without internals. */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): Response {
  const [status, body] =
    error instanceof HookpostError
      ? [STATUS[error.code], errorBody(error.code, error.message, error.details)]
      : [500, errorBody('internal_error', 'Internal error')];
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
