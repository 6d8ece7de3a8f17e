/**
 * The API as one Hono app: route, then each route's own checks (route.ts) and handler, and every error
 * in the documented shape — 404 for no route (paths match exactly: `/v1/events/` is not `/v1/events`),
 * 405 with `Allow` for a path served with other methods, the core's errors by code, anything else 500.
 */
import { Hono } from 'hono';
import { HookpostError } from '../core/platform/errors.ts';
import type { Services } from '../core/management/services.ts';
import { errorResponse } from './errors.ts';
import { type ApiEnv, type ApiRoute, routeMiddleware } from './route.ts';

export interface ApiOptions {
  /** Called with anything that is not a HookpostError (it becomes a 500). */
  onUnexpectedError?: (error: unknown) => void;
}

export type Api = Hono<ApiEnv>;

/** `/v1/tenants/{tenant}` (OpenAPI) → `/v1/tenants/:tenant` (Hono). */
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** A route's path as a pattern over the raw (still percent-encoded) path, as API Gateway matches it. */
const pattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);

/** The route serving `method` on `path` (raw), if any: `METHOD /path/{param}`, as the local IAM recording tags calls. */
export function routeMatcher(routes: readonly ApiRoute[]): (method: string, path: string) => ApiRoute | undefined {
  const compiled = routes.map((def) => ({ def, pattern: pattern(def.route.path) }));
  return (method, path) => compiled.find((r) => r.def.route.method.toUpperCase() === method && r.pattern.test(path))?.def;
}

export function createApi(services: Services, routes: readonly ApiRoute[], options: ApiOptions = {}): Api {
  const app = new Hono<ApiEnv>();
  const compiled = routes.map((def) => ({ method: def.route.method.toUpperCase(), pattern: pattern(def.route.path) }));
  /** No route for this method: 405 with the methods the path has, else 404. */
  const unrouted = (method: string, url: string): Response => {
    const path = new URL(url).pathname;
    const allowed = [...new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length === 0) return errorResponse(new HookpostError('not_found', `no route for ${method} ${path}`));
    return errorResponse(new HookpostError('method_not_allowed', `${method} is not supported on ${path}`), { allow: allowed.join(', ') });
  };

  for (const def of routes) {
    const exact = pattern(def.route.path);
    app.on([def.route.method.toUpperCase()], [honoPath(def.route.path)], async (c, next) => {
      // Hono answers HEAD with the GET route, and routes a path by its decoded form (`/v1/%65vents`);
      // API Gateway routes only the methods a route declares, by the path as sent.
      if (c.req.method === 'HEAD' || !exact.test(new URL(c.req.url).pathname)) return unrouted(c.req.method, c.req.url);
      c.set('services', services);
      await next();
    }, ...routeMiddleware(def), def.handler as never);
  }
  app.notFound((c) => unrouted(c.req.method, c.req.url));
  app.onError((error) => {
    if (!(error instanceof HookpostError)) options.onUnexpectedError?.(error);
    return errorResponse(error);
  });
  return app;
}
