/**
 * The API on node:http, standing in for API Gateway's HTTP API: it maps a request to `ApiRequest`
 * and hands it to the same handler the Lambda functions run (which authenticates it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_INTEGRATION_FAILURE, LAMBDA_MAX_RESPONSE_BYTES, lambdaResponseBytes } from '../adapters/aws/local-limits.ts';
import { type ApiRequest, type ApiResponse, bodyFromBytes } from '../api/http.ts';
import { errorResponse } from '../api/responses.ts';
import { HookpostError } from '../core/errors.ts';
import { isConsolePath, type LocalConsole, serveConsole } from './console-route.ts';

/** API Gateway's own hard cap on a request body; the app enforces the smaller configurable limit. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  handle: (request: ApiRequest) => Promise<ApiResponse>;
  /** @default GATEWAY_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /** Serves GET /console… (the admin console and tenant portal) before the API sees the request. */
  console?: LocalConsole;
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

/** Repeated names are joined with commas, as API Gateway (payload format 2.0) does. */
function joinRepeated(entries: Iterable<[string, string]>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of entries) result[name] = name in result ? `${result[name]},${value}` : value;
  return result;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  // Node already lower-cases names; arrays only occur for set-cookie-like headers.
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

async function toApiResponse(req: IncomingMessage, options: ApiServerOptions, maxBodyBytes: number): Promise<ApiResponse> {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req, maxBodyBytes);
    const headers = headersOf(req);
    const request: ApiRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      headers,
      query: joinRepeated(url.searchParams),
      ...bodyFromBytes(body, headers),
    };
    return await options.handle(request);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      return errorResponse(new HookpostError('payload_too_large', `Request body exceeds ${maxBodyBytes} bytes`));
    }
    if (!(error instanceof HookpostError)) {
      console.error(`[server] ${req.method} ${req.url?.split('?')[0]} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return errorResponse(error);
  }
}

function write(res: ServerResponse, response: ApiResponse): void {
  if (lambdaResponseBytes(response) > LAMBDA_MAX_RESPONSE_BYTES) {
    // On AWS the function's result would be refused by Lambda and the caller would get API Gateway's 500.
    console.error(`[server] the response (${lambdaResponseBytes(response)} bytes as a Lambda result) is over Lambda's ${LAMBDA_MAX_RESPONSE_BYTES}; answering 500 as API Gateway would`);
    write(res, GATEWAY_INTEGRATION_FAILURE);
    return;
  }
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? GATEWAY_MAX_BODY_BYTES;
  const server = createServer((req, res) => {
    if (options.console && isConsolePath(req.url)) return void serveConsole(req, res, options.console);
    void toApiResponse(req, options, maxBodyBytes)
      .then((response) => write(res, response))
      .catch((error: unknown) => {
        // Only reachable when the response itself is unwritable (e.g. an invalid header value).
        console.error(`[server] could not write the response: ${error instanceof Error ? error.message : String(error)}`);
        res.destroy();
      });
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
