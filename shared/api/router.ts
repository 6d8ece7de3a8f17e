/** A route table: method + path pattern → handler, with who may call it. */
import type { Principal } from '../core/domain.ts';
import { isReservedTenant } from '../core/tenants.ts';
import type { Services } from '../core/services.ts';
import type { ApiRequest, ApiResponse } from './http.ts';

export interface RouteContext {
  req: ApiRequest;
  params: Record<string, string>;
  principal: Principal | undefined;
  services: Services;
}

/**
 * public: anyone; admin: admin keys; publish: admin or publish keys (tenant keys never publish: what a
 * customer's portal holds must not be able to send signed events to its own endpoints); read: any key
 * (the catalogue, the OpenAPI document); tenant: admin, or a tenant key whose tenant is the `{tenant}` in the path
 * (admin only for a reserved tenant, `_…`, whatever a key or portal token says its tenant is).
 */
export type Access = 'public' | 'admin' | 'publish' | 'read' | 'tenant';

export interface Route {
  method: string;
  /** e.g. `/v1/tenants/{tenant}/subscriptions/{id}` */
  path: string;
  access: Access;
  handle(ctx: RouteContext): Promise<ApiResponse>;
}

export interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export function compile(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    // Exact paths: API Gateway routes `/v1/events` and `/v1/events/` apart, so local mode does too.
    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });
}

export type Match =
  | { kind: 'found'; route: CompiledRoute; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' }
  | { kind: 'malformed_path' };

export function match(routes: CompiledRoute[], method: string, path: string): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
    } catch {
      return { kind: 'malformed_path' }; // a stray % that is not an escape
    }
    return { kind: 'found', route, params };
  }
  return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}

export function mayCall(access: Access, principal: Principal, params: Record<string, string>): boolean {
  if (principal.scope === 'admin') return true;
  switch (access) {
    case 'public':
      return true;
    case 'admin':
      return false;
    case 'publish':
      return principal.scope === 'publish';
    case 'read':
      return true;
    case 'tenant':
      return principal.scope === 'tenant' && !isReservedTenant(params.tenant) && principal.tenant === params.tenant;
  }
}
