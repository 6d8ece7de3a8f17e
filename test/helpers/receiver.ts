/**
 * A webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request and answers
 * with scripted responses (status, headers, body, delays, a body sent in slow pieces).
 * Bounded: request bodies are capped and the server closes itself after `lifetimeMs`.
 *
 *   const receiver = await startReceiver();
 *   receiver.enqueue({ status: 500, body: 'nope' });   // next request gets this, later ones the default
 *   ... await receiver.close();                          // in afterAll/afterEach
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyWebhook } from 'hookpost/verify';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Node's lower-cased incoming headers. */
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** Whether a recorded delivery verifies with this key (`whsec_…` for v1, `whpk_…` for v1a), through hookpost/verify. */
export function verifiesWith(key: string, request: RecordedRequest): boolean {
  try {
    verifyWebhook(request.body, request.headers, key);
    return true;
  } catch {
    return false;
  }
}

export interface ScriptedResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Wait this long after the request body arrived before sending the status line. @default 0 */
  delayMs?: number;
  /** Instead of `body`: send these pieces one by one, `intervalMs` apart, after the headers. */
  slowBody?: { chunks: Array<string | Buffer>; intervalMs: number };
}

export type Responder = (request: RecordedRequest) => ScriptedResponse;

export interface ReceiverOptions {
  /** Answer for requests when the queue is empty. @default { status: 200, body: 'ok' } */
  defaultResponse?: ScriptedResponse | Responder;
  /** The server closes itself after this long, whatever the test does. @default 30000 */
  lifetimeMs?: number;
  /** Request bodies are recorded up to this size; the rest is discarded. @default 1 MiB */
  maxRecordedBodyBytes?: number;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  readonly connectionCount: number;
  /** Responses for the next requests, in order; afterwards the default applies. */
  enqueue(...responses: Array<ScriptedResponse | Responder>): void;
  /** Stops listening and destroys open sockets and pending timers. Safe to call twice. */
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const defaultResponse = options.defaultResponse ?? { status: 200, body: 'ok' };
  const maxBody = options.maxRecordedBodyBytes ?? 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const queue: Array<ScriptedResponse | Responder> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connectionCount = 0;
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size < maxBody) chunks.push(chunk.subarray(0, maxBody - size));
      size += chunk.length;
    });
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const next = queue.shift() ?? defaultResponse;
      const script = typeof next === 'function' ? next(recorded) : next;
      later(script.delayMs ?? 0, () => respond(res, script));
    });
    // A client that gives up mid-response is expected here (timeouts, truncated excerpts).
    res.on('error', () => undefined);
  });

  function respond(res: http.ServerResponse, script: ScriptedResponse): void {
    if (res.destroyed) return;
    res.writeHead(script.status ?? 200, script.headers);
    if (!script.slowBody) {
      res.end(script.body ?? '');
      return;
    }
    const pieces = [...script.slowBody.chunks];
    const { intervalMs } = script.slowBody;
    const sendNext = () => {
      if (res.destroyed) return;
      const piece = pieces.shift();
      if (piece === undefined) {
        res.end();
        return;
      }
      res.write(piece);
      later(intervalMs, sendNext);
    };
    sendNext();
  }

  server.on('connection', (socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearTimeout(lifetime);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await stopped;
  };
  const lifetime = setTimeout(() => void close(), options.lifetimeMs ?? 30_000);
  lifetime.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connectionCount() {
      return connectionCount;
    },
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    close,
  };
}
