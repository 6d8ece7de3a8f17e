/**
 * The errors the core raises, typed by what went wrong. The API maps each code to a status and the
 * documented error body (api/responses.ts); adapters turn SDK failures into `dependency_unavailable`
 * or `dependency_failed` so nothing above them needs to know AWS.
 */

export type ErrorCode =
  | 'malformed_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'throttled'
  | 'dependency_unavailable'
  | 'internal_error';

export const ERROR_CODES: readonly ErrorCode[] = [
  'malformed_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'throttled',
  'dependency_unavailable',
  'internal_error',
];

export interface ErrorDetail {
  path?: string;
  message: string;
}

export class HookpostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'HookpostError';
  }
}

/** A dependency (queue, table, key service) failed in a way worth retrying: throttled, timed out, down. */
export const dependencyUnavailable = (what: string, cause: string): HookpostError =>
  new HookpostError('dependency_unavailable', `${what} is unavailable; try again`, [{ message: cause }]);

/** A conditional write found the subscription changed (or gone) since it was read. */
export class SubscriptionChangedError extends Error {
  constructor() {
    super('the subscription changed since it was read');
    this.name = 'SubscriptionChangedError';
  }
}
