/** The one "read every page" loop over a DynamoDB Query, bounded by an optional item count. */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type Key = Record<string, unknown>;

/**
 * Reads page after page until the query is exhausted or `max` items are in hand (DynamoDB applies a
 * FilterExpression after Limit, so a filtered page can be short). `lastKey` is where a next read would start.
 */
export async function queryPages(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  max = Number.POSITIVE_INFINITY,
): Promise<{ items: Key[]; lastKey?: Key }> {
  const items: Key[] = [];
  let start = input.ExclusiveStartKey;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, ExclusiveStartKey: start, ...(Number.isFinite(max) ? { Limit: max - items.length } : {}) }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < max);
  return { items, lastKey: start };
}
