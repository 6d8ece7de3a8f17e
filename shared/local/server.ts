/**
 * The API on node:http through @hono/node-server, standing in for API Gateway's HTTP API: its 10 MiB
 * body cap (413 before the app), Lambda's 6 MB response limit (API Gateway's 500 past it), and the
 * same app the Lambda functions run (which authenticates every request) behind it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { GATEWAY_INTEGRATION_FAILURE, LAMBDA_MAX_RESPONSE_BYTES, lambdaResponseBytes } from '../adapters/aws/local-limits.ts';
import { errorResponse } from '../api/errors.ts';
import { HookpostError } from '../core/platform/errors.ts';
import { isConsolePath } from './console-route.ts';

/** API Gateway's own hard cap on a request body; the app enforces the smaller configurable limit. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The app (a Hono app's `fetch`): the API, and the console on /console… */
  fetch: (request: Request) => Response | Promise<Response>;
  /** @default GATEWAY_MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

export interface ApiServer {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  /** Stops accepting, drops idle keep-alive connections, resolves when closed. Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 2_000;

class BodyTooLarge extends Error {}

/** Reads the whole body; past the cap it keeps draining (so the client can read our 413) but stores nothing. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => (size > maxBytes ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** An API response as Lambda would return it: over its 6 MB, the caller gets API Gateway's 500 instead. */
async function withinLambdaLimit(response: Response): Promise<Response> {
  const body = await response.text();
  const size = lambdaResponseBytes({ statusCode: response.status, headers: Object.fromEntries(response.headers), body });
  // 204 and 304 take no body at all, not even an empty one.
  if (size <= LAMBDA_MAX_RESPONSE_BYTES) return new Response(body === '' ? null : body, response);
  console.error(`[server] the response (${size} bytes as a Lambda result) is over Lambda's ${LAMBDA_MAX_RESPONSE_BYTES}; answering 500 as API Gateway would`);
  const { statusCode, headers, body: failure } = GATEWAY_INTEGRATION_FAILURE;
  return new Response(failure, { status: statusCode, headers });
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? GATEWAY_MAX_BODY_BYTES;
  const listener = getRequestListener(
    async (request: Request) => {
      try {
        const response = await options.fetch(request);
        return isConsolePath(new URL(request.url).pathname) ? response : await withinLambdaLimit(response);
      } catch (error) {
        if (!(error instanceof HookpostError)) {
          console.error(`[server] ${request.method} ${new URL(request.url).pathname} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        return errorResponse(error);
      }
    },
    // Global Request/Response stay Node's own: this process also runs the tests and the emulators.
    { overrideGlobalObjects: false },
  );
  const server = createServer((req, res) => {
    readBody(req, maxBodyBytes).then(
      // node-server reads a body already in hand from `rawBody` (as on Cloud Functions).
      (body) => listener(Object.assign(req, { rawBody: body }), res),
      (error: unknown) => {
        const response = error instanceof BodyTooLarge ? errorResponse(new HookpostError('payload_too_large', `Request body exceeds ${maxBodyBytes} bytes`)) : errorResponse(error);
        void response.text().then((text) => {
          res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        // Requests in flight get a short grace period; idle keep-alive sockets are dropped now.
        const grace = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.close((error) => {
          clearTimeout(grace);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
