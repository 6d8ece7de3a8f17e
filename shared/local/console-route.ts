/** The console on the local server: built on the first request (scripts/build-console.ts), then served from memory. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AssetRequest, AssetResponse } from '../adapters/http/console-assets.ts';

export type LocalConsole = (request: AssetRequest) => Promise<AssetResponse | undefined>;

export const isConsolePath = (url: string | undefined): boolean => /^\/console(?:[/?#]|$)/.test(url ?? '');

/** Builds (or reuses) the bundle once per process, on first use, so API-only runs never pay for it. */
export function localConsole(options: { portalFrameAncestors?: readonly string[] } = {}): LocalConsole {
  let handler: Promise<(request: AssetRequest) => AssetResponse | undefined> | undefined;
  return async (request) => {
    handler ??= (async () => {
      const [{ ensureConsoleBuilt }, { createConsoleHandler }] = await Promise.all([
        import('../../scripts/build-console.ts'),
        import('../adapters/http/console-assets.ts'),
      ]);
      return createConsoleHandler(await ensureConsoleBuilt(), options);
    })();
    handler.catch(() => {
      handler = undefined;
    });
    return (await handler)(request);
  };
}

export async function serveConsole(req: IncomingMessage, res: ServerResponse, console: LocalConsole): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  let response: AssetResponse | undefined;
  try {
    response = await console({ method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, headers });
  } catch (error) {
    globalThis.console.error(`[console] could not build or serve the console: ${error instanceof Error ? error.message : String(error)}`);
    response = { statusCode: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from('the console could not be built; see the server log') };
  }
  response ??= { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('not found') };
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': response.body.length });
  res.end(response.body);
}
