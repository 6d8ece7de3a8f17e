/** The AWS `console` function: the same built files as locally, as API Gateway (payload 2.0) responses. */
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt, JS_BUDGET_GZ_BYTES } from '../../shared/local/console-build.ts';

let handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let manifest: { assets: string[]; jsGzipBytes: number };

const event = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  ({ rawPath: path, headers, requestContext: { http: { method } } }) as unknown as APIGatewayProxyEventV2;

beforeAll(async () => {
  const dir = await ensureConsoleBuilt();
  manifest = (await import(`${dir}/manifest.json`, { with: { type: 'json' } })).default;
  process.env.HOOKPOST_CONSOLE_DIR = dir;
  process.env.HOOKPOST_PORTAL_FRAME_ANCESTORS = 'https://app.example.com https://admin.example.com';
  ({ handler } = await import('../../functions/console.ts'));
});

describe('console function', () => {
  it('keeps the JavaScript within the 120 KiB gzipped budget', () => {
    expect(manifest.jsGzipBytes).toBeGreaterThan(5_000);
    expect(manifest.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZ_BYTES);
  });

  it('serves the page gzipped, no-cache, unframeable, with a strict CSP', async () => {
    const response = await handler(event('/console', { 'Accept-Encoding': 'gzip, br' }));
    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(response.headers).toMatchObject({ 'content-encoding': 'gzip', 'cache-control': 'no-cache', 'x-frame-options': 'DENY' });
    expect(String(response.headers?.['content-security-policy'])).toMatch(/default-src 'none'.*script-src 'self'.*frame-ancestors 'none'/);
    expect(gunzipSync(Buffer.from(response.body ?? '', 'base64')).toString()).toContain('<div id="app"></div>');
  });

  it('lets only the configured origins frame the portal', async () => {
    const response = await handler(event('/console/portal'));
    expect(String(response.headers?.['content-security-policy'])).toContain('frame-ancestors https://app.example.com https://admin.example.com');
    expect(response.headers?.['x-frame-options']).toBeUndefined();
    expect(response.headers?.['content-encoding']).toBeUndefined();
  });

  it('caches hashed assets for a year and answers 404 and 405 otherwise', async () => {
    const js = manifest.assets.find((name) => name.endsWith('.js'));
    const asset = await handler(event(`/console/assets/${js}`));
    expect(asset.statusCode).toBe(200);
    expect(asset.headers).toMatchObject({ 'cache-control': 'public, max-age=31536000, immutable', 'content-type': 'text/javascript; charset=utf-8' });
    expect((await handler(event('/console/assets/app-OLD.js'))).statusCode).toBe(404);
    expect((await handler(event('/console/../openapi.json'))).statusCode).toBe(404);
    expect((await handler(event('/console', {}, 'POST'))).statusCode).toBe(405);
  });
});
