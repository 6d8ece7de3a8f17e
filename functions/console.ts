/** GET /console and /console/{proxy+}: the admin console and tenant portal, built next to this handler. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConsoleHandler } from '#shared/adapters/http/console-assets.ts';
import { apiGatewayApp } from '#shared/adapters/lambda/api-gateway.ts';
import { consoleRoutes } from '#shared/api/console.ts';
import { consoleSettingsFromEnv } from '#shared/core/platform/settings.ts';

const dir = process.env.HOOKPOST_CONSOLE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'console');
const serve = createConsoleHandler(dir, consoleSettingsFromEnv());

// Every body in base64: the pages and assets are bytes (gzip or not), whatever their content type.
export const handler = apiGatewayApp(consoleRoutes(serve), { isContentTypeBinary: () => true });
