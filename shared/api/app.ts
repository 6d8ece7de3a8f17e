/** The API as one function: route, authenticate, authorize, run, and map every error to the documented shape. */
import { HookpostError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import type { ApiRequest, ApiResponse } from './http.ts';
import { errorResponse } from './responses.ts';
import { compile, match, mayCall, type Route } from './router.ts';

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

export interface ApiHandlerOptions {
  /** Called with anything that is not a HookpostError (it becomes a 500). */
  onUnexpectedError?: (error: unknown) => void;
}

export function createApiHandler(services: Services, routes: Route[], options: ApiHandlerOptions = {}): ApiHandler {
  const table = compile(routes);
  return async (req) => {
    try {
      const found = match(table, req.method.toUpperCase(), req.path);
      if (found.kind === 'not_found') throw new HookpostError('not_found', `no route for ${req.method} ${req.path}`);
      if (found.kind === 'malformed_path') throw new HookpostError('malformed_request', 'the path has an invalid percent-escape');
      if (found.kind === 'method_not_allowed') {
        const response = errorResponse(new HookpostError('method_not_allowed', `${req.method} is not supported on ${req.path}`));
        return { ...response, headers: { ...response.headers, allow: found.allowed.join(', ') } };
      }
      const { route, params } = found;
      const principal = route.access === 'public' ? undefined : await services.auth.authenticate(req.headers.authorization);
      if (route.access !== 'public') {
        if (!principal) throw new HookpostError('unauthorized', 'missing or invalid API key (Authorization: Bearer <key>)');
        if (!mayCall(route.access, principal, params)) {
          throw new HookpostError('forbidden', 'this API key may not call this route');
        }
      }
      return await route.handle({ req, params, principal, services });
    } catch (error) {
      if (!(error instanceof HookpostError)) options.onUnexpectedError?.(error);
      return errorResponse(error);
    }
  };
}
