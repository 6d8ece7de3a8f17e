/**
 * Serves the built console (shared/local/console-build.ts output) for the local server and the AWS `console`
 * function alike: GET /console, /console/ and /console/portal get the page (no-cache, strict CSP);
 * /console/assets/<hashed name> gets a file cached for a year. Bodies are gzipped when the client accepts it.
 * The console cannot be framed; the portal only by the origins the operator lists.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface AssetRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
}

export interface AssetResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ConsoleHandler = (request: AssetRequest) => AssetResponse | undefined;

interface File {
  type: string;
  raw: Buffer;
  gzip: Buffer;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** Origins for the portal's frame-ancestors; anything that is not a plain origin is refused loudly. */
export function frameAncestorOrigins(origins: readonly string[] | undefined): string[] {
  const list = (origins ?? []).map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean);
  const bad = list.filter((origin) => !ORIGIN.test(origin));
  if (bad.length > 0) throw new Error(`HOOKPOST_PORTAL_FRAME_ANCESTORS must list origins like https://app.example.com; got ${bad.join(', ')}`);
  return list;
}

/** The page's Content-Security-Policy: nothing inline, nothing from another origin. */
export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

const COMMON = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

function load(dir: string, name: string): File {
  const raw = readFileSync(path.join(dir, name));
  return { type: TYPES[path.extname(name)] ?? 'application/octet-stream', raw, gzip: gzipSync(raw, { level: 9 }) };
}

/** A handler over a build directory; undefined for paths outside /console (the API takes those). */
export function createConsoleHandler(dir: string, options: { portalFrameAncestors?: readonly string[] } = {}): ConsoleHandler {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { page: string; assets: string[] };
  const page = load(dir, manifest.page);
  const assets = new Map(manifest.assets.map((name) => [name, load(path.join(dir, 'assets'), name)]));
  const portalAncestors = frameAncestorOrigins(options.portalFrameAncestors);

  const send = (request: AssetRequest, file: File, headers: Record<string, string>): AssetResponse => {
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    return {
      statusCode: 200,
      headers: { ...COMMON, 'content-type': file.type, vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers },
      body: request.method === 'HEAD' ? Buffer.alloc(0) : gzip ? file.gzip : file.raw,
    };
  };
  const notFound = (): AssetResponse => ({
    statusCode: 404,
    headers: { ...COMMON, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
    body: Buffer.from('not found'),
  });

  return (request) => {
    const p = request.path;
    if (p !== '/console' && !p.startsWith('/console/')) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { statusCode: 405, headers: { ...COMMON, allow: 'GET, HEAD', 'content-type': 'text/plain' }, body: Buffer.from('method not allowed') };
    }
    if (p.startsWith('/console/assets/')) {
      const file = assets.get(p.slice('/console/assets/'.length));
      return file ? send(request, file, { 'cache-control': 'public, max-age=31536000, immutable' }) : notFound();
    }
    const portal = p === '/console/portal' || p === '/console/portal/';
    if (!portal && p !== '/console' && p !== '/console/') return notFound();
    return send(request, page, {
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy(portal ? portalAncestors : []),
      // Older browsers without frame-ancestors: the console is never framed; the portal relies on CSP.
      ...(portal ? {} : { 'x-frame-options': 'DENY' }),
    });
  };
}
