/** The one "read every page" loop over a DynamoDB Query, bounded by an optional item count. */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type Key = Record<string, unknown>;

/**
 * Reads page after page until the query is exhausted, `max` items are in hand, or `maxEvaluated`
 * items were read (DynamoDB applies a FilterExpression after Limit, so a filtered read can find few
 * matches in many items; the bound keeps one request's work finite). `lastKey` is where a next read
 * would start.
 */
export async function queryPages(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  max = Number.POSITIVE_INFINITY,
  maxEvaluated = Number.POSITIVE_INFINITY,
): Promise<{ items: Key[]; lastKey?: Key }> {
  const items: Key[] = [];
  let start = input.ExclusiveStartKey;
  let evaluated = 0;
  do {
    const limit = Math.min(max - items.length, maxEvaluated - evaluated);
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start, ...(Number.isFinite(limit) ? { Limit: limit } : {}) }));
    items.push(...(page.Items ?? []));
    evaluated += page.ScannedCount ?? page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && items.length < max && evaluated < maxEvaluated);
  return { items, lastKey: start };
}
