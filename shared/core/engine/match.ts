/** Which subscriptions want an event: its type (exact names, `prefix.*` patterns, or `*`), then its payload filter. */
import type { Filter, Message, Subscription } from '../platform/domain.ts';
import { matchesFilter } from './filter.ts';

export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function wantsEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => matchesEventType(pattern, type));
}

/**
 * Whether an enabled subscription gets this message: its event types, then its filter against the
 * delivered body `{type, timestamp, data}` — before any HTTP work, so a filtered-out event costs no attempt.
 */
export function wantsMessage(subscription: Pick<Subscription, 'enabled' | 'eventTypes' | 'filter'>, message: Message): boolean {
  if (!subscription.enabled || !wantsEventType(subscription.eventTypes, message.type)) return false;
  if (!subscription.filter) return true;
  return matchesFilter(subscription.filter, parsedBody(message));
}

const parsed = new WeakMap<Message, Filter>();

/** The delivered body as JSON, parsed once per message however many subscriptions filter it. */
function parsedBody(message: Message): Filter {
  let body = parsed.get(message);
  if (!body) {
    body = { type: message.type, timestamp: message.timestamp, data: JSON.parse(message.dataJson) } as Filter;
    parsed.set(message, body);
  }
  return body;
}
