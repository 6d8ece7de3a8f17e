/**
 * The HTTP API in front of the bundled functions, on 127.0.0.1: each request is matched against the
 * template's routes (`METHOD /path` with `{param}` and `{proxy+}`, `ANY`, `$default`; exact paths
 * before parameters before greedy ones, a named method before ANY), turned into a payload 2.0 event
 * and handed to the route's function; its result becomes the response as API Gateway maps it
 * (a structured result as given, anything else as a 200 JSON body, a function error as a 500).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT } from './cloud-assembly.ts';

export interface LocalRoute {
  routeKey: string;
  invoke(event: APIGatewayProxyEventV2): Promise<unknown>;
}

interface CompiledRoute extends LocalRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  rank: number[];
}

/** The HTTP API's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function compile(route: LocalRoute): CompiledRoute {
  if (route.routeKey === '$default') return { ...route, method: 'ANY', pattern: /^\/.*$/, names: [], rank: [3, 0, 1] };
  const [method = '', routePath = ''] = route.routeKey.split(' ');
  const names: string[] = [];
  let literals = 0;
  let greedy = false;
  let params = false;
  const source = routePath
    .split('/')
    .map((segment) => {
      const param = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!param) {
        literals += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(param[1] as string);
      if (param[2]) {
        greedy = true;
        return '(.+)';
      }
      params = true;
      return '([^/]+)';
    })
    .join('/');
  // Lower sorts first: exact paths, then parameters, then greedy; more literal segments; a named method.
  const rank = [greedy ? 2 : params ? 1 : 0, -literals, method === 'ANY' ? 1 : 0];
  return { ...route, method, pattern: new RegExp(`^${source}$`), names, rank };
}

const byRank = (a: CompiledRoute, b: CompiledRoute) => {
  for (let i = 0; i < a.rank.length; i++) if (a.rank[i] !== b.rank[i]) return (a.rank[i] as number) - (b.rank[i] as number);
  return 0;
};

export function toEvent(req: http.IncomingMessage, body: Buffer, route: CompiledRoute, params: Record<string, string>): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const asText = body.length > 0 && TEXT_TYPES.test(headers['content-type'] ?? '') && !headers['content-encoding'];
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(route.names.length > 0 && { pathParameters: params }),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] as string,
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: asText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

interface StructuredResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

function send(res: http.ServerResponse, result: unknown): void {
  const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!structured) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded } = result as StructuredResult;
  res.writeHead(statusCode, { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])), ...(cookies.length > 0 && { 'set-cookie': cookies }) });
  res.end(Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8'));
}

export interface LocalHttpApi {
  readonly url: string;
  /** Errors the functions returned to API Gateway (a 500 to the caller), newest last. */
  readonly integrationErrors: Error[];
  close(): Promise<void>;
}

export async function startLocalHttpApi(routes: LocalRoute[]): Promise<LocalHttpApi> {
  const compiled = routes.map(compile).sort(byRank);
  const integrationErrors: Error[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', async () => {
      const json = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message }));
      };
      if (size > MAX_BODY_BYTES) return json(413, 'Request Entity Too Large');
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      let params: Record<string, string> = {};
      const route = compiled.find((candidate) => {
        if (candidate.method !== 'ANY' && candidate.method !== req.method) return false;
        const match = candidate.pattern.exec(pathname);
        if (!match) return false;
        params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
        return true;
      });
      if (!route) return json(404, 'Not Found');
      try {
        send(res, await route.invoke(toEvent(req, Buffer.concat(chunks), route, params)));
      } catch (error) {
        integrationErrors.push(error instanceof Error ? error : new Error(String(error)));
        json(500, 'Internal Server Error');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    integrationErrors,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
