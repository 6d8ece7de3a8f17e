/** Errors a client causes, typed, and mapped to the SPEC's error body in one place. */
import type { ApiResponse } from '../api/http.ts';

export type ErrorCode =
  | 'malformed_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'throttled'
  | 'dependency_unavailable'
  | 'internal_error';

const STATUS: Record<ErrorCode, number> = {
  malformed_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  throttled: 429,
  dependency_unavailable: 503,
  internal_error: 500,
};

export interface ErrorDetail {
  path?: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS[code];
  }
}

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The one mapping from an error to a response; anything untyped is a 500 without internals. */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ApiError) {
    return jsonResponse(error.status, errorBody(error.code, error.message, error.details));
  }
  return jsonResponse(500, errorBody('internal_error', 'Internal error'));
}
