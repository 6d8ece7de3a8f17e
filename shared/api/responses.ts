/** Responses: JSON bodies, and the one mapping from a core error to a status and the documented error body. */
import { type ErrorCode, type ErrorDetail, HookpostError } from '../core/errors.ts';
import type { ApiResponse } from './http.ts';

const STATUS: Record<ErrorCode, number> = {
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

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export const noContent = (): ApiResponse => ({ statusCode: 204, headers: {}, body: '' });

/** Anything that is not a HookpostError is a 500 without internals. */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof HookpostError) {
    return jsonResponse(STATUS[error.code], errorBody(error.code, error.message, error.details));
  }
  return jsonResponse(500, errorBody('internal_error', 'Internal error'));
}
