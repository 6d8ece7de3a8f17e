/** The API as one function: route, authorize, run, and map every error to the SPEC's shape. */
import { ApiError, errorResponse } from '../core/errors.ts';
import type { ApiRequest, ApiResponse, Principal } from './http.ts';
import type { Runtime } from '../wiring.ts';
import { compile, match, mayCall, type Route } from './router.ts';

export type ApiHandler = (req: ApiRequest, principal: Principal | undefined) => Promise<ApiResponse>;

export interface ApiHandlerOptions {
  /** Called with anything that is not a client error (it becomes a 500 or a 503). */
  onUnexpectedError?: (error: unknown) => void;
}

/** AWS SDK errors (throttling, service down, network) mean a dependency failed: 503, not 500. */
function asDependencyFailure(error: unknown): ApiError | undefined {
  const sdk = error as { $metadata?: unknown; name?: string; code?: string } | undefined;
  if (sdk?.$metadata !== undefined || sdk?.code === 'ECONNREFUSED' || sdk?.name === 'TimeoutError') {
    return new ApiError('dependency_unavailable', 'a dependency is unavailable; try again', [
      { message: sdk?.name ?? 'Error' },
    ]);
  }
  return undefined;
}

export function createApiHandler(runtime: Runtime, routes: Route[], options: ApiHandlerOptions = {}): ApiHandler {
  const table = compile(routes);
  return async (req, principal) => {
    try {
      const found = match(table, req.method.toUpperCase(), req.path);
      if (found.kind === 'not_found') throw new ApiError('not_found', `no route for ${req.method} ${req.path}`);
      if (found.kind === 'malformed_path') throw new ApiError('malformed_request', 'the path has an invalid percent-escape');
      if (found.kind === 'method_not_allowed') {
        const response = errorResponse(new ApiError('not_found', `${req.method} is not supported on ${req.path}`));
        return { ...response, statusCode: 405, headers: { ...response.headers, allow: found.allowed.join(', ') } };
      }
      const { route, params } = found;
      if (route.access !== 'public') {
        if (!principal) throw new ApiError('unauthorized', 'missing or invalid API key (Authorization: Bearer <key>)');
        if (!mayCall(route.access, principal, params)) {
          throw new ApiError('forbidden', 'this API key may not call this route');
        }
      }
      return await route.handle({ req, params, principal, runtime });
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      options.onUnexpectedError?.(error);
      return errorResponse(asDependencyFailure(error) ?? error);
    }
  };
}
