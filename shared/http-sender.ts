/**
 * The outbound HTTP layer: one POST per attempt through a shared keep-alive undici Agent whose
 * connector resolves names with the SSRF-guarded lookup. Never throws; every outcome is an HttpResult.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type { HttpRequest, HttpResult, HttpSender } from './ports.ts';
import { BlockedDestinationError, checkUrl, createGuardedLookup } from './ssrf-guard.ts';
import type { ResolveAll } from './ssrf-guard.ts';

export interface HttpSenderOptions {
  /** Local mode: allow loopback/private destinations and plain http:. */
  readonly allowPrivateTargets: boolean;
  /** @default 4096 (the SPEC's "first 4 KiB of response") */
  readonly maxExcerptBytes?: number;
  /** Concurrent sockets per origin. @default 50 */
  readonly connectionsPerOrigin?: number;
  /** Idle time before a kept-alive socket is closed, unless the server's Keep-Alive hint is shorter. @default 4000 */
  readonly keepAliveTimeoutMs?: number;
  /** Resolver under the SSRF guard (tests inject names that resolve to loopback). @default dns.lookup */
  readonly lookup?: ResolveAll;
}

export type ClosableHttpSender = HttpSender & {
  /** Lets in-flight requests finish, then closes every socket. */
  close(): Promise<void>;
};

type HttpError = Extract<HttpResult, { kind: 'error' }>;

/** Beyond the excerpt, read (and discard) at most this much so a small remainder keeps the socket reusable. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const URL_CACHE_MAX = 1024;

/** Set by the sender or hop-by-hop/framing headers undici computes itself (and rejects if given). */
const DROPPED_HEADERS = new Set([
  'accept-encoding',
  'connection',
  'content-length',
  'expect',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
]);

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * One attempt's deadline, given to undici as its `signal`: undici also takes an EventEmitter with
 * `aborted`/`reason`. On Node 20 the first listener on a fresh AbortSignal costs about as much as
 * signing the request (docs/performance.md); a real AbortSignal is made only for the rare drain.
 */
class Deadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }

  toAbortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort(this.reason);
    else this.once('abort', () => controller.abort(this.reason));
    return controller.signal;
  }
}

type Target = { ok: true; origin: string; path: string } | Extract<ReturnType<typeof checkUrl>, { ok: false }>;

export function createHttpSender(options: HttpSenderOptions): ClosableHttpSender {
  const maxExcerptBytes = options.maxExcerptBytes ?? 4096;
  const guard = { allowPrivateTargets: options.allowPrivateTargets };
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 50,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // The connector passes these to net/tls.connect: every new socket connects to an address the
    // guard has just approved. IP literals skip lookup in Node, so send() checks those itself.
    connect: { lookup: createGuardedLookup({ ...guard, resolve: options.lookup }) },
  });

  // The same few endpoint URLs are sent to over and over: parse and judge each once.
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      const check = checkUrl(url, guard);
      target = check.ok ? { ok: true, origin: check.url.origin, path: check.url.pathname + check.url.search } : check;
      if (targets.size >= URL_CACHE_MAX) targets.clear();
      targets.set(url, target);
    }
    return target;
  };

  async function send(request: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = targetOf(request.url);
    if (!target.ok) return { kind: 'error', error: target.code, message: target.reason, durationMs: elapsed() };

    // One deadline over connect, headers and body. It stays armed while a small remainder drains.
    // (undici reads a 0 timeout as "none", so a nonsensical value becomes the shortest real one.)
    const timeoutMs = request.timeoutMs >= 1 ? Math.ceil(request.timeoutMs) : 1;
    const deadline = new Deadline();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    let timerHandedOff = false;
    try {
      const response = await agent.request({
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: outgoingHeaders(request.headers),
        body: request.body,
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const excerpt = await readExcerpt(response.body, maxExcerptBytes, deadline);
      if (excerpt.draining) {
        timerHandedOff = true;
        void excerpt.draining.finally(() => clearTimeout(timer));
      }
      return {
        kind: 'response',
        statusCode: response.statusCode,
        headers: flattenHeaders(response.headers),
        bodyExcerpt: excerpt.text,
        durationMs: elapsed(),
      };
    } catch (err) {
      return { kind: 'error', ...describeFailure(err, deadline.aborted, timeoutMs), durationMs: elapsed() };
    } finally {
      if (!timerHandedOff) clearTimeout(timer);
    }
  }

  return {
    send,
    close: () => agent.close(),
  };
}

function outgoingHeaders(given: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in given) {
    const lower = name.toLowerCase();
    const value = given[name];
    if (value !== undefined && !DROPPED_HEADERS.has(lower)) headers[lower] = value;
  }
  // No compressed responses: the excerpt is read as-is and a small gzip cannot expand into a bomb.
  headers['accept-encoding'] = 'identity';
  return headers;
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

type ResponseBody = Dispatcher.ResponseData['body'];

/**
 * Reads the first `maxBytes` of the body as UTF-8 (an incomplete trailing character is dropped).
 * Past that the rest is drained without buffering, up to a small limit, so the socket can be reused;
 * a larger remainder destroys the socket instead. The caller does not wait for the drain.
 */
function readExcerpt(
  body: ResponseBody,
  maxBytes: number,
  deadline: Deadline,
): Promise<{ text: string; draining?: Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let remaining = maxBytes;

    const detach = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    // Called synchronously from a listener so an error listener is always attached (dump adds one).
    const stopAndDrain = () => {
      detach();
      const draining = body.dump({ limit: maxBytes + DRAIN_LIMIT_BYTES, signal: deadline.toAbortSignal() }).catch(() => undefined);
      resolve({ text, draining });
    };
    function onData(chunk: Buffer) {
      if (chunk.length < remaining) {
        text += decoder.write(chunk);
        remaining -= chunk.length;
        return;
      }
      text += decoder.write(chunk.subarray(0, remaining));
      remaining = 0;
      stopAndDrain();
    }
    function onEnd() {
      detach();
      resolve({ text });
    }
    function onError(err: Error) {
      detach();
      body.on('error', () => undefined);
      reject(err);
    }

    body.on('error', onError);
    if (remaining <= 0) return stopAndDrain();
    body.on('data', onData);
    body.on('end', onEnd);
  });
}

function* errorChain(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.has(next)) continue;
    seen.add(next);
    yield next;
    if (next instanceof AggregateError) queue.push(...next.errors);
    if (next instanceof Error && next.cause !== undefined) queue.push(next.cause);
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describeFailure(err: unknown, deadlinePassed: boolean, timeoutMs: number): Pick<HttpError, 'error' | 'message'> {
  if (deadlinePassed) return { error: 'timeout', message: `no complete response within ${timeoutMs} ms` };
  for (const link of errorChain(err)) {
    if (link instanceof BlockedDestinationError) return { error: 'blocked', message: link.message };
  }
  for (const link of errorChain(err)) {
    const code = codeOf(link);
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      return { error: 'timeout', message: `${code}: ${(link as Error).message}` };
    }
  }
  // Refused, reset, DNS failure, TLS failure, malformed response: the endpoint was not reachable as HTTP.
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { error: 'connection', message: code === undefined ? message : `${code}: ${message}` };
}
