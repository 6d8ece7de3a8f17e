/**
 * One route, defined once: its OpenAPI description (a `createRoute`: method, path, request and response
 * schemas, docs), who may call it, how its body is read, and its handler. app.ts mounts a list of them;
 * openapi.ts documents the same list.
 *
 * Requests are checked in the documented order: route (404/405, app.ts), path escapes (400), key (401),
 * scope (403), then the request itself: path parameters and query (400), body bytes and type (400/413/415), body (422).
 */
import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type * as z from 'zod';
import type { Principal } from '../core/platform/domain.ts';
import { type ErrorDetail, HookpostError } from '../core/platform/errors.ts';
import { issuesToDetails } from '../core/management/inputs.ts';
import type { Services } from '../core/management/services.ts';
import { isReservedTenant } from '../core/platform/tenants.ts';
import { bodyText, parseJson } from './body.ts';
import { errorSchema } from './errors.ts';

/**
 * public: anyone; admin: admin keys; publish: admin or publish keys (tenant keys never publish: what a
 * customer's portal holds must not be able to send signed events to its own endpoints); read: any key
 * (the catalogue, the OpenAPI document); tenant: admin, or a tenant key whose tenant is the `{tenant}` in the path
 * (admin only for a reserved tenant, `_…`, whatever a key or portal token says its tenant is).
 */
export type Access = 'public' | 'admin' | 'publish' | 'read' | 'tenant';

export interface ApiEnv {
  Variables: {
    services: Services;
    /** Undefined only on public routes. */
    principal: Principal | undefined;
    /** The body's text, once read (routes with a body). */
    bodyText: string;
    /** The parsed body before validation (routes whose core service validates it, e.g. publishing). */
    body: unknown;
  };
}

export const MANAGEMENT_BODY_BYTES = 256 * 1024;

export interface BodyRule {
  /** @default MANAGEMENT_BODY_BYTES */
  maxBytes?: number | ((services: Services) => number);
  /** An empty body (with or without a content type) reads as `{}`. */
  optional?: boolean;
  /** Problems of the parsed body to refuse (422) before the schema reads it (nesting depth, `__proto__` keys). */
  guard?: (body: unknown) => ErrorDetail[];
  /** False: parsed only; the core service validates it (`c.var.body`, `c.var.bodyText`). @default true */
  validate?: boolean;
}

export interface ApiRoute<R extends RouteConfig = RouteConfig> {
  access: Access;
  route: R;
  /** How the JSON body (`route.request.body`) is read. */
  body?: BodyRule;
  /**
   * Typed by the route's request (`c.req.valid('param' | 'query' | 'json')`); what it answers is not
   * checked against the response schemas (the core types are, in the `Shows` lines beside each schema).
   */
  handler: (c: Parameters<RouteHandler<R, ApiEnv>>[0]) => Response | Promise<Response>;
}

/**
 * @hono/zod-openapi's `createRoute`, the same type, without loading it: a route config is plain data,
 * and the package's entry point loads its OpenAPI generator and all of zod (no tree-shaking through
 * its `z`), ~400 KiB more in each function. Only openapi.ts, which writes the document, loads it.
 */
export const createRoute = <P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(config: R): R => config;

/** Keeps the route's own types for its handler, then erases them for the list. */
export const defineRoute = <R extends RouteConfig>(def: ApiRoute<R>): ApiRoute => def as unknown as ApiRoute;

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

/* ---------- documentation helpers ---------- */

type Status = 200 | 201 | 202 | 204 | 207;
export type ErrorStatus = 400 | 404 | 409 | 413 | 415 | 422;

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request (bad JSON, query or path parameter)',
  401: 'Missing or invalid API key',
  403: 'The key may not call this route or see this tenant',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'Invalid input (details list each problem)',
  500: 'Internal error',
  503: 'A dependency (SQS, DynamoDB) is unavailable; try again',
};

export const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });

/** A success response: its description and, unless it has none, its body's schema. */
export const ok = <S extends z.ZodType>(description: string, schema: S) => ({ description, ...json(schema) });

