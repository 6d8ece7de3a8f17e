/** The console on the local server: built on the first request (console-build.ts), then served from memory. */
import type { ServeConsole } from '../api/console.ts';

export const isConsolePath = (path: string): boolean => /^\/console(?:\/|$)/.test(path);

/** Builds (or reuses) the bundle once per process, on first use, so API-only runs never pay for it. */
export function localConsole(options: { portalFrameAncestors?: readonly string[] } = {}): ServeConsole {
  let handler: Promise<ServeConsole> | undefined;
  return async (request) => {
    handler ??= (async () => {
      const [{ ensureConsoleBuilt }, { createConsoleHandler }] = await Promise.all([
        import('./console-build.ts'),
        import('../adapters/http/console-assets.ts'),
      ]);
      return createConsoleHandler(await ensureConsoleBuilt(), options);
    })();
    handler.catch(() => {
      handler = undefined;
    });
    try {
      return await (await handler)(request);
    } catch (error) {
      console.error(`[console] could not build or serve the console: ${error instanceof Error ? error.message : String(error)}`);
      return { statusCode: 500, headers: { 'content-type': 'text/plain' }, body: Buffer.from('the console could not be built; see the server log') };
    }
  };
}
