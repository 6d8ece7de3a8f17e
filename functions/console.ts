/** GET /console and /console/{proxy+}: the admin console and tenant portal, built next to this handler. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createConsoleHandler } from '#shared/adapters/http/console-assets.ts';
import { ENV } from '#shared/core/settings.ts';

const dir = process.env.HOOKPOST_CONSOLE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'console');
const serve = createConsoleHandler(dir, {
  portalFrameAncestors: (process.env[ENV.portalFrameAncestors] ?? '').split(/[\s,]+/).filter(Boolean),
});

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const response = serve({ method: event.requestContext.http.method, path: event.rawPath, headers }) ?? {
    statusCode: 404,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from('not found'),
  };
  return { statusCode: response.statusCode, headers: response.headers, body: response.body.toString('base64'), isBase64Encoded: true };
};
