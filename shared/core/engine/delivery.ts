/** One attempt: build the signed request, send it, classify the outcome, describe it as an Attempt. */
import type { Attempt, Message, Subscription } from '../platform/domain.ts';
import { newAttemptId } from '../platform/ids.ts';
import type { Clock, HttpResult, Transport } from '../platform/ports.ts';
import { parseRetryAfter } from './retry-policy.ts';
import { signatureHeader } from './sign.ts';

export interface DeliveryDeps {
  transport: Transport;
  clock: Clock;
  /** The deadline of an attempt to an endpoint without its own `timeoutMs`. */
  deliveryTimeoutMs: number;
  userAgent: string;
}

/** An attempt's whole deadline: the endpoint's own `timeoutMs` when it has one, else the global one. */
export const deadlineMs = (deps: Pick<DeliveryDeps, 'deliveryTimeoutMs'>, subscription: Pick<Subscription, 'timeoutMs'>): number =>
  subscription.timeoutMs ?? deps.deliveryTimeoutMs;

/** What the engine does next, decided from one attempt's result. */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'retryable'; reason: string; retryAfterSeconds?: number; throttled: boolean }
  | { kind: 'permanent'; reason: string; disableSubscription: boolean };

/** ISO text of an epoch-ms time; attempts made in the same millisecond (a busy batch) share one. */
let lastIso = { ms: Number.NaN, text: '' };
function isoTime(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

/**
 * The payload a receiver gets, `{"type","timestamp","data"}`, with `data` spliced in as published;
 * built once per message and shared by every subscription.
 */
export const deliveryBody = (message: Message): string =>
  `{"type":${JSON.stringify(message.type)},"timestamp":${JSON.stringify(message.timestamp)},"data":${message.dataJson}}`;

export function activeSecrets(subscription: Subscription, nowMs: number): string[] {
  const only = subscription.secrets.length === 1 ? subscription.secrets[0] : undefined;
  if (only !== undefined && only.expiresAt === undefined) return [only.secret]; // the usual case, no rotation under way
  return subscription.secrets
    .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > nowMs)
    .map((s) => s.secret);
}

export function deliveryHeaders(
  message: Message,
  subscription: Subscription,
  body: string,
  nowMs: number,
  userAgent: string,
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    // Custom headers first so the protocol headers below always win.
    ...subscription.headers,
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(activeSecrets(subscription, nowMs), message.id, timestamp, body),
  };
}

/** Shared, never changed: the outcome of nearly every attempt, so not allocated for each. */
const DELIVERED: DeliveryOutcome = Object.freeze({ kind: 'delivered' });

export function classify(result: HttpResult, nowMs: number): DeliveryOutcome {
  if (result.kind === 'error') {
    if (result.error === 'blocked' || result.error === 'invalid_url') {
      return { kind: 'permanent', reason: result.message, disableSubscription: false };
    }
    return { kind: 'retryable', reason: result.message, throttled: result.error === 'timeout' };
  }
  const status = result.statusCode;
  if (status >= 200 && status < 300) return DELIVERED;
  if (status === 410) return { kind: 'permanent', reason: 'endpoint answered 410 Gone', disableSubscription: true };
  const reason = status >= 300 && status < 400 ? `redirect ${status} not followed` : `endpoint answered ${status}`;
  return {
    kind: 'retryable',
    reason,
    retryAfterSeconds: parseRetryAfter(result.headers['retry-after'], nowMs),
    throttled: status === 429,
  };
}

export interface AttemptResult {
  attempt: Attempt;
  outcome: DeliveryOutcome;
}

export async function attemptDelivery(
  deps: DeliveryDeps,
  message: Message,
  subscription: Subscription,
  attemptNumber: number,
  options: { body?: string; test?: boolean; timeoutMs?: number } = {},
): Promise<AttemptResult> {
  const startedAt = deps.clock.now();
  const body = options.body ?? deliveryBody(message);
  const result = await deps.transport.post({
    url: subscription.url,
    headers: deliveryHeaders(message, subscription, body, startedAt, deps.userAgent),
    body,
    // The caller may cut it shorter (dispatch, on the main lane); else the endpoint's deadline.
    timeoutMs: options.timeoutMs ?? deadlineMs(deps, subscription),
  });
  const outcome = classify(result, deps.clock.now());
  const attempt: Attempt = {
    id: newAttemptId(startedAt),
    messageId: message.id,
    subscriptionId: subscription.id,
    tenant: subscription.tenant,
    eventType: message.type,
    attemptNumber,
    status: outcome.kind === 'delivered' ? 'succeeded' : 'failed',
    durationMs: Math.round(result.durationMs),
    timestamp: isoTime(startedAt),
  };
  // Assigned rather than spread in: this runs once per delivery and spreads allocate a temporary each.
  if (result.kind === 'response') {
    attempt.statusCode = result.statusCode;
    attempt.response = result.bodyExcerpt;
    if (outcome.kind !== 'delivered') attempt.error = outcome.reason;
  } else {
    attempt.error = `${result.error}: ${result.message}`;
  }
  if (options.test) attempt.test = true;
  return { attempt, outcome };
}
