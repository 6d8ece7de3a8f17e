/**
 * The console's routes, GET /console and /console/…: the admin console and tenant portal, served by the
 * caller's asset handler (shared/adapters/http/console-assets.ts) — the local server mounts them on the
 * API app, the AWS `console` function serves them alone.
 */
import { type Context, Hono } from 'hono';

export interface ConsoleAsset {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Serves a request for the console: undefined when there is no such page or file. */
export type ServeConsole = (request: {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}) => ConsoleAsset | undefined | Promise<ConsoleAsset | undefined>;

export function consoleRoutes(serve: ServeConsole): Hono {
  const app = new Hono();
  const handler = async (c: Context): Promise<Response> => {
    const response = (await serve({ method: c.req.method, path: new URL(c.req.url).pathname, headers: c.req.header() })) ?? {
      statusCode: 404,
      headers: { 'content-type': 'text/plain' },
      body: new TextEncoder().encode('not found'),
    };
    return new Response(response.body.length > 0 ? (response.body as BodyInit) : null, { status: response.statusCode, headers: response.headers });
  };
  app.all('/console', handler);
  app.all('/console/*', handler);
  return app;
}