/** The error responses a route documents; every route also answers 500 and 503, and 401/403 unless public (openapi.ts). */
export function errors(...statuses: ErrorStatus[]): Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponseDoc(status)])) as never;
}

export const errorResponseDoc = (status: number) => ({ description: ERROR_TEXT[status] ?? 'Error', ...json(errorSchema) });

export type { Status };

/* ---------- the middleware a route runs before its handler ---------- */

/** A path segment with a stray `%` that is not an escape is a malformed request, not a 404 or a silently kept `%`. */
const checkPathEscapes: MiddlewareHandler<ApiEnv> = async (c, next) => {
  for (const segment of new URL(c.req.url).pathname.split('/')) {
    if (!segment.includes('%')) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      throw new HookpostError('malformed_request', 'the path has an invalid percent-escape');
    }
  }
  await next();
};

function authorize(access: Access): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (access !== 'public') {
      const principal = await c.var.services.auth.authenticate(c.req.header('authorization'));
      if (!principal) throw new HookpostError('unauthorized', 'missing or invalid API key (Authorization: Bearer <key>)');
      if (!mayCall(access, principal, c.req.param())) throw new HookpostError('forbidden', 'this API key may not call this route');
      c.set('principal', principal);
    }
    await next();
  };
}

/** What a bad path parameter is called in its error message. */
const PARAM_NAMES: Record<string, string> = { type: 'event type' };

type Shape = Record<string, z.ZodType>;

function validateParams(shape: Shape, c: Context<ApiEnv>): Record<string, unknown> {
  const raw = c.req.param() as Record<string, string>;
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const result = schema.safeParse(raw[name]);
    if (!result.success) throw new HookpostError('malformed_request', `${PARAM_NAMES[name] ?? name} is invalid`, issuesToDetails(result.error));
    params[name] = result.data;
  }
  return params;
}

/** The query string as API Gateway (payload 2.0) hands it over: a repeated name's values joined with commas. */
function queryOf(c: Context<ApiEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([name, values]) => [name, values.join(',')]));
}

/** Validates a value against a schema; a failure is `code` with one detail per problem. */
function check<S extends z.ZodType>(schema: S, value: unknown, code: 'malformed_request' | 'validation_failed', what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HookpostError(code, `${what} is invalid`, issuesToDetails(result.error));
  return result.data;
}

async function readBody(rule: BodyRule, c: Context<ApiEnv>): Promise<unknown> {
  const limit = typeof rule.maxBytes === 'function' ? rule.maxBytes(c.var.services) : (rule.maxBytes ?? MANAGEMENT_BODY_BYTES);
  const text = bodyText(new Uint8Array(await c.req.arrayBuffer()), c.req.header('content-encoding'), limit);
  c.set('bodyText', text);
  if (rule.optional && text.trim() === '') return {};
  const body = parseJson(c.req.header('content-type'), text);
  const problems = rule.guard?.(body) ?? [];
  if (problems.length > 0) throw new HookpostError('validation_failed', 'body is invalid', problems);
  return body;
}

/** Reads and checks what the route declares, in the documented order, and hands it to the handler through `c.req.valid()`. */
function validateRequest(def: ApiRoute): MiddlewareHandler<ApiEnv> {
  const { params, query } = (def.route.request ?? {}) as { params?: z.ZodObject; query?: z.ZodObject };
  const bodySchema = (def.route.request?.body?.content['application/json'] as { schema?: z.ZodType } | undefined)?.schema;
  return async (c, next) => {
    if (params) c.req.addValidatedData('param', validateParams(params.shape as Shape, c));
    if (query) c.req.addValidatedData('query', check(query, queryOf(c), 'malformed_request', 'query') as object);
    if (bodySchema) {
      const body = await readBody(def.body ?? {}, c);
      c.set('body', body);
      if (def.body?.validate !== false) c.req.addValidatedData('json', check(bodySchema, body, 'validation_failed', 'body') as object);
    }
    await next();
  };
}

/** Everything a route runs before its handler, in order. */
export const routeMiddleware = (def: ApiRoute): MiddlewareHandler<ApiEnv>[] => [checkPathEscapes, authorize(def.access), validateRequest(def)];
