/**
 * The outbound HTTP layer: one POST per attempt through a shared keep-alive undici Agent whose
 * connector resolves names with the SSRF-guarded lookup. Never throws; every outcome is an HttpResult.
 */
import type { IncomingHttpHeaders } from 'node:http';
// The Agent alone, not undici's index: the index also evaluates fetch, WebSocket, the cache and the
// mock layer, about half of undici's bundled size and import time, none of which a POST uses.
import Agent from 'undici/lib/dispatcher/agent.js';
import type { Dispatcher } from 'undici';
import type { ClosableTransport, HttpRequest, HttpResult } from '../../core/platform/ports.ts';
import { checkUrl } from '../../core/engine/index.ts';
import { BlockedDestinationError, createGuardedLookup } from './ssrf-guard.ts';
import type { ResolveAll } from './ssrf-guard.ts';

export interface HttpSenderOptions {
  /** Local mode: allow loopback/private destinations and plain http:. */
  readonly allowPrivateTargets: boolean;
  /** @default 4096 (the attempt log keeps the first 4 KiB of a response) */
  readonly maxExcerptBytes?: number;
  /** Concurrent sockets per origin. @default 50 */
  readonly connectionsPerOrigin?: number;
  /** Idle time before a kept-alive socket is closed, unless the server's Keep-Alive hint is shorter. @default 4000 */
  readonly keepAliveTimeoutMs?: number;
  /** Resolver under the SSRF guard (tests inject names that resolve to loopback). @default dns.lookup */
  readonly lookup?: ResolveAll;
}


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

type Target = { ok: true; origin: string; path: string } | Extract<ReturnType<typeof checkUrl>, { ok: false }>;

/** The sender a runtime uses: private targets only where the settings allow them (local mode). */
export const httpSenderFor = (settings: { allowPrivateTargets: boolean }): ClosableTransport =>
  createHttpSender({ allowPrivateTargets: settings.allowPrivateTargets });

export function createHttpSender(options: HttpSenderOptions): ClosableTransport {
  const maxExcerptBytes = options.maxExcerptBytes ?? 4096;
  const guard = { allowPrivateTargets: options.allowPrivateTargets };
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 50,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // The connector passes these to net/tls.connect: every new socket connects to an address the
    // guard has just approved. IP literals skip lookup in Node, so post() checks those itself.
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

  function post(request: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const target = targetOf(request.url);
    if (!target.ok) {
      return Promise.resolve({ kind: 'error', error: target.code, message: target.reason, durationMs: Math.round(performance.now() - started) });
    }
    // undici reads a 0 timeout as "none", so a nonsensical value becomes the shortest real one.
    const timeoutMs = request.timeoutMs >= 1 ? Math.ceil(request.timeoutMs) : 1;
    const exchange = new Exchange(maxExcerptBytes, timeoutMs, started);
    agent.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: outgoingHeaders(request.headers),
        body: request.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      exchange,
    );
    // The exchange settles with the whole result, a failure included: one promise per POST, no rethrow.
    return exchange.result;
  }

  return {
    post,
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

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * One POST as an undici dispatch handler: no response stream, just callbacks. Keeps the first
 * `maxBytes` of the body as UTF-8 (an incomplete trailing character is dropped) and settles as soon
 * as it has them; past that it discards up to DRAIN_LIMIT_BYTES so the socket can be reused, and
 * aborts (closing the socket) beyond. One deadline covers queueing, connect, headers and body, and
 * stays armed while a small remainder drains.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly result: Promise<HttpResult>;
  private timedOut = false;
  private resolve!: (value: HttpResult) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The start of a character split across chunks (at most 3 bytes, copied), completed by the next one. */
  private pending: Buffer | undefined;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private text = '';
  private remaining: number;
  private discarded = 0;
  private settled = false;
  private done = false;

  constructor(
    maxBytes: number,
    private readonly timeoutMs: number,
    /** performance.now() when the POST began. */
    private readonly started: number,
  ) {
    this.remaining = maxBytes;
    this.result = new Promise((resolve) => {
      this.resolve = resolve;
    });
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.timedOut) controller.abort(deadlineError()); // the deadline passed while queued
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    this.headers = flattenHeaders(headers);
    if (this.remaining <= 0) this.settle();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.remaining > 0) {
      if (chunk.length < this.remaining) {
        this.appendText(chunk);
        this.remaining -= chunk.length;
        return;
      }
      this.appendText(chunk.subarray(0, this.remaining));
      this.discarded = chunk.length - this.remaining;
      this.remaining = 0;
      this.settle();
    } else {
      this.discarded += chunk.length;
    }
    if (this.discarded > DRAIN_LIMIT_BYTES) controller.abort(new Error('response body too large to drain'));
  }

  onResponseEnd(): void {
    this.finish();
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish();
    this.fail(error);
  }

  /** UTF-8 text of the kept bytes, decoded as they come (a StringDecoder per POST cost more than the rest of the excerpt). */
  private appendText(bytes: Buffer): void {
    const buffer = this.pending ? Buffer.concat([this.pending, bytes]) : bytes;
    const complete = completeUtf8Length(buffer);
    this.pending = complete < buffer.length ? Buffer.from(buffer.subarray(complete)) : undefined;
    this.text += buffer.toString('utf8', 0, complete);
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({
      kind: 'response',
      statusCode: this.statusCode,
      headers: this.headers,
      bodyExcerpt: this.text,
      durationMs: Math.round(performance.now() - this.started),
    });
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const durationMs = Math.round(performance.now() - this.started);
    this.resolve({ kind: 'error', ...describeFailure(error, this.timedOut, this.timeoutMs), durationMs });
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private expire(): void {
    if (this.done) return;
    this.timedOut = true;
    if (this.controller) this.controller.abort(deadlineError());
    this.fail(deadlineError());
  }
}

/** Bytes of `buffer` up to an incomplete UTF-8 character at its end (all of them when there is none). */
export function completeUtf8Length(buffer: Buffer): number {
  const end = buffer.length;
  for (let i = end - 1; i >= 0 && i >= end - 4; i--) {
    const byte = buffer[i] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const length = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return end - i < length ? i : end;
  }
  return end;
}

const deadlineError = () => new DOMException('the delivery deadline passed', 'AbortError');

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
      // undici's header and body timers run on the same deadline and can fire a moment before ours:
      // the same event for the operator, so the same words (the code kept for whoever digs deeper).
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return { error: 'timeout', message: `no complete response within ${timeoutMs} ms (${code})` };
      }
      return { error: 'timeout', message: `${code}: ${(link as Error).message}` };
    }
  }
  // Refused, reset, DNS failure, TLS failure, malformed response: the endpoint was not reachable as HTTP.
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { error: 'connection', message: code === undefined ? message : `${code}: ${message}` };
}
