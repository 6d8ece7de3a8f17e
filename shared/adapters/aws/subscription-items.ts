/**
 * A subscription's objects whose keys its owner chooses — the custom headers and the payload filter —
 * are stored as JSON text (`headersJson`, `filterJson`), not as DynamoDB maps: lib-dynamodb's marshaller
 * reads an object's `constructor` member to tell its kind (`{"constructor":1}` is refused as a class
 * instance, `{"constructor":{"name":"String"}}` would be stored as the string "[object Object]"), and
 * both it and the unmarshaller build maps by assignment, so a key is kept only if it is an ordinary one.
 * JSON text keeps every key as sent. Items written before as maps (`headers`, `filter`) are still read.
 */
import type { Subscription } from '../../core/platform/domain.ts';

/** The attributes that hold a subscription's user-keyed objects, as written. */
export interface JsonFields {
  headersJson: string;
  filterJson?: string;
}

/** The subscription's fields as stored: headers and filter as JSON text, everything else as it is. */
export function storedFields(subscription: Subscription): Omit<Subscription, 'headers' | 'filter'> & JsonFields {
  const { headers, filter, ...rest } = subscription;
  return { ...rest, headersJson: JSON.stringify(headers), ...(filter === undefined ? {} : { filterJson: JSON.stringify(filter) }) };
}

/** The JSON text of a filter to SET, or undefined to REMOVE it. */
export const filterText = (filter: Subscription['filter']): string | undefined => (filter === undefined ? undefined : JSON.stringify(filter));

/** An item (or a projection of one) read back: the JSON text parsed (JSON.parse keeps every key as an own member). */
export function withJsonFields<T extends object>(item: T): T {
  const { headersJson, filterJson, ...rest } = item as T & Partial<JsonFields>;
  const out: Record<string, unknown> = { ...rest };
  if (typeof headersJson === 'string') out.headers = JSON.parse(headersJson);
  if (typeof filterJson === 'string') out.filter = JSON.parse(filterJson);
  return out as T;
}
