/**
 * Recent attempts of one subscription. Attempt ids are `att_<ULID>` and ULIDs sort by time, so
 * "since T" is a key condition `sk > att_<ULID of T with the lowest random part>`: no scan, no filter.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import type { Attempt } from '../../core/domain.ts';
import type { AttemptHistory } from '../../core/ports.ts';
import { keys } from './dynamodb.ts';

/** The smallest attempt id that can have been made at `ms` or later. */
export const attemptIdFloor = (ms: number): string => `att_${encodeTime(ms, 10)}${'0'.repeat(16)}`;

export class DynamoAttemptHistory implements AttemptHistory {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async since(subscriptionId: string, sinceMs: number, max: number): Promise<{ items: Attempt[]; truncated: boolean }> {
    const { pk } = keys.attempt(subscriptionId, '');
    const items: Attempt[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk > :floor',
          ExpressionAttributeValues: { ':pk': pk, ':floor': attemptIdFloor(sinceMs) },
          // Only what stats and recovery read: keeps each page small (1 MB per Query page).
          ProjectionExpression: 'id, messageId, #status, #test, #ts, attemptNumber',
          ExpressionAttributeNames: { '#status': 'status', '#test': 'test', '#ts': 'timestamp' },
          Limit: max + 1 - items.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) items.push(item as Attempt);
      start = page.LastEvaluatedKey;
    } while (start && items.length <= max);
    const truncated = items.length > max;
    return { items: items.slice(0, max), truncated };
  }
}
